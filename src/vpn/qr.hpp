// QR codes of client configurations, for the WireGuard phone apps ("scan from QR code"):
// encoded by libqrencode (byte mode, error correction level L, the smallest version that
// holds the text), shown on a terminal with UTF-8 half blocks and written as a PNG.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bw::vpn {

class QrMatrix {
 public:
  QrMatrix(int width, std::vector<uint8_t> dark) : m_width(width), m_dark(std::move(dark)) {}
  int width() const { return m_width; }
  // True for a dark module; false outside the symbol (the quiet zone is light).
  bool dark(int x, int y) const {
    return x >= 0 && y >= 0 && x < m_width && y < m_width && m_dark[size_t(y) * size_t(m_width) + size_t(x)] != 0;
  }

 private:
  int m_width;
  std::vector<uint8_t> m_dark;
};

// Throws Error(usage) when the text does not fit in a QR code.
QrMatrix qr_encode(std::string_view text);

// How a terminal shows the code. Both print light modules as filled blocks, so a terminal
// with light text on a dark background shows dark modules dark. `colors` also sets white
// text on a black background (ANSI), which gives the right code on any terminal.
enum class QrStyle { plain, colors };

// Two module rows per text line (U+2580, U+2584, U+2588 and space), with a light border
// (4 modules, or 2 when that keeps the code within 80 columns).
std::string qr_terminal(const QrMatrix& qr, QrStyle style);

// A PNG file's bytes: 1-bit greyscale, `scale` pixels per module, a 4-module light border.
std::string qr_png(const QrMatrix& qr, int scale = 8);

}  // namespace bw::vpn
