// Metadata carried from an input file to the restored one: EXIF, IPTC, XMP, the ICC
// profile and the comment through Exiv2; the resolution also from the headers Exiv2 does
// not model (PNG pHYs, JPEG JFIF density).
#include "dop/metadata.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <mutex>
#include <sstream>
#include <utility>

#include <exiv2/exiv2.hpp>

#include "bytes.hpp"

namespace dop {

struct Metadata::Data {
  Exiv2::ExifData exif;
  Exiv2::IptcData iptc;
  std::string xmp;
  std::string comment;
  std::vector<unsigned char> icc;
  Resolution resolution;
};

namespace {

void init_exiv2() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Exiv2 prints its warnings on stderr; what matters reaches the caller as exceptions.
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    Exiv2::XmpParser::initialize();  // once, before any thread uses XMP
  });
}

const Exiv2::byte* as_bytes(const void* p) { return static_cast<const Exiv2::byte*>(p); }

using bytes::big_endian32;
using bytes::is_jpeg;
using bytes::is_png;
using bytes::little_endian32;
using bytes::put_big_endian32;
using bytes::put_little_endian;

// EXIF tags that describe the input file's own layout (sizes, strips, sample format,
// compression) or that travel in their own place (ICC, XMP, IPTC): the encoder writes
// the output's own, so carrying the input's would contradict it.
bool describes_file_layout(const Exiv2::Exifdatum& datum) {
  static const char* const kKeys[] = {
      "Exif.Image.NewSubfileType",
      "Exif.Image.SubfileType",
      "Exif.Image.ImageWidth",
      "Exif.Image.ImageLength",
      "Exif.Image.BitsPerSample",
      "Exif.Image.Compression",
      "Exif.Image.PhotometricInterpretation",
      "Exif.Image.FillOrder",
      "Exif.Image.StripOffsets",
      "Exif.Image.SamplesPerPixel",
      "Exif.Image.RowsPerStrip",
      "Exif.Image.StripByteCounts",
      "Exif.Image.PlanarConfiguration",
      "Exif.Image.Predictor",
      "Exif.Image.TileWidth",
      "Exif.Image.TileLength",
      "Exif.Image.TileOffsets",
      "Exif.Image.TileByteCounts",
      "Exif.Image.SubIFDs",
      "Exif.Image.ExtraSamples",
      "Exif.Image.SampleFormat",
      "Exif.Image.JPEGInterchangeFormat",
      "Exif.Image.JPEGInterchangeFormatLength",
      "Exif.Image.YCbCrSubSampling",
      "Exif.Image.InterColorProfile",
      "Exif.Image.XMLPacket",
      "Exif.Image.IPTCNAA",
      "Exif.Image.ImageResources",
  };
  const std::string key = datum.key();
  if (datum.groupName().rfind("SubImage", 0) == 0 || datum.groupName() == "Thumbnail") return true;
  return std::any_of(std::begin(kKeys), std::end(kKeys), [&](const char* k) { return key == k; });
}

// PNG pHYs: pixels per metre (unit 1) or an aspect ratio only (unit 0).
Resolution png_resolution(const std::vector<char>& bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t at = 8;
  while (at + 12 <= bytes.size()) {
    const uint32_t length = big_endian32(p + at);
    if (length > bytes.size() - at - 12) break;
    const std::string type(reinterpret_cast<const char*>(p + at + 4), 4);
    if (type == "pHYs" && length == 9) {
      Resolution r;
      r.x = big_endian32(p + at + 8);
      r.y = big_endian32(p + at + 12);
      if (p[at + 16] == 1) {  // pixels per metre, said in dots per inch as people do
        r.unit = Resolution::Unit::kInch;
        r.x *= 0.0254;
        r.y *= 0.0254;
      }
      return r;
    }
    if (type == "IDAT" || type == "IEND") break;
    at += 12 + length;
  }
  return {};
}

// JPEG JFIF APP0 density (the first segment after SOI when present).
Resolution jfif_resolution(const std::vector<char>& bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < 20 || p[2] != 0xFF || p[3] != 0xE0 || std::memcmp(p + 6, "JFIF", 5) != 0) {
    return {};
  }
  Resolution r;
  r.x = (p[14] << 8) | p[15];
  r.y = (p[16] << 8) | p[17];
  r.unit = p[13] == 1   ? Resolution::Unit::kInch
           : p[13] == 2 ? Resolution::Unit::kCentimetre
                        : Resolution::Unit::kNone;
  // 1:1 without a unit is what encoders write when they know nothing.
  if (r.unit == Resolution::Unit::kNone && r.x == r.y) return {};
  return r;
}

