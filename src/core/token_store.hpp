// App tokens that a box gave boxwarden once (pairing), kept per box for later sessions:
// <dir>/<plugin>-<box key> (usually <state-dir>/tokens/), directory 0700, file 0600, written
// atomically. The box key is what the plugin chose to name the box by (a hash of its unique
// id, never the id itself). A token is a secret: never printed, never in argv, never in a
// backup (backups live in another directory and never read this one).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/secret.hpp"

namespace bw {

class TokenStore {
 public:
  explicit TokenStore(std::string dir);
  const std::string& dir() const { return m_dir; }

  // <dir>/<plugin>-<box_key>. Throws Error(usage) when no directory is known, and
  // Error(internal) for a plugin id or key that is not [a-z0-9-], 1-64 characters.
  std::string path_for(std::string_view plugin, std::string_view box_key) const;
  // The kept token; nullopt when there is none. Throws Error(usage) when the file is unreadable.
  std::optional<Secret> load(std::string_view plugin, std::string_view box_key) const;
  void save(std::string_view plugin, std::string_view box_key, const Secret& token) const;
  // Removes the token; false when there was none.
  bool forget(std::string_view plugin, std::string_view box_key) const;

 private:
  std::string m_dir;
};

}  // namespace bw
