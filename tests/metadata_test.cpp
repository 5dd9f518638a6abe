// Metadata and the formats people have: fixtures are written with Exiv2 (and by hand where
// Exiv2 has no API: PNG pHYs, palette PNG, APNG, CMYK JPEG through libjpeg) and checked
// with Exiv2 after a load_image/save_image round trip.
#include "dop/metadata.hpp"
#include "dop/image_io.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <jpeglib.h>

#include <gtest/gtest.h>
#include <exiv2/exiv2.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "dop/error.hpp"
#include "png_util.hpp"
#include "test_util.hpp"

namespace dop {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<unsigned char>;

Bytes read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& p, const Bytes& b) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// Inserts a chunk (test::chunk) right after IHDR.
Bytes with_png_chunk(const Bytes& png, const std::string& type, const std::string& payload) {
  Bytes out(png.begin(), png.begin() + 33);
  const std::string c = test::chunk(type, payload);
  out.insert(out.end(), c.begin(), c.end());
  out.insert(out.end(), png.begin() + 33, png.end());
  return out;
}

// The payload of the first chunk of a type, empty when there is none.
Bytes find_png_chunk(const Bytes& png, const std::string& type) {
  size_t at = 8;
  while (at + 12 <= png.size()) {
    const uint32_t n =
        (uint32_t{png[at]} << 24) | (png[at + 1] << 16) | (png[at + 2] << 8) | png[at + 3];
    if (std::memcmp(png.data() + at + 4, type.data(), 4) == 0) {
      return Bytes(png.begin() + at + 8, png.begin() + at + 8 + n);
    }
    at += 12 + n;
  }
  return {};
}

// A minimal ICC profile header of a colour space ("RGB ", "GRAY"): enough for Exiv2's
// validity check and for the colour-space test; 132 bytes with an empty tag table.
Bytes icc_profile(const char* space) {
  Bytes icc(132, 0);
  icc[3] = 132;
  std::memcpy(icc.data() + 12, "mntr", 4);
  std::memcpy(icc.data() + 16, space, 4);
  std::memcpy(icc.data() + 20, "XYZ ", 4);
  std::memcpy(icc.data() + 36, "acsp", 4);
  icc[8] = 4;  // version 4
  return icc;
}

