#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dop {

/// How many pixels an image has per unit of length (its DPI, for print and scans).
struct Resolution {
  enum class Unit {
    kNone,        ///< only the pixels' aspect ratio is known
    kInch,        ///< pixels per inch
    kCentimetre,  ///< pixels per centimetre
  };
  double x = 0.0;
  double y = 0.0;
  Unit unit = Unit::kNone;

  bool defined() const { return x > 0.0 && y > 0.0; }
};

/// What an image file carries besides its pixels: EXIF (every tag, orientation included;
/// the tags that describe the file's own pixel layout and the embedded thumbnail are left
/// out, as they describe the input file, not the image), IPTC, XMP, the ICC colour profile,
/// the comment and the resolution. Read and written with Exiv2, plus the PNG `pHYs` chunk
/// and the JPEG JFIF density for the resolution.
class Metadata {
 public:
  Metadata();
  ~Metadata();
  Metadata(const Metadata&);
  Metadata& operator=(const Metadata&);

  /// Nothing to carry.
  bool empty() const;
  /// EXIF tags carried.
  int exif_count() const;
  /// EXIF orientation (1-8), 0 when the file has none.
  int orientation() const;
  bool has_iptc() const;
  bool has_xmp() const;
  bool has_comment() const;
  /// Size in bytes of the ICC profile, 0 without one.
  size_t icc_size() const;
  /// The ICC profile's colour space: "RGB", "GRAY", "CMYK", ... ("" without a profile).
  std::string icc_colour_space() const;
  Resolution resolution() const;
  /// One line for logs: "EXIF (42 tags, orientation 6), XMP, ICC profile (RGB), 300×300 dpi".
  std::string describe() const;

  struct Data;

 private:
  std::unique_ptr<Data> data_;
  friend Metadata read_metadata(const std::vector<char>&, std::vector<std::string>&);
  friend std::vector<unsigned char> embed_metadata(std::vector<unsigned char>, const std::string&,
                                                   const Metadata&, int, int, int,
                                                   std::vector<std::string>&);
};

/// Reads the metadata of a file's bytes (any format Exiv2 knows; the resolution also from
/// PNG and JPEG headers). Never throws: what cannot be read (a damaged EXIF block, an
/// unknown format) is left out and said in `warnings`.
Metadata read_metadata(const std::vector<char>& bytes, std::vector<std::string>& warnings);

/// Embeds `metadata` into an encoded image of format `ext` (".png", ".jpg", ...) of
/// width × height pixels with `channels` channels (1 gray, 3 RGB, 4 RGBA) and returns the
/// new bytes. A TIFF's resolution is not written here: save_image gives it to the encoder.
/// What the format cannot hold, or what does not fit the image (an ICC profile of another
/// colour space), is left out and named in `notes`; so is a failure to read the encoded
/// image back, which leaves it without metadata. Never throws.
std::vector<unsigned char> embed_metadata(std::vector<unsigned char> encoded,
                                          const std::string& ext, const Metadata& metadata,
                                          int width, int height, int channels,
                                          std::vector<std::string>& notes);

}  // namespace dop
