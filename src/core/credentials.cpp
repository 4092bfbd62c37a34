#include "core/credentials.hpp"

#include <sys/stat.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace bw {

std::optional<std::string> netrc_password(std::string_view netrc, std::string_view machine,
                                          std::string_view login) {
  std::vector<std::string> tok;
  size_t i = 0;
  while (i < netrc.size()) {
    while (i < netrc.size() && std::isspace(static_cast<unsigned char>(netrc[i]))) {
      ++i;
    }
    size_t start = i;
    while (i < netrc.size() && !std::isspace(static_cast<unsigned char>(netrc[i]))) {
      ++i;
    }
    if (i > start) {
      tok.emplace_back(netrc.substr(start, i - start));
    }
  }
  // Entries: [machine NAME | default] followed by key/value pairs.
  std::optional<std::string> fallback;
  for (size_t t = 0; t < tok.size();) {
    bool is_default = tok[t] == "default";
    if (tok[t] != "machine" && !is_default) {
      ++t;
      continue;
    }
    std::string name = is_default ? "" : (t + 1 < tok.size() ? tok[t + 1] : "");
    t += is_default ? 1 : 2;
    std::string user;
    std::optional<std::string> pw;
    while (t < tok.size() && tok[t] != "machine" && tok[t] != "default") {
      if (tok[t] == "macdef") {
        break;  // a macro runs to a blank line; entries after it are not ours to guess
      }
      if (t + 1 < tok.size() && tok[t] == "login") {
        user = tok[t + 1];
      } else if (t + 1 < tok.size() && tok[t] == "password") {
        pw = tok[t + 1];
      }
      t += 2;
    }
    bool user_ok = user.empty() || login.empty() || user == login;
    if (pw && user_ok && !is_default && name == machine) {
      return pw;
    }
    if (pw && user_ok && is_default && !fallback) {
      fallback = pw;
    }
    if (t < tok.size() && tok[t] == "macdef") {
      break;
    }
  }
  return fallback;
}

Secret find_password(const Credentials& c, const std::string& machine, const std::string& user,
                     const std::function<void(const std::string&)>& warn) {
  if (!c.password.empty()) {
    return c.password;
  }
  if (c.use_netrc) {
    // The password travels in a request body for some boxes, so curl's own netrc support
    // (HTTP authentication) cannot supply it: read the file here.
    const char* env = std::getenv("NETRC");
    const char* home = std::getenv("HOME");
    std::string path = env != nullptr ? env : (home != nullptr ? std::string(home) + "/.netrc" : "");
    struct stat st {};
    // A netrc is a few lines; a bigger one is not read (and never a device or a FIFO).
    if (!path.empty() && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= (1 << 20)) {
      std::ifstream in(path);
      std::stringstream text;
      text << in.rdbuf();
      if (auto pw = netrc_password(text.str(), machine, c.user.empty() ? user : c.user)) {
        if ((st.st_mode & 077) != 0 && warn) {  // as for --password-file, whatever -q says
          warn("warning: " + path + " can be read by other users; run: chmod 600 " + path);
        }
        return Secret(*pw);
      }
    }
  }
  if (c.ask_password) {
    if (Secret s = c.ask_password(); !s.empty()) {
      return s;
    }
  }
  return Secret();
}

}  // namespace bw