void put32le(unsigned char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

// An ICCP chunk in a WebP file that has a VP8X header (Exiv2 0.27 names it wrongly).
void add_webp_icc(const fs::path& file, const Bytes& icc) {
  Bytes webp = read_file(file);
  ASSERT_EQ(std::memcmp(webp.data() + 12, "VP8X", 4), 0);
  webp[20] |= 0x20;
  Bytes chunk = {'I', 'C', 'C', 'P', 0, 0, 0, 0};
  put32le(chunk.data() + 4, static_cast<uint32_t>(icc.size()));
  chunk.insert(chunk.end(), icc.begin(), icc.end());
  webp.insert(webp.begin() + 30, chunk.begin(), chunk.end());
  put32le(webp.data() + 4, static_cast<uint32_t>(webp.size() - 8));
  write_file(file, webp);
}

// Writes the metadata every round trip checks into an existing image file.
void add_metadata(const fs::path& file, const Bytes& icc, bool iptc) {
  auto image = Exiv2::ImageFactory::open(file.string());
  image->readMetadata();
  Exiv2::ExifData exif;
  exif["Exif.Image.Orientation"] = uint16_t(6);
  exif["Exif.Image.Make"] = "DopTestCam";
  exif["Exif.Image.Model"] = "Model 7";
  exif["Exif.Photo.DateTimeOriginal"] = "2024:05:06 07:08:09";
  exif["Exif.GPSInfo.GPSLatitudeRef"] = "N";
  Exiv2::URationalValue lat;
  lat.read("48/1 51/1 2400/100");
  exif["Exif.GPSInfo.GPSLatitude"] = lat;
  // (A TIFF's resolution is one of its image tags, which Exiv2 leaves alone: it comes
  // from the encoder, see tiff_with_dpi.)
  exif["Exif.Image.XResolution"] = Exiv2::URational(300, 1);
  exif["Exif.Image.YResolution"] = Exiv2::URational(300, 1);
  exif["Exif.Image.ResolutionUnit"] = uint16_t(2);
  image->setExifData(exif);
  Exiv2::XmpData xmp;
  xmp["Xmp.dc.title"] = "lang=\"x-default\" A scanned print";
  xmp["Xmp.dc.creator"] = "Somebody";
  image->setXmpData(xmp);
  if (iptc) {
    Exiv2::IptcData data;
    data["Iptc.Application2.Caption"] = "Dust and scratches";
    image->setIptcData(data);
  }
  const bool webp = file.extension() == ".webp";
  Exiv2::DataBuf buf(icc.data(), static_cast<long>(icc.size()));
  if (!webp) image->setIccProfile(buf, true);
  image->writeMetadata();
  if (webp) add_webp_icc(file, icc);
}

struct Found {
  std::string orientation, make, model, date, latitude, title, caption;
  Bytes icc;
  double x_dpi = 0;
};

Found inspect(const fs::path& file) {
  auto image = Exiv2::ImageFactory::open(file.string());
  image->readMetadata();
  Found f;
  const auto& exif = image->exifData();
  const auto text = [&](const char* key) {
    const auto it = exif.findKey(Exiv2::ExifKey(key));
    return it == exif.end() ? std::string() : it->toString();
  };
  f.orientation = text("Exif.Image.Orientation");
  f.make = text("Exif.Image.Make");
  f.model = text("Exif.Image.Model");
  f.date = text("Exif.Photo.DateTimeOriginal");
  f.latitude = text("Exif.GPSInfo.GPSLatitude");
  const auto x = exif.findKey(Exiv2::ExifKey("Exif.Image.XResolution"));
  if (x != exif.end()) f.x_dpi = x->toFloat(0);
  const auto title = image->xmpData().findKey(Exiv2::XmpKey("Xmp.dc.title"));
  if (title != image->xmpData().end()) f.title = title->toString();
  const auto caption = image->iptcData().findKey(Exiv2::IptcKey("Iptc.Application2.Caption"));
  if (caption != image->iptcData().end()) f.caption = caption->toString();
  if (image->iccProfileDefined()) {
    f.icc.assign(image->iccProfile()->pData_,
                 image->iccProfile()->pData_ + image->iccProfile()->size_);
  }
  return f;
}

Image rgb_image(int64_t h = 12, int64_t w = 20) {
  Image im;
  im.pixels = test::smooth_image(3, h, w);
  return im;
}

// A 300-dpi RGB TIFF written by OpenCV (not by the code under test).
void tiff_with_dpi(const fs::path& file) {
  cv::Mat mat(12, 20, CV_8UC3);
  cv::randu(mat, 0, 255);
  ASSERT_TRUE(cv::imwrite(
      file.string(), mat,
      {cv::IMWRITE_TIFF_RESUNIT, 2, cv::IMWRITE_TIFF_XDPI, 300, cv::IMWRITE_TIFF_YDPI, 300}));
}

class MetadataRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(MetadataRoundTrip, KeepsExifOrientationXmpIccAndResolution) {
  const std::string ext = GetParam();
  test::TempDir dir;
  const fs::path in = dir / ("in" + ext);
  const fs::path out = dir / ("out" + ext);
  if (ext == ".tif") {
    tiff_with_dpi(in);
  } else {
    save_image(in, rgb_image());
  }
  const bool iptc = ext != ".webp";  // WebP has no place for IPTC
  add_metadata(in, icc_profile("RGB "), iptc);
  if (ext == ".png") {  // PNG keeps its resolution in pHYs: 300 dpi = 11811 pixels/metre
    const std::string phys = test::be32(11811) + test::be32(11811) + '\x01';
    write_file(in, with_png_chunk(read_file(in), "pHYs", phys));
  }

  const Image loaded = load_image(in);
  EXPECT_EQ(loaded.metadata.orientation(), 6);
  EXPECT_EQ(loaded.width(), 20);  // the orientation is a tag, the pixels stay as stored
  EXPECT_EQ(loaded.height(), 12);
  EXPECT_NEAR(loaded.metadata.resolution().x, 300.0, 0.01);
  EXPECT_EQ(loaded.metadata.icc_colour_space(), "RGB");
  const SaveReport report = save_image(out, loaded);
  EXPECT_TRUE(report.notes.empty()) << report.notes.front();

  const Found before = inspect(in);
  const Found after = inspect(out);
  EXPECT_EQ(after.orientation, "6");
  EXPECT_EQ(after.make, before.make);
  EXPECT_EQ(after.model, "Model 7");
  EXPECT_EQ(after.date, before.date);
  EXPECT_EQ(after.latitude, before.latitude);
  EXPECT_FALSE(after.latitude.empty());
  EXPECT_EQ(after.title, before.title);
  EXPECT_NE(after.title.find("A scanned print"), std::string::npos);
  EXPECT_EQ(after.caption, before.caption);
  EXPECT_EQ(after.icc, icc_profile("RGB "));
  if (ext == ".png") {
    EXPECT_EQ(find_png_chunk(read_file(out), "pHYs"), find_png_chunk(read_file(in), "pHYs"));
    EXPECT_FALSE(find_png_chunk(read_file(out), "eXIf").empty());  // PNG's own EXIF chunk
  } else {
    EXPECT_NEAR(after.x_dpi, 300.0, 0.01);
  }
  // What was written still decodes to the same pixels.
  EXPECT_TRUE(at::allclose(load_image(out).pixels, loaded.pixels, 0.0,
                           ext == ".jpg" || ext == ".webp" ? 0.1 : 1e-6));
}

INSTANTIATE_TEST_SUITE_P(Formats, MetadataRoundTrip,
                         ::testing::Values(".png", ".jpg", ".tif", ".webp"),
                         [](const auto& info) { return info.param.substr(1); });

// OpenCV's TIFF decoder turns the pixels by the orientation tag; the tool keeps them as
// stored, so that the tag it carries over still describes them.
TEST(Metadata, TiffPixelsStayAsStoredForEveryOrientation) {
  test::TempDir dir;
  tiff_with_dpi(dir / "upright.tif");
  const Image stored = load_image(dir / "upright.tif");
  for (uint16_t orientation = 2; orientation <= 8; ++orientation) {
    SCOPED_TRACE(orientation);
    const fs::path file = dir / ("o" + std::to_string(orientation) + ".tif");
    fs::copy_file(dir / "upright.tif", file);
    auto image = Exiv2::ImageFactory::open(file.string());
    image->readMetadata();
    image->exifData()["Exif.Image.Orientation"] = orientation;
    image->writeMetadata();
    const Image read = load_image(file);
    EXPECT_TRUE(at::equal(read.pixels, stored.pixels));
    EXPECT_EQ(read.metadata.orientation(), orientation);
  }
}

TEST(Metadata, CarriedAcrossFormatsAndDpiIntoJfif) {
  test::TempDir dir;
  tiff_with_dpi(dir / "in.tif");
  add_metadata(dir / "in.tif", icc_profile("RGB "), true);
  save_image(dir / "out.jpg", load_image(dir / "in.tif"));
  const Found after = inspect(dir / "out.jpg");
  EXPECT_EQ(after.orientation, "6");
  EXPECT_EQ(after.icc, icc_profile("RGB "));
  const Bytes jpeg = read_file(dir / "out.jpg");
  ASSERT_EQ(std::memcmp(jpeg.data() + 6, "JFIF", 4), 0);
  EXPECT_EQ(jpeg[13], 1);  // dots per inch
  EXPECT_EQ((jpeg[14] << 8) | jpeg[15], 300);
}

TEST(Metadata, StripWritesPixelsOnly) {
  test::TempDir dir;
  save_image(dir / "in.jpg", rgb_image());
  add_metadata(dir / "in.jpg", icc_profile("RGB "), true);
  SaveOptions options;
  options.keep_metadata = false;
  const SaveReport report = save_image(dir / "out.jpg", load_image(dir / "in.jpg"), options);
  EXPECT_EQ(report.metadata, "none");
  const Found after = inspect(dir / "out.jpg");
  EXPECT_TRUE(after.orientation.empty());
  EXPECT_TRUE(after.make.empty());
  EXPECT_TRUE(after.icc.empty());
  EXPECT_TRUE(after.title.empty());
}

TEST(Metadata, ProfileOfAnotherColourSpaceIsLeftOutWithANote) {
  test::TempDir dir;
  save_image(dir / "in.png", rgb_image());
  add_metadata(dir / "in.png", icc_profile("RGB "), false);
  Image gray = load_image(dir / "in.png");
  gray.pixels = gray.pixels.mean(0, true);
  const SaveReport report = save_image(dir / "gray.png", gray);
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("ICC"), std::string::npos) << report.notes[0];
  EXPECT_TRUE(inspect(dir / "gray.png").icc.empty());
  EXPECT_EQ(inspect(dir / "gray.png").orientation, "6");  // the rest is kept
}

