#include "core/atomic_file.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.hpp"

namespace bw {

namespace {
[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw Error(ErrorKind::usage, what + " " + path + ": " + std::strerror(errno));
}
}  // namespace

AtomicFile::AtomicFile(std::string path, mode_t mode) : m_path(std::move(path)) {
  m_tmp_path = m_path + ".tmp-XXXXXX";
  m_fd = mkstemp(m_tmp_path.data());
  if (m_fd < 0) {
    fail("cannot create a file next to", m_path);
  }
  fchmod(m_fd, mode);
}

AtomicFile::~AtomicFile() {
  if (m_fd >= 0) {
    close(m_fd);
  }
  if (!m_committed) {
    unlink(m_tmp_path.c_str());
  }
}

void AtomicFile::write(const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(m_fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      fail("cannot write", m_tmp_path);
    }
    done += static_cast<size_t>(n);
  }
}

void AtomicFile::commit() {
  if (fsync(m_fd) != 0 || close(m_fd) != 0) {
    m_fd = -1;
    fail("cannot write", m_tmp_path);
  }
  m_fd = -1;
  if (rename(m_tmp_path.c_str(), m_path.c_str()) != 0) {
    fail("cannot rename onto", m_path);
  }
  m_committed = true;
  // Make the rename itself durable.
  std::string dir = std::filesystem::path(m_path).parent_path().string();
  int dfd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
}

void make_private_dir(const std::string& dir, bool tighten_existing) {
  std::filesystem::path path(dir);
  std::filesystem::path partial;
  for (const auto& part : path) {
    partial /= part;
    if (mkdir(partial.c_str(), 0700) == 0) {
      chmod(partial.c_str(), 0700);  // mkdir's mode went through the umask
    } else if (errno != EEXIST) {
      throw Error(ErrorKind::usage, "cannot create directory " + partial.string() + ": " +
                                        std::strerror(errno) + "; check the path and its permissions");
    }
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    throw Error(ErrorKind::usage, dir + " is not a directory; check the path");
  }
  if (tighten_existing) {
    chmod(dir.c_str(), 0700);
  }
}

std::string read_file(const std::string& path, size_t max_bytes) {
  // Read in chunks as the file grows, never more than max_bytes + 1: a cap of 64 MiB must not
  // cost 64 MiB of zeroed memory for a 2 KiB backup.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fail("cannot read", path);
  }
  auto too_large = [&] {
    close(fd);
    throw Error(ErrorKind::usage, path + " is larger than " + std::to_string(max_bytes) + " bytes");
  };
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) {
    too_large();
  }
  std::string data;
  char chunk[64 * 1024];
  for (;;) {
    // One byte past the cap tells "exactly max_bytes" from "more" (data.size() <= max_bytes here).
    size_t room = max_bytes - data.size();
    size_t want = room >= sizeof chunk ? sizeof chunk : room + 1;
    ssize_t n = ::read(fd, chunk, want);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      int saved = errno;
      close(fd);
      errno = saved;
      fail("cannot read", path);
    }
    if (n == 0) {
      break;
    }
    data.append(chunk, static_cast<size_t>(n));
    if (data.size() > max_bytes) {
      too_large();
    }
  }
  close(fd);
  return data;
}

}  // namespace bw
