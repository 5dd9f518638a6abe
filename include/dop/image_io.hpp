#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "dop/metadata.hpp"

namespace dop {

/// The values of a float file's samples that pixels' 0 and 1 stand for.
struct SampleRange {
  double low = 0.0;
  double high = 1.0;
  bool is_unit() const { return low == 0.0 && high == 1.0; }
};

/// An image as the method sees it, plus what is needed to write it back faithfully.
struct Image {
  /// C×H×W float32 in [0, 1]; C = 1 (gray) or 3 (R, G, B in that order).
  at::Tensor pixels;
  /// [0, 1] unless the file holds float samples beyond it (scientific data, linear HDR):
  /// then the least and greatest finite sample, mapped onto [0, 1] for the method and
  /// back by save_image when it writes float samples.
  SampleRange range;
  /// 1×H×W float32 in [0, 1], or undefined when the file has no alpha channel.
  at::Tensor alpha;
  /// Bits per sample of the file it came from: 8, 16 or 32 (floating point).
  int bit_depth = 8;
  /// EXIF, IPTC, XMP, ICC profile, comment and resolution of the file, written back by
  /// save_image unless told not to.
  Metadata metadata;
  /// What the reader found worth telling the user and read anyway (a damaged EXIF block,
  /// an animated PNG of which only the first frame is used, the first page of several).
  std::vector<std::string> warnings;

  int64_t channels() const { return pixels.size(0); }
  int64_t height() const { return pixels.size(1); }
  int64_t width() const { return pixels.size(2); }
};

/// Reads any image OpenCV can decode (PNG, TIFF, JPEG, WebP, BMP, PNM, ...): gray, gray +
/// alpha, RGB, RGBA, palette (with transparency: RGBA), CMYK JPEG (as RGB); 8- or 16-bit
/// integer or 32/64-bit float samples (floats in any range: see Image::range; NaN becomes
/// the least value, infinities the nearest bound); the metadata too.
/// The pixels are the file's as stored: an EXIF orientation is kept as a tag, not applied.
/// The first page of a multi-page TIFF and the default image of an animated PNG are read,
/// with a warning; GIF and animated WebP are refused. Throws dop::InputError naming the
/// file and the problem.
Image load_image(const std::filesystem::path& path);

/// load_image for bytes already in memory (the contents of a file); `name` is the file
/// named in error messages.
Image decode_image(const std::vector<char>& bytes, const std::filesystem::path& name);

/// How save_image writes.
struct SaveOptions {
  /// Bits per sample: 8, 16, 32 (float), or 0 = the image's own bit_depth. A format that
  /// cannot hold the depth gets the nearest it can (see SaveReport).
  int bit_depth = 0;
  /// Replace an existing file (never done silently otherwise).
  bool overwrite = false;
  /// JPEG and WebP quality, 1-100 (100: WebP lossless).
  int quality = 95;
  /// PNG zlib level, 0 (none, fastest) to 9 (smallest).
  int png_compression = 6;
  /// Write the image's metadata (Image::metadata) into the file.
  bool keep_metadata = true;
};

/// What save_image actually wrote.
struct SaveReport {
  int bit_depth = 8;
  /// The image had alpha but the format cannot store it (e.g. JPEG).
  bool alpha_dropped = false;
  /// The encoder settings used: quality for JPEG/WebP, zlib level for PNG (-1: none).
  int quality = -1;
  int png_compression = -1;
  /// What was carried over, as Metadata::describe() says it ("none" when nothing).
  std::string metadata = "none";
  /// What of the metadata the output could not hold or did not fit it.
  std::vector<std::string> notes;
};

/// Largest image load_image accepts, in pixels (width × height); default 2^28 (268 M,
/// e.g. 16384 × 16384). Bigger files (decompression bombs among them) are refused with a
/// dop::InputError before their pixels are decoded where the format allows. Set it once,
/// before the first load_image: OpenCV reads its own limit once per process.
void set_max_image_pixels(uint64_t pixels);
uint64_t max_image_pixels();

/// A C×H×W float image resampled to `height`×`width` by pixel-area averaging (OpenCV's
/// INTER_AREA: no ringing or aliasing when shrinking), values kept in [0, 1].
at::Tensor resize_area(const at::Tensor& chw, int64_t height, int64_t width);

/// The image's pixels on another image's range (Image::range): the same file values, so
/// that two images read from float files of different ranges can be compared.
at::Tensor pixels_on_range(const Image& image, const SampleRange& range);

/// Writes an image; the format follows the file extension. The data goes to a temporary
/// file in the same folder, which is renamed over `path` only when complete, so `path`
/// never holds a partial image. Throws dop::OutputError naming the file and the problem.
SaveReport save_image(const std::filesystem::path& path, const Image& image,
                      const SaveOptions& options = {});

/// Checks, before any work is done, that save_image(path, ..., overwrite) can succeed:
/// a known image extension, an existing writable folder, and no existing file unless
/// `overwrite`. Throws dop::OutputError otherwise.
void check_image_output(const std::filesystem::path& path, bool overwrite);

}  // namespace dop
