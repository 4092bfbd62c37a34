# The Debian package: `cpack -G DEB` in the build directory (README, "Debian package").
# Installs what `cmake --install` installs, under /usr: the binary, the man page (gzipped by
# deb_prebuild.cmake, as Debian wants), the profiles and the JSON Schemas, plus the files
# Debian requires in /usr/share/doc/boxwarden. The binary finds the profiles beside itself
# (bin/../share/boxwarden/profiles, src/rules/profile_search.cpp), so the package works
# whatever prefix the build was configured with. Dependencies come from dpkg-shlibdeps.

# The JSON Schemas come with everything `cmake --install` installs (the top CMakeLists.txt
# installs schemas/ to share/boxwarden/schemas).

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME boxwarden)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "boxwarden maintainers <maintainers@users.noreply.r-seed-eec280a0.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "audit and harden an Internet box (UPnP IGD, Livebox, Freebox)")
# The long description, lines under 80 columns (CPack adds the synopsis and the indentation).
set(CPACK_PACKAGE_DESCRIPTION "boxwarden reads the Internet box (the router of the Internet provider) of a
home, a small office or a medical practice over UPnP IGD or the box's own API,
says what the Internet can reach through it (port forwards, UPnP mappings, the
DMZ, remote administration, the IPv6 firewall) under a hardening profile, and
closes what the profile forbids, with a backup and a rollback.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
# Gzips the man page and adds copyright and changelog.Debian.gz in the staging tree.
set(CPACK_BOXWARDEN_PACKAGING_DIR "${PROJECT_SOURCE_DIR}/packaging")
set(CPACK_PRE_BUILD_SCRIPTS "${PROJECT_SOURCE_DIR}/packaging/deb_prebuild.cmake")
include(CPack)
