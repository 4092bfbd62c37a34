#include <gtest/gtest.h>

#include "cli/spell.hpp"

namespace bw::cli {
namespace {

TEST(CliSpell, SuggestsTheClosest) {
  std::vector<std::string> cmds = {"discover", "audit", "plan", "fix", "rollback"};
  EXPECT_EQ(did_you_mean("audti", cmds), "audit");
  EXPECT_EQ(did_you_mean("rolback", cmds), "rollback");
  EXPECT_EQ(did_you_mean("xyzzyplugh", cmds), "");
  EXPECT_EQ(did_you_mean("--prof", {"--profile", "--password-file"}), "--profile");
}

}  // namespace
}  // namespace bw::cli