double rational(const Exiv2::ExifData& exif, const char* key) {
  const auto it = exif.findKey(Exiv2::ExifKey(key));
  if (it == exif.end() || it->count() == 0) return 0.0;
  const Exiv2::Rational v = it->toRational(0);
  return v.second > 0 ? static_cast<double>(v.first) / v.second : 0.0;
}

Resolution exif_resolution(const Exiv2::ExifData& exif) {
  Resolution r;
  r.x = rational(exif, "Exif.Image.XResolution");
  r.y = rational(exif, "Exif.Image.YResolution");
  if (!r.defined()) return {};
  const auto unit = exif.findKey(Exiv2::ExifKey("Exif.Image.ResolutionUnit"));
  const long u = unit == exif.end() ? 2 : unit->toLong(0);  // TIFF's default is inches
  r.unit = u == 2   ? Resolution::Unit::kInch
           : u == 3 ? Resolution::Unit::kCentimetre
                    : Resolution::Unit::kNone;
  return r;
}

std::string icc_space(const std::vector<unsigned char>& icc) {
  if (icc.size() < 20) return "";
  std::string s(reinterpret_cast<const char*>(icc.data() + 16), 4);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// The ICC colour space an image of `channels` colour channels needs.
bool icc_fits(const std::string& space, int channels) {
  return channels <= 2 ? space == "GRAY" : space == "RGB";
}

// Puts a chunk right after IHDR (8-byte signature + 25-byte IHDR); chunks of the same type
// already there go.
std::vector<unsigned char> insert_png_chunk(const std::vector<unsigned char>& png,
                                            const char type[4],
                                            const std::vector<unsigned char>& payload) {
  std::vector<unsigned char> out(png.begin(), png.begin() + 33);
  std::vector<unsigned char> chunk(12 + payload.size());
  put_big_endian32(chunk.data(), static_cast<uint32_t>(payload.size()));
  std::memcpy(chunk.data() + 4, type, 4);
  std::copy(payload.begin(), payload.end(), chunk.begin() + 8);
  put_big_endian32(
      chunk.data() + 8 + payload.size(),
      static_cast<uint32_t>(crc32(0, chunk.data() + 4, static_cast<uInt>(4 + payload.size()))));
  out.insert(out.end(), chunk.begin(), chunk.end());
  size_t at = 33;
  while (at + 12 <= png.size()) {
    const size_t length = big_endian32(png.data() + at);
    const size_t end = std::min(png.size(), at + 12 + length);
    if (std::memcmp(png.data() + at + 4, type, 4) != 0) {
      out.insert(out.end(), png.begin() + at, png.begin() + end);
    }
    at = end;
  }
  return out;
}

// PNG pHYs: pixels per metre (unit 1), or only the aspect ratio (unit 0).
std::vector<unsigned char> png_phys(const Resolution& r) {
  std::vector<unsigned char> payload(9);
  const double scale = r.unit == Resolution::Unit::kInch         ? 1.0 / 0.0254
                       : r.unit == Resolution::Unit::kCentimetre ? 100.0
                                                                 : 1.0;
  put_big_endian32(payload.data(), static_cast<uint32_t>(std::lround(r.x * scale)));
  put_big_endian32(payload.data() + 4, static_cast<uint32_t>(std::lround(r.y * scale)));
  payload[8] = r.unit != Resolution::Unit::kNone ? 1 : 0;
  return payload;
}

void patch_jfif_density(std::vector<unsigned char>& jpeg, const Resolution& r) {
  if (jpeg.size() < 20 || jpeg[2] != 0xFF || jpeg[3] != 0xE0 ||
      std::memcmp(jpeg.data() + 6, "JFIF", 5) != 0) {
    return;
  }
  const auto clamp16 = [](double v) {
    return static_cast<unsigned>(std::clamp<long>(std::lround(v), 1, 65535));
  };
  const unsigned x = clamp16(r.x);
  const unsigned y = clamp16(r.y);
  jpeg[13] = r.unit == Resolution::Unit::kInch         ? 1
             : r.unit == Resolution::Unit::kCentimetre ? 2
                                                       : 0;
  jpeg[14] = static_cast<unsigned char>(x >> 8);
  jpeg[15] = static_cast<unsigned char>(x);
  jpeg[16] = static_cast<unsigned char>(y >> 8);
  jpeg[17] = static_cast<unsigned char>(y);
}

// Puts an ICCP chunk into a WebP file (Exiv2 0.27 writes it under a wrong chunk name):
// right after the VP8X header, which is made when the file is a simple one, with the ICC
// flag set.
std::vector<unsigned char> insert_webp_icc(const std::vector<unsigned char>& webp,
                                           const std::vector<unsigned char>& icc, int width,
                                           int height, bool alpha) {
  std::vector<unsigned char> chunks;  // every chunk after the VP8X header, in order
  std::vector<unsigned char> vp8x;
  size_t at = 12;
  while (at + 8 <= webp.size()) {
    const size_t size = little_endian32(webp.data() + at + 4);
    const size_t end = std::min(webp.size(), at + 8 + size + (size & 1));
    if (std::memcmp(webp.data() + at, "VP8X", 4) == 0) {
      vp8x.assign(webp.begin() + at, webp.begin() + end);
    } else if (std::memcmp(webp.data() + at, "ICCP", 4) != 0) {
      chunks.insert(chunks.end(), webp.begin() + at, webp.begin() + end);
    }
    at = end;
  }
  if (vp8x.size() != 18) {
    vp8x.assign(18, 0);
    std::memcpy(vp8x.data(), "VP8X", 4);
    put_little_endian(vp8x.data() + 4, 10, 4);
    put_little_endian(vp8x.data() + 12, static_cast<uint32_t>(width - 1), 3);
    put_little_endian(vp8x.data() + 15, static_cast<uint32_t>(height - 1), 3);
    if (alpha) vp8x[8] |= 0x10;
  }
  vp8x[8] |= 0x20;  // ICC profile
  std::vector<unsigned char> out(webp.begin(), webp.begin() + 12);
  out.insert(out.end(), vp8x.begin(), vp8x.end());
  unsigned char header[8];
  std::memcpy(header, "ICCP", 4);
  put_little_endian(header + 4, static_cast<uint32_t>(icc.size()), 4);
  out.insert(out.end(), header, header + 8);
  out.insert(out.end(), icc.begin(), icc.end());
  if (icc.size() & 1) out.push_back(0);
  out.insert(out.end(), chunks.begin(), chunks.end());
  put_little_endian(out.data() + 4, static_cast<uint32_t>(out.size() - 8), 4);
  return out;
}

void set_exif_resolution(Exiv2::ExifData& exif, const Resolution& r) {
  const auto as_rational = [](double v) {
    return Exiv2::URational(static_cast<uint32_t>(std::lround(v * 1000.0)), 1000);
  };
  exif["Exif.Image.XResolution"] = as_rational(r.x);
  exif["Exif.Image.YResolution"] = as_rational(r.y);
  exif["Exif.Image.ResolutionUnit"] = uint16_t(r.unit == Resolution::Unit::kInch         ? 2
                                               : r.unit == Resolution::Unit::kCentimetre ? 3
                                                                                         : 1);
}

bool writable(const Exiv2::Image& image, Exiv2::MetadataId id) {
  const Exiv2::AccessMode mode = image.checkMode(id);
  return mode == Exiv2::amWrite || mode == Exiv2::amReadWrite;
}

// Exiv2 0.27 does not list ICC profiles in its access modes; these formats hold one.
bool holds_icc(const std::string& ext) {
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".jpe" || ext == ".tif" ||
         ext == ".tiff";
}

}  // namespace

