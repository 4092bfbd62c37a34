# CPack pre-build script (CPACK_PRE_BUILD_SCRIPTS): runs on the staging tree after the
# install and before the .deb is made. Debian wants the man page and the changelog gzipped
# (gzip -9n: no name or time stamp, so the package is reproducible) and a copyright file.
set(root "${CPACK_TEMPORARY_INSTALL_DIRECTORY}${CPACK_PACKAGING_INSTALL_PREFIX}")
if(NOT EXISTS "${root}/bin/boxwarden")
  message(FATAL_ERROR "deb_prebuild: no ${root}/bin/boxwarden in the staging tree")
endif()

function(gzip_file src dest)
  execute_process(COMMAND gzip -9n -c "${src}" OUTPUT_FILE "${dest}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "deb_prebuild: gzip ${src} failed")
  endif()
endfunction()

foreach(man "${root}/share/man/man1/boxwarden.1" "${root}/share/man/fr/man1/boxwarden.1")
  gzip_file("${man}" "${man}.gz")
  file(REMOVE "${man}")
endforeach()

set(doc "${root}/share/doc/${CPACK_PACKAGE_NAME}")
file(MAKE_DIRECTORY "${doc}")
file(COPY_FILE "${CPACK_BOXWARDEN_PACKAGING_DIR}/copyright" "${doc}/copyright")
set(version "${CPACK_PACKAGE_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}")
configure_file("${CPACK_BOXWARDEN_PACKAGING_DIR}/changelog.in" "${doc}/changelog.Debian" @ONLY)
gzip_file("${doc}/changelog.Debian" "${doc}/changelog.Debian.gz")
file(REMOVE "${doc}/changelog.Debian")
file(CHMOD "${doc}/copyright" "${doc}/changelog.Debian.gz" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