TEST(Metadata, FormatWithoutMetadataSaysWhatItDropped) {
  test::TempDir dir;
  save_image(dir / "in.jpg", rgb_image());
  add_metadata(dir / "in.jpg", icc_profile("RGB "), true);
  const SaveReport report = save_image(dir / "out.bmp", load_image(dir / "in.jpg"));
  ASSERT_FALSE(report.notes.empty());
  EXPECT_NE(report.notes[0].find(".bmp"), std::string::npos) << report.notes[0];
}

TEST(Metadata, DamagedExifIsAWarningAndThePixelsAreRead) {
  test::TempDir dir;
  save_image(dir / "in.jpg", rgb_image());
  add_metadata(dir / "in.jpg", icc_profile("RGB "), false);
  Bytes jpeg = read_file(dir / "in.jpg");
  // Point the first IFD of the EXIF block (APP1 "Exif\0\0" + TIFF header) far outside it
  // and scramble its entries.
  const auto at = std::search(jpeg.begin(), jpeg.end(), std::begin("Exif"), std::end("Exif") - 1);
  ASSERT_NE(at, jpeg.end());
  const size_t tiff = static_cast<size_t>(at - jpeg.begin()) + 6;
  for (size_t i = tiff + 4; i < tiff + 40; ++i) jpeg[i] = 0xEE;
  write_file(dir / "bad.jpg", jpeg);

  Image image;
  ASSERT_NO_THROW(image = load_image(dir / "bad.jpg"));
  EXPECT_EQ(image.width(), 20);
  EXPECT_EQ(image.metadata.orientation(), 0);
  EXPECT_NO_THROW(save_image(dir / "out.png", image));
  // Garbage instead of the whole block: still read, with a warning or without EXIF.
  std::vector<std::string> warnings;
  const std::vector<char> noise(300, '\xEE');
  EXPECT_TRUE(read_metadata(noise, warnings).empty());
}