Metadata::Metadata() : data_(std::make_unique<Data>()) {}
Metadata::~Metadata() = default;
Metadata::Metadata(const Metadata& other) : data_(std::make_unique<Data>(*other.data_)) {}
Metadata& Metadata::operator=(const Metadata& other) {
  if (this != &other) *data_ = *other.data_;
  return *this;
}

bool Metadata::empty() const {
  return data_->exif.empty() && data_->iptc.empty() && data_->xmp.empty() &&
         data_->comment.empty() && data_->icc.empty() && !data_->resolution.defined();
}
int Metadata::exif_count() const { return static_cast<int>(data_->exif.count()); }
int Metadata::orientation() const {
  const auto it = data_->exif.findKey(Exiv2::ExifKey("Exif.Image.Orientation"));
  return it == data_->exif.end() || it->count() == 0 ? 0 : static_cast<int>(it->toLong(0));
}
bool Metadata::has_iptc() const { return !data_->iptc.empty(); }
bool Metadata::has_xmp() const { return !data_->xmp.empty(); }
bool Metadata::has_comment() const { return !data_->comment.empty(); }
size_t Metadata::icc_size() const { return data_->icc.size(); }
std::string Metadata::icc_colour_space() const { return icc_space(data_->icc); }
Resolution Metadata::resolution() const { return data_->resolution; }

