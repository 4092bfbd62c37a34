// Hostile text from the box must never reach a terminal as control sequences, and must
// always make valid JSON.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/text.hpp"

namespace bw {
namespace {

TEST(CoreText, EscapesTerminalControls) {
  EXPECT_EQ(printable("a\x1b[31mb"), "a\\x1b[31mb");
  EXPECT_EQ(printable("line1\nline2\r\t"), "line1\\nline2\\r\\t");
  EXPECT_EQ(printable(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(printable("\x7f"), "\\x7f");
  EXPECT_EQ(printable("\xc2\x9b" "31m"), "\\xc2\\x9b31m");  // C1 CSI
}

TEST(CoreText, KeepsValidUtf8AndEscapesInvalid) {
  EXPECT_EQ(printable("Cabinet médical"), "Cabinet médical");
  EXPECT_EQ(printable("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(printable("\xe2\x82"), "\\xe2\\x82");  // truncated sequence
  EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf");  // overlong
}

TEST(CoreText, Truncates) {
  EXPECT_EQ(printable(std::string(100, 'x'), 10), std::string(10, 'x') + "...");
}

TEST(CoreText, ValidUtf8MakesParsableJson) {
  std::string hostile = std::string("<b>\x1b[2J\xff\x00\xc3", 9);
  nlohmann::json j = {{"d", valid_utf8(hostile)}};
  std::string dumped = j.dump();
  EXPECT_NO_THROW(nlohmann::json::parse(dumped));
  EXPECT_EQ(dumped.find('\x1b'), std::string::npos);
}

TEST(CoreText, ValidUtf8ClipKeepsTheBoundAfterRepair) {
  // 256 invalid bytes become 256 U+FFFD (768 bytes) before the cut: found by fuzz_openwrt.
  std::string hostile(256, '\xb6');
  std::string clipped = valid_utf8_clip(hostile, 256);
  EXPECT_LE(clipped.size(), 256u);
  EXPECT_EQ(clipped, valid_utf8(clipped));  // still valid: cut between characters
  EXPECT_EQ(clipped.size(), 255u);          // 85 whole U+FFFD
  EXPECT_EQ(valid_utf8_clip("caf\xc3\xa9 ok", 4), "caf");  // never half of the é
  EXPECT_EQ(valid_utf8_clip("short", 64), "short");
  EXPECT_EQ(valid_utf8_clip("", 0), "");
}

}  // namespace
}  // namespace bw
