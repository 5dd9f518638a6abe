// A minimal PNG writer for the tests: files OpenCV will not write (palette images, with or
// without transparency; headers that promise more pixels than the data holds) and chunks
// to put into files it does write.
#pragma once

#include <cstdint>
#include <string>

namespace dop::test {

inline uint32_t crc32(const std::string& data) {
  uint32_t c = 0xffffffffu;
  for (unsigned char b : data) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return ~c;
}

inline std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

inline std::string chunk(const std::string& type, const std::string& data) {
  return be32(static_cast<uint32_t>(data.size())) + type + data + be32(crc32(type + data));
}

// zlib stream of one stored (uncompressed) block.
inline std::string zlib_stored(const std::string& raw) {
  uint32_t a = 1, b = 0;
  for (unsigned char c : raw) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  const auto n = static_cast<uint16_t>(raw.size());
  std::string z = "\x78\x01";
  z += '\x01';
  z += static_cast<char>(n & 0xff);
  z += static_cast<char>(n >> 8);
  z += static_cast<char>(~n & 0xff);
  z += static_cast<char>((~n >> 8) & 0xff);
  return z + raw + be32((b << 16) | a);
}

// `extra`: chunks (made with chunk()) to put before the image data, e.g. tRNS.
inline std::string png(uint32_t width, uint32_t height, char color_type, const std::string& plte,
                       const std::string& raw_rows, const std::string& extra = "") {
  std::string ihdr = be32(width) + be32(height) + std::string{'\x08', color_type, 0, 0, 0};
  std::string out = "\x89PNG\r\n\x1a\n";
  out += chunk("IHDR", ihdr);
  if (!plte.empty()) out += chunk("PLTE", plte);
  out += extra;
  if (!raw_rows.empty()) out += chunk("IDAT", zlib_stored(raw_rows));
  return out + chunk("IEND", "");
}

}  // namespace dop::test