TEST(Formats, GifIsRefusedNamingTheFile) {
  test::TempDir dir;
  const Bytes gif = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0, ';'};
  write_file(dir / "anim.gif", gif);
  try {
    load_image(dir / "anim.gif");
    FAIL() << "a GIF was read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("anim.gif"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("GIF"), std::string::npos) << e.what();
  }
}

TEST(Formats, AnimatedWebpIsRefused) {
  test::TempDir dir;
  // RIFF header and a VP8X chunk whose flags say "animation" (bit 1).
  Bytes webp = {'R', 'I', 'F', 'F', 30, 0,    0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8',
                'X', 10,  0,   0,   0,  0x02, 0, 0, 0,   9,   0,   0,   9,   0,   0};
  write_file(dir / "anim.webp", webp);
  try {
    load_image(dir / "anim.webp");
    FAIL() << "an animated WebP was read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("animated WebP"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("anim.webp"), std::string::npos) << e.what();
  }
}

TEST(Formats, AnimatedPngRestoresItsFirstFrameWithAWarning) {
  test::TempDir dir;
  save_image(dir / "still.png", rgb_image());
  const std::string actl = test::be32(2) + test::be32(0);  // frames, plays
  write_file(dir / "anim.png", with_png_chunk(read_file(dir / "still.png"), "acTL", actl));
  const Image image = load_image(dir / "anim.png");
  EXPECT_TRUE(at::equal(image.pixels, load_image(dir / "still.png").pixels));
  ASSERT_EQ(image.warnings.size(), 1u);
  EXPECT_NE(image.warnings[0].find("first frame"), std::string::npos) << image.warnings[0];
}

