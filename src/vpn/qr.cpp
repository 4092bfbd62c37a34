#include "vpn/qr.hpp"

#include <cerrno>
#include <memory>

#include <qrencode.h>
#include <zlib.h>

#include "core/error.hpp"

namespace bw::vpn {

namespace {

struct QrFree {
  void operator()(QRcode* q) const { QRcode_free(q); }
};

void put_u32(std::string& out, uint32_t v) {
  out += static_cast<char>((v >> 24) & 255);
  out += static_cast<char>((v >> 16) & 255);
  out += static_cast<char>((v >> 8) & 255);
  out += static_cast<char>(v & 255);
}

// One PNG chunk: length, type, data, CRC-32 of type and data.
void put_chunk(std::string& out, const char* type, const std::string& data) {
  put_u32(out, static_cast<uint32_t>(data.size()));
  std::string body = std::string(type, 4) + data;
  out += body;
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
  put_u32(out, static_cast<uint32_t>(crc));
}

}  // namespace

QrMatrix qr_encode(std::string_view text) {
  std::unique_ptr<QRcode, QrFree> q(QRcode_encodeData(static_cast<int>(text.size()),
                                                      reinterpret_cast<const unsigned char*>(text.data()), 0,
                                                      QR_ECLEVEL_L));
  if (!q) {
    throw Error(ErrorKind::usage, errno == ERANGE ? "the configuration is too long for a QR code"
                                                  : "libqrencode could not make the QR code");
  }
  std::vector<uint8_t> dark(size_t(q->width) * size_t(q->width));
  for (size_t i = 0; i < dark.size(); ++i) {
    dark[i] = q->data[i] & 1;  // bit 0: dark module; the other bits say what kind it is
  }
  return QrMatrix(q->width, std::move(dark));
}

std::string qr_terminal(const QrMatrix& qr, QrStyle style) {
  const int quiet = qr.width() + 8 <= 80 ? 4 : 2;
  const int lo = -quiet;
  const int hi = qr.width() + quiet;  // exclusive
  const char* on = style == QrStyle::colors ? "\033[97;40m" : "";
  const char* off = style == QrStyle::colors ? "\033[0m" : "";
  std::string out;
  for (int y = lo; y < hi; y += 2) {
    out += on;
    for (int x = lo; x < hi; ++x) {
      bool top = !qr.dark(x, y);
      bool bottom = y + 1 < hi ? !qr.dark(x, y + 1) : false;
      out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
    }
    out += off;
    out += "\n";
  }
  return out;
}

std::string qr_png(const QrMatrix& qr, int scale) {
  const int quiet = 4;
  const uint32_t side = uint32_t(qr.width() + 2 * quiet) * uint32_t(scale);
  const size_t row_bytes = (side + 7) / 8;
  std::string raw;
  raw.reserve((row_bytes + 1) * side);
  for (uint32_t py = 0; py < side; ++py) {
    raw += '\0';  // filter type 0 (none)
    int y = int(py) / scale - quiet;
    for (size_t b = 0; b < row_bytes; ++b) {
      unsigned byte = 0;
      for (int bit = 0; bit < 8; ++bit) {
        uint32_t px = uint32_t(b * 8) + uint32_t(bit);
        bool white = px >= side || !qr.dark(int(px) / scale - quiet, y);
        byte |= (white ? 1u : 0u) << (7 - bit);
      }
      raw += static_cast<char>(byte);
    }
  }
  uLongf packed_len = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_len, '\0');
  if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_len, reinterpret_cast<const Bytef*>(raw.data()),
                static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION) != Z_OK) {
    throw Error(ErrorKind::usage, "zlib could not compress the QR code image");
  }
  packed.resize(packed_len);

  std::string png("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr;
  put_u32(ihdr, side);
  put_u32(ihdr, side);
  ihdr += '\x01';  // bit depth 1
  ihdr += '\x00';  // colour type 0: greyscale
  ihdr += '\x00';  // compression: deflate
  ihdr += '\x00';  // filter method 0
  ihdr += '\x00';  // no interlace
  put_chunk(png, "IHDR", ihdr);
  put_chunk(png, "IDAT", packed);
  put_chunk(png, "IEND", "");
  return png;
}

}  // namespace bw::vpn
