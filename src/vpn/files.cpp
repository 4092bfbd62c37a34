#include "vpn/files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "vpn/qr.hpp"

namespace bw::vpn {

namespace {

std::string join_path(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

void write_private(const std::string& path, const std::string& data, WrittenFiles& written) {
  AtomicFile f(path, 0600);
  f.write(data);
  f.commit();
  written.paths.push_back(path);
}

}  // namespace

std::vector<std::string> planned_paths(const std::string& dir, const std::vector<std::string>& peers,
                                       bool with_server) {
  std::vector<std::string> out;
  if (with_server) {
    out.push_back(join_path(dir, "server.conf"));
  }
  for (const auto& p : peers) {
    out.push_back(join_path(dir, p + ".conf"));
    out.push_back(join_path(dir, p + ".png"));
  }
  return out;
}

void check_out_dir(const std::string& dir, const std::vector<std::string>& peers, bool with_server) {
  struct stat st {};
  if (lstat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return;  // created later, 0700
    }
    throw Error(ErrorKind::usage, "--out " + dir + ": " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    throw Error(ErrorKind::usage, "--out " + dir + " is not a directory; give a directory (it is created when missing)");
  }
  if (st.st_uid != geteuid()) {
    throw Error(ErrorKind::usage, "--out " + dir + " belongs to another user; give a directory of your own");
  }
  if ((st.st_mode & 077) != 0) {
    throw Error(ErrorKind::usage, "--out " + dir + " can be read by other users and the files hold private keys; give "
                                  "a new directory (it is created with mode 0700) or run: chmod 700 " + dir);
  }
  for (const auto& path : planned_paths(dir, peers, with_server)) {
    struct stat f {};
    if (lstat(path.c_str(), &f) == 0) {
      throw Error(ErrorKind::usage, path + " already exists (an earlier setup's keys may be in use); give another "
                                    "--out directory, or remove the old files first");
    }
  }
}

namespace {

// Creates `dir` (0700) when missing and writes NAME.conf (and NAME.png, its QR code, for
// every file but the server's) for each entry.
WrittenFiles write_configs(const std::string& dir, const std::vector<std::pair<std::string, Secret>>& configs,
                           bool first_is_server) {
  WrittenFiles written;
  written.dir = dir;
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) {
    std::filesystem::path parent = std::filesystem::path(dir).parent_path();
    if (!parent.empty()) {
      make_private_dir(parent.string(), false);  // missing parents 0700, whatever the umask
    }
    if (mkdir(dir.c_str(), 0700) != 0) {
      throw Error(ErrorKind::usage, "cannot create " + dir + ": " + std::strerror(errno) + "; give another --out");
    }
    written.created_dir = true;
  }
  chmod(dir.c_str(), 0700);
  try {
    for (size_t i = 0; i < configs.size(); ++i) {
      const auto& [name, text] = configs[i];
      write_private(join_path(dir, name + ".conf"), text.reveal(), written);
      if (i > 0 || !first_is_server) {
        write_private(join_path(dir, name + ".png"), qr_png(qr_encode(text.reveal())), written);
      }
    }
  } catch (const Error&) {
    remove_written(written);
    throw;
  }
  return written;
}

}  // namespace

WrittenFiles write_setup_files(const std::string& dir, const WgSetup& setup) {
  std::vector<std::pair<std::string, Secret>> configs;
  configs.emplace_back("server", Secret(server_config(setup, Keys::reveal)));
  for (const auto& p : setup.peers) {
    configs.emplace_back(p.name, Secret(client_config(setup, p, Keys::reveal)));
  }
  return write_configs(dir, configs, true);
}

WrittenFiles write_peer_files(const std::string& dir, const std::vector<std::pair<std::string, Secret>>& configs) {
  return write_configs(dir, configs, false);
}

void remove_written(const WrittenFiles& files) {
  for (const auto& p : files.paths) {
    unlink(p.c_str());
  }
  if (files.created_dir) {
    rmdir(files.dir.c_str());
  }
}

}  // namespace bw::vpn
