// Errors and exit codes. An Error carries the kind that decides the exit code and a
// one-line message for people; it is thrown where the caller cannot react and caught
// once in cli::run.
#pragma once

#include <stdexcept>
#include <string>

namespace bw {

// Exit status, the same for every command (DESIGN.md, man page EXIT STATUS).
enum class ExitCode : int {
  ok = 0,
  findings = 1,
  usage = 2,
  unreachable = 3,
  auth = 4,
  rolled_back = 5,
  rollback_failed = 6,
  internal = 70,  // a bug (EX_SOFTWARE): says so and how to report it; never 3
  busy = 75,      // another run is changing the same box (EX_TEMPFAIL): try again later
};

enum class ErrorKind {
  usage,        // bad option, unknown profile, unreadable file
  unreachable,  // box not found, connection refused, timeout
  protocol,     // the box answered something we cannot use
  auth,         // authentication failed or permission missing
  refused,      // the box refused one change (UPnP fault, vendor error)
  unsupported,  // this plugin cannot do that
  conflict,     // the entry to change is no longer the one that was read: left alone, nothing sent
  busy,         // another boxwarden run holds the box's lock
  internal,     // a bug: a state the program should never reach
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message)
      : std::runtime_error(message), m_kind(kind) {}
  ErrorKind kind() const { return m_kind; }

 private:
  ErrorKind m_kind;
};

ExitCode exit_code_for(ErrorKind kind);

}  // namespace bw
