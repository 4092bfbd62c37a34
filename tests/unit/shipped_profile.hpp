// A profile shipped in profiles/, read from the source tree, for the rule tests.
#pragma once

#include <string>

#include "rules/profile.hpp"

namespace bw::test {

inline Profile shipped(const std::string& name) {
  return load_profile_file(std::string(BOXWARDEN_SOURCE_PROFILE_DIR) + "/" + name + ".profile");
}

}  // namespace bw::test