TEST(Formats, MultiPageTiffRestoresItsFirstPageWithAWarning) {
  test::TempDir dir;
  const cv::Mat first(8, 10, CV_8UC3, cv::Scalar(10, 20, 30));
  const cv::Mat second(8, 10, CV_8UC3, cv::Scalar(200, 100, 50));
  ASSERT_TRUE(cv::imwritemulti((dir / "pages.tif").string(), std::vector<cv::Mat>{first, second}));
  const Image image = load_image(dir / "pages.tif");
  EXPECT_NEAR(image.pixels[0][0][0].item<float>(), 30.0 / 255.0, 1e-6);  // R of page 1
  ASSERT_EQ(image.warnings.size(), 1u);
  EXPECT_NE(image.warnings[0].find("2 pages"), std::string::npos) << image.warnings[0];
  save_image(dir / "one.tif", image);
  EXPECT_TRUE(load_image(dir / "one.tif").warnings.empty());
}

TEST(Formats, PalettePngWithTransparencyIsReadAsRgba) {
  test::TempDir dir;
  // A 2×2 palette image: red, green, blue, and red again; red is half transparent.
  const std::string plte("\xFF\0\0\0\xFF\0\0\0\xFF", 9);
  const std::string rows("\0\0\x01\0\x02\0", 6);  // filter byte + two indices per row
  const std::string png = test::png(2, 2, 3, plte, rows, test::chunk("tRNS", "\x80"));
  write_file(dir / "palette.png", Bytes(png.begin(), png.end()));
  const Image image = load_image(dir / "palette.png");
  ASSERT_EQ(image.channels(), 3);
  ASSERT_TRUE(image.alpha.defined());
  EXPECT_NEAR(image.alpha[0][0][0].item<float>(), 128.0 / 255.0, 1e-6);
  EXPECT_EQ(image.alpha[0][0][1].item<float>(), 1.0f);
  EXPECT_EQ(image.pixels[1][0][1].item<float>(), 1.0f);  // green
  EXPECT_EQ(image.pixels[2][1][0].item<float>(), 1.0f);  // blue
  save_image(dir / "out.png", image);
  EXPECT_TRUE(at::equal(load_image(dir / "out.png").alpha, image.alpha));
}

