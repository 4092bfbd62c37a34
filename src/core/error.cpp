#include "core/error.hpp"

namespace bw {

ExitCode exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage:
      return ExitCode::usage;
    case ErrorKind::auth:
      return ExitCode::auth;
    case ErrorKind::unreachable:
    case ErrorKind::protocol:
    case ErrorKind::refused:
    case ErrorKind::unsupported:
    case ErrorKind::conflict:
      return ExitCode::unreachable;
    case ErrorKind::busy:
      return ExitCode::busy;
    case ErrorKind::internal:
      return ExitCode::internal;
  }
  return ExitCode::internal;
}

}  // namespace bw