std::string Metadata::describe() const {
  std::vector<std::string> parts;
  if (exif_count() > 0) {
    std::string s = "EXIF (" + std::to_string(exif_count()) + " tags";
    if (orientation() != 0) s += ", orientation " + std::to_string(orientation());
    parts.push_back(s + ")");
  }
  if (has_iptc()) parts.emplace_back("IPTC");
  if (has_xmp()) parts.emplace_back("XMP");
  if (icc_size() > 0) parts.push_back("ICC profile (" + icc_colour_space() + ")");
  if (has_comment()) parts.emplace_back("comment");
  const Resolution r = resolution();
  if (r.defined()) {
    std::ostringstream s;
    s << std::setprecision(4) << r.x;
    if (std::abs(r.y - r.x) > 1e-3 * r.x) s << "×" << r.y;
    s << (r.unit == Resolution::Unit::kInch         ? " dpi"
          : r.unit == Resolution::Unit::kCentimetre ? " pixels/cm"
                                                    : " (aspect only)");
    parts.push_back(s.str());
  }
  if (parts.empty()) return "none";
  std::string out = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) out += ", " + parts[i];
  return out;
}

Metadata read_metadata(const std::vector<char>& bytes, std::vector<std::string>& warnings) {
  init_exiv2();
  Metadata metadata;
  Metadata::Data& d = *metadata.data_;
  try {
    auto image = Exiv2::ImageFactory::open(as_bytes(bytes.data()), static_cast<long>(bytes.size()));
    if (image.get() == nullptr) return metadata;
    image->readMetadata();
    for (const auto& datum : image->exifData()) {
      if (!describes_file_layout(datum)) d.exif.add(datum);
    }
    d.iptc = image->iptcData();
    d.xmp = image->xmpPacket();
    d.comment = image->comment();
    if (image->iccProfileDefined()) {
      const Exiv2::DataBuf* icc = image->iccProfile();
      d.icc.assign(icc->pData_, icc->pData_ + icc->size_);
    }
  } catch (const Exiv2::AnyError& e) {
    // Unknown formats are not an error: they simply carry nothing Exiv2 can read.
    if (e.code() != Exiv2::kerFileContainsUnknownImageType &&
        e.code() != Exiv2::kerMemoryContainsUnknownImageType) {
      warnings.push_back(std::string("metadata not read (") + e.what() +
                         "); the image is restored without it");
    }
    d.exif.clear();
    d.iptc.clear();
    d.xmp.clear();
    d.comment.clear();
    d.icc.clear();
  }
  d.resolution = exif_resolution(d.exif);
  if (!d.resolution.defined() && is_png(bytes)) d.resolution = png_resolution(bytes);
  if (!d.resolution.defined() && is_jpeg(bytes)) d.resolution = jfif_resolution(bytes);
  return metadata;
}

