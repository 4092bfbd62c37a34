// Tolerant getters for what boxes send (core/json_get.hpp).
#include <gtest/gtest.h>

#include "core/json_get.hpp"

namespace bw {
namespace {

using nlohmann::json;

TEST(JsonGet, MissingOrOtherTypesAreNotGiven) {
  json j = {{"s", "text"}, {"n", 7}, {"b", true}, {"z", nullptr}, {"o", json::object()}};
  EXPECT_EQ(json_string(j, "s"), "text");
  EXPECT_EQ(json_string(j, "n"), "");
  EXPECT_EQ(json_string(j, "missing"), "");
  EXPECT_EQ(json_string(json::array(), "s"), "");
  EXPECT_FALSE(json_bool(j, "s"));
  EXPECT_FALSE(json_int(j, "z"));
  EXPECT_FALSE(json_int(j, "o"));
}

TEST(JsonGet, BoxesSendNumbersAsStringsAndFlagsAsNumbers) {
  json j = {{"port", " 443 "}, {"neg", "-2"}, {"bad", "44x"}, {"empty", ""}, {"on", 1}, {"off", 0}};
  EXPECT_EQ(json_int(j, "port"), 443);
  EXPECT_EQ(json_int(j, "neg"), -2);
  EXPECT_FALSE(json_int(j, "bad"));
  EXPECT_FALSE(json_int(j, "empty"));
  EXPECT_EQ(json_bool(j, "on"), true);
  EXPECT_EQ(json_bool(j, "off"), false);
}

TEST(JsonGet, AnUnsignedTooBigForAnIntegerIsNotWrapped) {
  json j = json::parse(R"({"big": 18446744073709551615, "max": 9223372036854775807})");
  EXPECT_FALSE(json_int(j, "big"));  // would have wrapped to -1
  EXPECT_EQ(json_int(j, "max"), INT64_MAX);
}

}  // namespace
}  // namespace bw
