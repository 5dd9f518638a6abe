// Reading and writing the integers of file headers (PNG, TIFF, JPEG, RIFF), shared by the
// image reader's container checks and the metadata code. Internal to dop_io.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

namespace dop::bytes {

inline uint32_t big_endian32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

inline uint32_t little_endian32(const unsigned char* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

inline uint32_t read32(const unsigned char* p, bool big_endian) {
  return big_endian ? big_endian32(p) : little_endian32(p);
}

inline void put_big_endian32(unsigned char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (24 - 8 * i));
}

// The low `count` bytes of v, least significant first.
inline void put_little_endian(unsigned char* p, uint32_t v, int count) {
  for (int i = 0; i < count; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

// Whether `text` (without its terminating zero) stands in `data` at offset `at`.
template <typename Byte>
bool starts_with(const std::vector<Byte>& data, size_t at, const char* text) {
  const size_t n = std::strlen(text);
  return data.size() >= at + n && std::memcmp(data.data() + at, text, n) == 0;
}

template <typename Byte>
bool is_png(const std::vector<Byte>& data) {
  return starts_with(data, 0, "\x89PNG");
}
template <typename Byte>
bool is_jpeg(const std::vector<Byte>& data) {
  return starts_with(data, 0, "\xFF\xD8");
}
template <typename Byte>
bool is_tiff(const std::vector<Byte>& data) {
  return starts_with(data, 0, "II*") || starts_with(data, 0, "MM");
}

}  // namespace dop::bytes