std::vector<unsigned char> embed_metadata(std::vector<unsigned char> encoded,
                                          const std::string& ext, const Metadata& metadata,
                                          int width, int height, int channels,
                                          std::vector<std::string>& notes) {
  if (metadata.empty()) return encoded;
  init_exiv2();
  const Metadata::Data& d = *metadata.data_;
  const bool png = ext == ".png";
  const bool jpeg = ext == ".jpg" || ext == ".jpeg" || ext == ".jpe";
  const bool tiff = ext == ".tif" || ext == ".tiff";
  const bool webp = ext == ".webp";
  bool webp_icc = false;
  std::vector<unsigned char> png_exif;
  try {
    auto image =
        Exiv2::ImageFactory::open(as_bytes(encoded.data()), static_cast<long>(encoded.size()));
    if (image.get() == nullptr) throw Exiv2::Error(Exiv2::kerFileContainsUnknownImageType);
    image->readMetadata();
    std::vector<std::string> dropped;

    Exiv2::ExifData exif = d.exif;
    // (A TIFF gets its resolution from the encoder: Exiv2 keeps a TIFF's own image tags.)
    if (d.resolution.defined() && !png && !jpeg && !tiff) set_exif_resolution(exif, d.resolution);
    if (jpeg && d.resolution.defined() &&
        exif.findKey(Exiv2::ExifKey("Exif.Image.XResolution")) == exif.end() && !exif.empty()) {
      set_exif_resolution(exif, d.resolution);
    }
    if (!exif.empty() && png) {
      // PNG's own EXIF chunk (eXIf), which browsers and viewers read; Exiv2 0.27 would
      // write a text chunk of ImageMagick's instead.
      Exiv2::Blob blob;
      Exiv2::ExifParser::encode(blob, Exiv2::littleEndian, exif);
      png_exif.assign(blob.begin(), blob.end());
    } else if (!exif.empty()) {
      if (writable(*image, Exiv2::mdExif)) {
        // Keep the encoder's own layout tags (a TIFF's strips) and add the carried ones.
        Exiv2::ExifData merged = image->exifData();
        for (const auto& datum : exif) merged[datum.key()] = datum.value();
        image->setExifData(merged);
      } else if (!d.exif.empty()) {
        dropped.emplace_back("EXIF");
      }
    }
    if (!d.iptc.empty()) {
      if (writable(*image, Exiv2::mdIptc))
        image->setIptcData(d.iptc);
      else
        dropped.emplace_back("IPTC");
    }
    if (!d.xmp.empty()) {
      if (writable(*image, Exiv2::mdXmp)) {
        image->setXmpPacket(d.xmp);
        image->writeXmpFromPacket(true);
      } else {
        dropped.emplace_back("XMP");
      }
    }
    if (!d.comment.empty()) {
      if (writable(*image, Exiv2::mdComment))
        image->setComment(d.comment);
      else
        dropped.emplace_back("the comment");
    }
    if (!d.icc.empty()) {
      const std::string space = icc_space(d.icc);
      if (!icc_fits(space, channels)) {
        notes.push_back("the " + (space.empty() ? std::string("unreadable") : space) +
                        " ICC profile was not written: it does not describe the " +
                        (channels <= 2 ? "gray" : "RGB") + " output");
      } else if (webp) {
        webp_icc = true;
      } else if (holds_icc(ext)) {
        Exiv2::DataBuf icc(as_bytes(d.icc.data()), static_cast<long>(d.icc.size()));
        image->setIccProfile(icc, false);
      } else {
        dropped.emplace_back("the ICC profile");
      }
    }
    if (!dropped.empty()) {
      std::string list = dropped[0];
      for (size_t i = 1; i < dropped.size(); ++i) {
        list += (i + 1 == dropped.size() ? " and " : ", ") + dropped[i];
      }
      notes.push_back(list + " not written: " + ext + " files cannot hold " +
                      (dropped.size() == 1 ? "it" : "them"));
    }
    image->writeMetadata();
    Exiv2::BasicIo& io = image->io();
    io.seek(0, Exiv2::BasicIo::beg);
    const Exiv2::DataBuf out = io.read(static_cast<long>(io.size()));
    encoded.assign(out.pData_, out.pData_ + out.size_);
  } catch (const Exiv2::AnyError& e) {
    notes.push_back(std::string("metadata not written (") + e.what() + ")");
  }
  if (!png_exif.empty()) encoded = insert_png_chunk(encoded, "eXIf", png_exif);
  if (webp_icc) encoded = insert_webp_icc(encoded, d.icc, width, height, channels == 4);
  if (d.resolution.defined()) {
    if (png) encoded = insert_png_chunk(encoded, "pHYs", png_phys(d.resolution));
    if (jpeg) patch_jfif_density(encoded, d.resolution);
  }
  return encoded;
}

}  // namespace dop
