// gateway.box_id: the same identity always gives the same id, the identity itself never shows,
// an unknown identity gives none, and a merged state keeps the first API's identity.
#include <gtest/gtest.h>

#include <regex>

#include "core/box_id.hpp"
#include "discovery/box.hpp"

namespace bw {
namespace {

TEST(CoreBoxId, SameIdentitySameIdAndTheIdentityIsNotInIt) {
  auto a = box_id("livebox-serial:LK00000EMU00001");
  auto b = box_id("livebox-serial:LK00000EMU00001");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a, b);
  EXPECT_TRUE(std::regex_match(*a, std::regex("sha256:[0-9a-f]{32}"))) << *a;
  EXPECT_EQ(a->find("LK00000EMU00001"), std::string::npos);
  EXPECT_NE(box_id("livebox-serial:LK00000EMU00002"), a);
}

TEST(CoreBoxId, KnownDigest) {
  // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
  EXPECT_EQ(box_id("abc"), "sha256:ba7816bf8f01cfea414140de5dae2223");
}

TEST(CoreBoxId, UnknownIdentityHasNoId) {
  EXPECT_FALSE(box_id("").has_value());
}

TEST(CoreBoxId, MergeKeepsTheFirstApisIdentityAndFillsAMissingOne) {
  RouterState vendor;
  vendor.box_identity = "livebox-serial:A";
  RouterState igd;
  igd.box_identity = "upnp-udn:uuid:1";
  merge_state(vendor, igd);
  EXPECT_EQ(vendor.box_identity, "livebox-serial:A");
  RouterState none;
  merge_state(none, igd);
  EXPECT_EQ(none.box_identity, "upnp-udn:uuid:1");
}

TEST(CoreBoxId, TheIdentityIsNeverInTheStatesJson) {
  RouterState s;
  s.box_identity = "livebox-serial:SECRET-SERIAL";
  EXPECT_EQ(to_json(s).dump().find("SECRET-SERIAL"), std::string::npos);
}

}  // namespace
}  // namespace bw
