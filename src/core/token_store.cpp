#include "core/token_store.hpp"

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include <sys/stat.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace bw {

namespace {

constexpr size_t k_max_token = 4096;

bool is_name(std::string_view s) {
  if (s.empty() || s.size() > 64) {
    return false;
  }
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

TokenStore::TokenStore(std::string dir) : m_dir(std::move(dir)) {}

std::string TokenStore::path_for(std::string_view plugin, std::string_view box_key) const {
  if (m_dir.empty()) {
    throw Error(ErrorKind::usage, "no place to keep the box's app token (neither XDG_STATE_HOME nor HOME is set); "
                                  "give --state-dir DIR");
  }
  if (!is_name(plugin) || !is_name(box_key)) {
    throw Error(ErrorKind::internal, "a token name that is not [a-z0-9-]");
  }
  return m_dir + "/" + std::string(plugin) + "-" + std::string(box_key);
}

std::optional<Secret> TokenStore::load(std::string_view plugin, std::string_view box_key) const {
  std::string path = path_for(plugin, box_key);
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return std::nullopt;
    }
    throw Error(ErrorKind::usage, "cannot read the app token " + path + "; check its permissions");
  }
  if (!S_ISREG(st.st_mode)) {
    throw Error(ErrorKind::usage, path + " is not a regular file; remove it and pair the box again");
  }
  std::string data = read_file(path, k_max_token);
  auto end = data.find_first_of("\r\n");
  Secret token(data.substr(0, end));
  std::fill(data.begin(), data.end(), '\0');
  if (token.empty()) {
    return std::nullopt;
  }
  return token;
}

void TokenStore::save(std::string_view plugin, std::string_view box_key, const Secret& token) const {
  std::string path = path_for(plugin, box_key);
  make_private_dir(m_dir);
  AtomicFile f(path, 0600);
  f.write(token.reveal() + "\n");
  f.commit();
}

bool TokenStore::forget(std::string_view plugin, std::string_view box_key) const {
  std::string path = path_for(plugin, box_key);
  if (std::remove(path.c_str()) == 0) {
    return true;
  }
  if (errno == ENOENT) {
    return false;
  }
  throw Error(ErrorKind::usage, "cannot remove the app token " + path + "; remove it by hand");
}

}  // namespace bw
