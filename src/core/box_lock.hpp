// One run per box: the commands that change a box (fix, rollback, vpn setup) hold an
// exclusive flock(2) on a file named after the box, from before they read it until they exit,
// so that two runs cannot interleave their changes, whatever their --state-dir or user.
//
// The file is in a machine-wide directory: $BOXWARDEN_LOCK_DIR, else /run/lock/boxwarden, or
// /tmp/boxwarden-locks on a system without /run/lock (never as a fallback for one run: every
// user must see the same locks). Created with mode 01777, like /tmp, so that every user can
// add a file and none can remove another's. Its name holds the box's address (and, for a box
// on the loopback, the port: emulators), and the network namespace's inode: an address names
// a box only within one network namespace. Files are created 0666 so another user can lock
// them later. The holder writes "PID USER START" in it and empties it when done: a free lock
// whose file still names a run tells that this run died (killed) without finishing.
//
// The kernel drops the flock when the holder dies, however it dies: a lock is never stuck.
// It keeps cooperating runs apart; it is no barrier against someone who wants to interfere
// (anyone on the LAN can change the box through UPnP anyway).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace bw {

class BoxLock {
 public:
  using Notify = std::function<void(const std::string&)>;

  // Takes the lock of the box at `address` (`port`: the one given with --gateway, 0 if none).
  // Throws Error(busy) when another run holds it, naming that run's pid and user; Error(usage)
  // when the lock file cannot be used (a symbolic link, another user's private file).
  // `notify` hears of a stale lock (a run that died without finishing).
  static BoxLock take(const std::string& address, uint16_t port, const Notify& notify);

  BoxLock(BoxLock&& other) noexcept;
  BoxLock& operator=(BoxLock&&) = delete;
  BoxLock(const BoxLock&) = delete;
  ~BoxLock();  // empties the file, then closes it (which releases the lock)

  const std::string& path() const { return m_path; }
  int fd() const { return m_fd; }

 private:
  BoxLock(int fd, std::string path) : m_fd(fd), m_path(std::move(path)) {}
  int m_fd = -1;
  std::string m_path;
};

// The directory of the lock files (created if missing): see above.
std::string box_lock_dir();

// The lock file's name for a box (pure): "box-<netns inode>-<address>[-<port>].lock".
std::string box_lock_name(const std::string& address, uint16_t port, const std::string& netns);

// The inode number of this process's network namespace, as text ("unknown" if unreadable).
std::string current_netns();

}  // namespace bw
