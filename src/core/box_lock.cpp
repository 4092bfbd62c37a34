#include "core/box_lock.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <sstream>

#include "core/utc_time.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/interrupt.hpp"
#include "core/text.hpp"

namespace bw {

namespace {

constexpr size_t k_max_content = 256;

std::string os_error(int err) {
  return std::strerror(err);
}

// Creates `dir` with mode 01777 when missing; a directory that is there must be a real one
// (not a symbolic link). Returns an empty string when usable, else why not.
std::string ensure_dir(const std::string& dir) {
  struct stat st {};
  if (lstat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return os_error(errno);
    }
    if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
      return os_error(errno);
    }
    if (lstat(dir.c_str(), &st) != 0) {
      return os_error(errno);
    }
    if (S_ISDIR(st.st_mode) && st.st_uid == geteuid()) {
      chmod(dir.c_str(), 01777);  // the umask took bits away; every user must be able to add a file
    }
  }
  if (!S_ISDIR(st.st_mode)) {
    return "not a directory (or a symbolic link)";
  }
  return "";
}

std::string user_name() {
  uid_t uid = geteuid();
  char buf[1024];
  passwd pw {};
  passwd* found = nullptr;
  if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found != nullptr && found->pw_name != nullptr) {
    return found->pw_name;
  }
  return std::to_string(uid);  // no name: the number (one word, like a name)
}

// "PID USER START" as written by the holder; anything else (a file being written, a hostile
// one) is nullopt.
struct Holder {
  long pid = 0;
  std::string user;
  std::string started;
};

std::optional<Holder> read_holder(int fd) {
  char buf[k_max_content + 1];
  ssize_t n = pread(fd, buf, k_max_content, 0);
  if (n <= 0) {
    return std::nullopt;
  }
  std::istringstream in(std::string(buf, static_cast<size_t>(n)));
  Holder h;
  std::string pid;
  if (!(in >> pid >> h.user >> h.started) || pid.empty() || pid.size() > 9 ||
      pid.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  h.pid = std::stol(pid);
  h.user = printable(h.user, 32);
  h.started = printable(h.started, 32);
  return h.pid > 0 ? std::optional<Holder>(h) : std::nullopt;
}

// Opens the lock file without following a symbolic link; an existing one without O_CREAT
// (fs.protected_regular refuses O_CREAT on another user's file in a sticky directory).
int open_lock_file(const std::string& path) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    int fd = open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd >= 0 || errno != ENOENT) {
      return fd;
    }
    fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0666);
    if (fd >= 0) {
      fchmod(fd, 0666);  // whatever the umask: another user's run must be able to lock it
      return fd;
    }
    if (errno != EEXIST) {
      return -1;
    }
  }
  errno = EAGAIN;
  return -1;
}

}  // namespace

std::string current_netns() {
  struct stat st {};
  if (stat("/proc/self/ns/net", &st) != 0) {
    return "unknown";
  }
  return std::to_string(static_cast<unsigned long long>(st.st_ino));
}

std::string box_lock_name(const std::string& address, uint16_t port, const std::string& netns) {
  std::string name = "box-" + netns + "-";
  for (char c : address.substr(0, 100)) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == ':' ||
              c == '-' || c == '_';
    name += ok ? c : '_';
  }
  // Ports matter only on the loopback, where each emulator is a box of its own; a real box is
  // one box whichever of its ports (UPnP, vendor API) a run talks to.
  if (port != 0 && address.rfind("127.", 0) == 0) {
    name += "-" + std::to_string(port);
  }
  return name + ".lock";
}

std::string box_lock_dir() {
  if (const char* env = std::getenv("BOXWARDEN_LOCK_DIR"); env != nullptr && *env != '\0') {
    std::string dir = env;
    if (std::string why = ensure_dir(dir); !why.empty()) {
      throw Error(ErrorKind::usage, "BOXWARDEN_LOCK_DIR=" + printable(dir, 200) + " cannot hold the box locks (" + why +
                                        "); give a directory every user of boxwarden can write to");
    }
    return dir;
  }
  // Every user must land on the same directory, or runs would not see each other's locks: the
  // fallback is only for a system without /run/lock, never for a run that cannot use it.
  struct stat st {};
  std::string dir = stat("/run/lock", &st) == 0 && S_ISDIR(st.st_mode) ? "/run/lock/boxwarden" : "/tmp/boxwarden-locks";
  if (std::string why = ensure_dir(dir); !why.empty()) {
    throw Error(ErrorKind::usage, "cannot use " + dir + " for the box locks (" + why + "); ask the administrator to run "
                                  "'mkdir -m 1777 " + dir + "', or set BOXWARDEN_LOCK_DIR to a directory every user of "
                                  "boxwarden can write to");
  }
  return dir;
}

BoxLock BoxLock::take(const std::string& address, uint16_t port, const Notify& notify) {
  std::string path = box_lock_dir() + "/" + box_lock_name(address, port, current_netns());
  int fd = open_lock_file(path);
  if (fd < 0) {
    int err = errno;
    throw Error(ErrorKind::usage, "cannot open the lock file " + printable(path, 300) + " (" + os_error(err) +
                                      (err == ELOOP ? ": a symbolic link" : "") +
                                      "); remove it if no boxwarden run is going on, then run this again");
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    throw Error(ErrorKind::usage, "the lock file " + printable(path, 300) +
                                      " is not a regular file; remove it, then run this again");
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::optional<Holder> h = read_holder(fd);
    close(fd);
    if (err != EWOULDBLOCK) {
      throw Error(ErrorKind::usage, "cannot lock " + printable(path, 300) + " (" + os_error(err) + ")");
    }
    throw Error(ErrorKind::busy,
                h ? fill(tr("another boxwarden run (pid {pid}, user {user}) is changing the box at {address}; wait for it "
                            "to finish, then run this again"),
                         {{"pid", std::to_string(h->pid)}, {"user", h->user}, {"address", printable(address, 60)}})
                  : fill(tr("another boxwarden run is changing the box at {address}; wait for it to finish, then run "
                            "this again"),
                         {{"address", printable(address, 60)}}));
  }
  if (std::optional<Holder> h = read_holder(fd); h && notify) {
    notify(fill(tr("note: an earlier run on this box (pid {pid}, user {user}, started {started}) ended without "
                   "finishing (killed?); its lock is stale and is taken over. If it was changing the box, see "
                   "'boxwarden backups'"),
                {{"pid", std::to_string(h->pid)}, {"user", h->user}, {"started", h->started}}));
  }
  std::string content = std::to_string(getpid()) + " " + user_name() + " " + utc_now() + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, content.data(), content.size(), 0) != static_cast<ssize_t>(content.size())) {
    // The lock is held all the same; only the name of the holder is missing for others.
  }
  interrupt::set_lock_fd(fd);
  return BoxLock(fd, path);
}

BoxLock::BoxLock(BoxLock&& other) noexcept : m_fd(other.m_fd), m_path(std::move(other.m_path)) {
  other.m_fd = -1;
}

BoxLock::~BoxLock() {
  if (m_fd < 0) {
    return;
  }
  interrupt::set_lock_fd(-1);
  int ignored = ftruncate(m_fd, 0);  // a clean end: nothing names a holder any more
  (void)ignored;
  close(m_fd);
}

}  // namespace bw
