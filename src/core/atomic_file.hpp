// Writes a file atomically: a temporary file in the same directory, fsync'd, renamed over
// the target only on commit(). A crash or an exception before commit() leaves the previous
// file intact. Mode 0600 by default (backups and anything that may hold box settings).
#pragma once

#include <string>
#include <sys/types.h>

namespace bw {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path, mode_t mode = 0600);
  ~AtomicFile();  // removes the temporary file if commit() was not called
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const std::string& data);
  void commit();  // throws Error(usage) with the path when the disk refuses

 private:
  std::string m_path;
  std::string m_tmp_path;
  int m_fd = -1;
  bool m_committed = false;
};

// Creates DIR and any missing parent with mode 0700 whatever the umask; throws Error(usage).
// A directory that already exists keeps its mode unless `tighten_existing` (boxwarden's own
// backups/ and pins/ are always 0700; a --state-dir the user chose is left as it is).
void make_private_dir(const std::string& dir, bool tighten_existing = true);
std::string read_file(const std::string& path, size_t max_bytes);  // throws Error(usage)

}  // namespace bw
