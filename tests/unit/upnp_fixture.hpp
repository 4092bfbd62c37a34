// The captured UPnP descriptions and SOAP bodies of shared/fixtures/upnp, for the IGD parser tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace bw::test {

inline std::string upnp_fixture(const std::string& name) {
  std::ifstream in(std::string(BOXWARDEN_FIXTURES) + "/upnp/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace bw::test
