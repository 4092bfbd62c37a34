// Credentials: where a plugin's password comes from, in one order for every box that has
// one: --password-file or BOXWARDEN_PASSWORD, else ~/.netrc (machine = the box's address),
// else the person at the terminal. Shared by every plugin that logs in with a password; the
// password stays in a Secret and no message contains it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/secret.hpp"

namespace bw {

struct Credentials {
  std::string user;  // empty: the plugin's default admin user
  Secret password;   // from --password-file or BOXWARDEN_PASSWORD; empty when none was given
  bool use_netrc = true;  // ~/.netrc (machine = box address) may hold the password
  // Asks the person at the terminal (no echo) when a plugin needs a password and none was
  // given; returns an empty Secret when there is no terminal. May be empty.
  std::function<Secret()> ask_password;
  // PEM text of CA certificates trusted in addition to a vendor's own roots (--ca-file).
  std::string extra_ca_pem;
};

// The password for the box at `machine`, user `user` (the plugin's default when the
// credentials name none): given, else ~/.netrc ($NETRC), else asked. Empty when none of them
// has one. `warn` hears of a netrc that other users can read (may be empty).
Secret find_password(const Credentials& c, const std::string& machine, const std::string& user,
                     const std::function<void(const std::string&)>& warn);

// The password of `machine` in a ~/.netrc text (tokens machine/default, login, password,
// account, macdef), for `login` when the entry names one; nullopt when none applies.
std::optional<std::string> netrc_password(std::string_view netrc, std::string_view machine,
                                          std::string_view login);

}  // namespace bw
