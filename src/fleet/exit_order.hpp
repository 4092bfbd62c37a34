// The worst of several exit statuses (audit with several -g, fleet): 0 < 1 < 2 < ... < 6, then
// 75 (busy: says nothing about the box, but no report either), then 70 (a bug).
#pragma once

#include "core/error.hpp"

namespace bw::fleet {

inline int badness(ExitCode code) {
  switch (code) {
    case ExitCode::busy:
      return 7;
    case ExitCode::internal:
      return 8;
    default:
      return static_cast<int>(code);
  }
}

inline ExitCode worse(ExitCode a, ExitCode b) {
  return badness(b) > badness(a) ? b : a;
}

}  // namespace bw::fleet
