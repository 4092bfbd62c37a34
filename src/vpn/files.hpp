// The files `vpn setup` writes: DIR/server.conf, DIR/NAME.conf and DIR/NAME.png per peer.
// DIR is 0700 and every file 0600 (they hold private keys); each file is written
// atomically. Nothing is overwritten: an earlier setup's keys may be in use.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/secret.hpp"
#include "vpn/wg_config.hpp"

namespace bw::vpn {

// The paths setup would write in `dir`, server first (unless the box is the server), then
// NAME.conf and NAME.png per peer.
std::vector<std::string> planned_paths(const std::string& dir, const std::vector<std::string>& peers,
                                       bool with_server = true);

// Checks `dir` before anything changes: it must not hold any of the planned files, and
// when it exists it must be a directory only its owner can read. Throws Error(usage).
void check_out_dir(const std::string& dir, const std::vector<std::string>& peers, bool with_server = true);

struct WrittenFiles {
  std::string dir;
  bool created_dir = false;
  std::vector<std::string> paths;  // in the order written
};

// Creates `dir` (0700) when missing and writes every file. On a failure, removes what it
// wrote and throws Error(usage) naming the path.
WrittenFiles write_setup_files(const std::string& dir, const WgSetup& setup);

// The box is the server: NAME.conf (as the box gave it) and NAME.png per peer.
WrittenFiles write_peer_files(const std::string& dir, const std::vector<std::pair<std::string, Secret>>& configs);

// Removes the files (and the directory when it was created for them). Best effort.
void remove_written(const WrittenFiles& files);

}  // namespace bw::vpn
