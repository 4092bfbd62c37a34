// QR codes: the terminal rendering and the PNG show exactly libqrencode's modules, and a
// real decoder (zbarimg, when installed) reads the configuration text back from the PNG.
#include <gtest/gtest.h>

#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "tests/unit/skip_or_fail.hpp"
#include "vpn/qr.hpp"

namespace bw::vpn {
namespace {

const std::string k_text =
    "# doctor: boxwarden VPN to 192.168.1.0/24\n[Interface]\n"
    "PrivateKey = oK56DE9Ue9zK76rAc8pBl6opph+1v36lm7cXXsQKrQM=\nAddress = 10.253.0.2/32\n\n[Peer]\n"
    "PublicKey = GtL7fZc/bLnqZldpVofMCD6hDjrK28SsdLxevJ+qtKU=\n"
    "PresharedKey = /UwcSPg38hW/D9Y3tcS1FOV0K1wuURMbS0sesJEP5ak=\n"
    "Endpoint = 11.22.33.44:51820\nAllowedIPs = 10.253.0.0/24, 192.168.1.0/24\nPersistentKeepalive = 25\n";

uint32_t be32(const std::string& s, size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) |
         (uint32_t(uint8_t(s[at + 2])) << 8) | uint32_t(uint8_t(s[at + 3]));
}

TEST(VpnQr, TerminalShowsEveryModule) {
  QrMatrix qr = qr_encode(k_text);
  ASSERT_GT(qr.width(), 21);
  std::string t = qr_terminal(qr, QrStyle::plain);
  int quiet = qr.width() + 8 <= 80 ? 4 : 2;
  int side = qr.width() + 2 * quiet;
  // Read the half blocks back: filled = light (see QrStyle).
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = t.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(t.substr(start, nl - start));
  }
  ASSERT_EQ(int(lines.size()), (side + 1) / 2);
  for (int row = 0; row < int(lines.size()); ++row) {
    const std::string& l = lines[size_t(row)];
    int x = 0;
    for (size_t i = 0; i < l.size(); ++x) {
      bool top_light = false, bottom_light = false;
      if (l[i] == ' ') {
        i += 1;
      } else {
        std::string g = l.substr(i, 3);
        top_light = g == "\u2588" || g == "\u2580";
        bottom_light = g == "\u2588" || g == "\u2584";
        ASSERT_TRUE(top_light || bottom_light) << "unexpected glyph at line " << row;
        i += 3;
      }
      int y = row * 2 - quiet;
      EXPECT_EQ(top_light, !qr.dark(x - quiet, y)) << x << "," << y;
      if (y + 1 < side - quiet) {
        EXPECT_EQ(bottom_light, !qr.dark(x - quiet, y + 1)) << x << "," << y + 1;
      }
    }
    EXPECT_EQ(x, side);
  }
  std::string colored = qr_terminal(qr, QrStyle::colors);
  EXPECT_NE(colored.find("\033[97;40m"), std::string::npos);
  EXPECT_NE(colored.find("\033[0m\n"), std::string::npos);
}

TEST(VpnQr, PngHoldsTheModules) {
  QrMatrix qr = qr_encode(k_text);
  const int scale = 4;
  std::string png = qr_png(qr, scale);
  ASSERT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  ASSERT_EQ(png.substr(12, 4), "IHDR");
  uint32_t side = be32(png, 16);
  EXPECT_EQ(side, uint32_t(qr.width() + 8) * scale);
  EXPECT_EQ(be32(png, 20), side);
  EXPECT_EQ(png[24], 1);  // bit depth
  EXPECT_EQ(png[25], 0);  // greyscale
  // Every chunk's CRC is right, and the IDAT inflates to the modules.
  std::string idat;
  for (size_t at = 8; at < png.size();) {
    uint32_t len = be32(png, at);
    std::string type = png.substr(at + 4, 4);
    std::string body = png.substr(at + 4, 4 + len);
    uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size()));
    EXPECT_EQ(be32(png, at + 8 + len), uint32_t(crc)) << type;
    if (type == "IDAT") {
      idat += png.substr(at + 8, len);
    }
    at += 12 + len;
  }
  size_t row_bytes = (side + 7) / 8;
  std::string raw((row_bytes + 1) * side, '\0');
  uLongf raw_len = raw.size();
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(raw.data()), &raw_len, reinterpret_cast<const Bytef*>(idat.data()),
                       uLong(idat.size())),
            Z_OK);
  ASSERT_EQ(raw_len, raw.size());
  for (uint32_t py = 0; py < side; ++py) {
    ASSERT_EQ(raw[py * (row_bytes + 1)], 0);  // filter none
    for (uint32_t px = 0; px < side; ++px) {
      uint8_t byte = uint8_t(raw[py * (row_bytes + 1) + 1 + px / 8]);
      bool white = (byte >> (7 - px % 8)) & 1;
      ASSERT_EQ(white, !qr.dark(int(px / scale) - 4, int(py / scale) - 4)) << px << "," << py;
    }
  }
}

TEST(VpnQr, DecoderReadsTheConfigBack) {
  if (std::system("command -v zbarimg >/dev/null 2>&1") != 0) {
    BW_SKIP_OR_FAIL_IN_CI("zbarimg (zbar-tools) is not installed");
  }
  auto path = std::filesystem::temp_directory_path() / ("bw_vpn_qr_" + std::to_string(getpid()) + ".png");
  std::ofstream(path, std::ios::binary) << qr_png(qr_encode(k_text));
  std::string cmd = "zbarimg --quiet --raw -Sbinary " + path.string() + " 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  char buf[512];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p.get())) > 0) {
    out.append(buf, n);
  }
  std::filesystem::remove(path);
  // zbarimg ends its output with a newline of its own.
  ASSERT_FALSE(out.empty());
  if (out.size() == k_text.size() + 1 && out.back() == '\n') {
    out.pop_back();
  }
  EXPECT_EQ(out, k_text);
}

TEST(VpnQr, TooLongIsAnError) {
  EXPECT_ANY_THROW(qr_encode(std::string(4000, 'x')));
}

}  // namespace
}  // namespace bw::vpn