// A CMYK JPEG as Photoshop writes them (Adobe marker, inverted samples), through libjpeg.
void write_cmyk_jpeg(const fs::path& file, int w, int h, const unsigned char cmyk[4]) {
  jpeg_compress_struct info{};
  jpeg_error_mgr err{};
  info.err = jpeg_std_error(&err);
  jpeg_create_compress(&info);
  FILE* out = std::fopen(file.c_str(), "wb");
  jpeg_stdio_dest(&info, out);
  info.image_width = static_cast<JDIMENSION>(w);
  info.image_height = static_cast<JDIMENSION>(h);
  info.input_components = 4;
  info.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, 100, TRUE);
  jpeg_start_compress(&info, TRUE);
  std::vector<unsigned char> row(static_cast<size_t>(4 * w));
  for (int x = 0; x < w; ++x) {
    for (int k = 0; k < 4; ++k) row[static_cast<size_t>(4 * x + k)] = 255 - cmyk[k];
  }
  while (info.next_scanline < info.image_height) {
    JSAMPROW r = row.data();
    jpeg_write_scanlines(&info, &r, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::fclose(out);
}

TEST(Formats, CmykJpegIsRestoredAsRgbWithAWarning) {
  test::TempDir dir;
  const unsigned char cyan[4] = {255, 0, 0, 0};  // full cyan, no black: R 0, G and B full
  write_cmyk_jpeg(dir / "cmyk.jpg", 16, 16, cyan);
  const Image image = load_image(dir / "cmyk.jpg");
  ASSERT_EQ(image.channels(), 3);
  EXPECT_LT(image.pixels[0].mean().item<float>(), 0.1);
  EXPECT_GT(image.pixels[1].mean().item<float>(), 0.9);
  EXPECT_GT(image.pixels[2].mean().item<float>(), 0.9);
  ASSERT_EQ(image.warnings.size(), 1u);
  EXPECT_NE(image.warnings[0].find("CMYK"), std::string::npos);
}

TEST(Encoding, QualityAndCompressionAreUsedAndReported) {
  test::TempDir dir;
  Image image;
  image.pixels = at::rand({3, 64, 64});
  SaveOptions low;
  low.quality = 20;
  SaveOptions high;
  high.quality = 98;
  EXPECT_EQ(save_image(dir / "low.jpg", image, low).quality, 20);
  save_image(dir / "high.jpg", image, high);
  EXPECT_LT(fs::file_size(dir / "low.jpg"), fs::file_size(dir / "high.jpg"));
  SaveOptions lossless;
  lossless.quality = 100;
  save_image(dir / "lossless.webp", image, lossless);
  EXPECT_TRUE(at::allclose(load_image(dir / "lossless.webp").pixels,
                           (image.pixels * 255).round() / 255, 0.0, 1e-6));
  SaveOptions none;
  none.png_compression = 0;
  SaveOptions most;
  most.png_compression = 9;
  Image smooth;
  smooth.pixels = test::smooth_image(3, 64, 64);
  EXPECT_EQ(save_image(dir / "none.png", smooth, none).png_compression, 0);
  save_image(dir / "most.png", smooth, most);
  EXPECT_LT(fs::file_size(dir / "most.png"), fs::file_size(dir / "none.png"));
  SaveOptions bad;
  bad.quality = 0;
  EXPECT_THROW(save_image(dir / "bad.jpg", image, bad), UsageError);
}

// Every format the README lists is read and written, end to end.
TEST(Formats, EveryListedFormatIsReadAndWritten) {
  test::TempDir dir;
  const Image image = rgb_image(9, 11);
  for (const char* ext :
       {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp", ".ppm", ".pgm"}) {
    SCOPED_TRACE(ext);
    Image written = image;
    if (std::string(ext) == ".pgm") written.pixels = image.pixels.mean(0, true);
    const fs::path file = dir / (std::string("image") + ext);
    ASSERT_NO_THROW(save_image(file, written));
    const Image back = load_image(file);
    EXPECT_EQ(back.channels(), written.channels());
    EXPECT_EQ(back.width(), 11);
    EXPECT_TRUE(at::allclose(back.pixels, written.pixels, 0.0, 0.1));
  }
}

}  // namespace
}  // namespace dop
