#include "dop/image_io.hpp"

#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/types.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "dop/error.hpp"
#include "test_util.hpp"

namespace dop {
namespace {

namespace fs = std::filesystem;

Image make(int64_t c, int64_t h, int64_t w, int depth, bool alpha) {
  Image im;
  im.pixels = at::rand({c, h, w});
  if (alpha) im.alpha = at::rand({1, h, w});
  im.bit_depth = depth;
  return im;
}

// What the file can hold: samples quantised to the bit depth.
at::Tensor quantised(const at::Tensor& t, int depth) {
  const double scale = depth == 8 ? 255.0 : 65535.0;
  return (t * scale).round() / scale;
}

size_t files_in(const fs::path& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

void expect_throws_naming(const std::function<void()>& f, const std::string& name) {
  try {
    f();
    FAIL() << "no error for " << name;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
  }
}

struct Case {
  int64_t channels;
  int depth;
  bool alpha;
};

class RoundTrip : public ::testing::TestWithParam<Case> {};

TEST_P(RoundTrip, KeepsChannelsDepthAlphaAndValues) {
  const Case c = GetParam();
  test::TempDir dir;
  const Image original = make(c.channels, 13, 17, c.depth, c.alpha);
  const fs::path file = dir / "image.png";
  const SaveReport report = save_image(file, original);
  EXPECT_EQ(report.bit_depth, c.depth);
  EXPECT_FALSE(report.alpha_dropped);
  const Image back = load_image(file);
  EXPECT_EQ(back.bit_depth, c.depth);
  EXPECT_EQ(back.pixels.sizes(), original.pixels.sizes());
  EXPECT_TRUE(torch::allclose(back.pixels, quantised(original.pixels, c.depth), 0, 1e-6));
  ASSERT_EQ(back.alpha.defined(), c.alpha);
  if (c.alpha) {
    EXPECT_TRUE(torch::allclose(back.alpha, quantised(original.alpha, c.depth), 0, 1e-6));
  }
  EXPECT_EQ(files_in(dir.path()), 1u);  // no temporary file left behind
}

INSTANTIATE_TEST_SUITE_P(ImageIo, RoundTrip,
                         ::testing::Values(Case{1, 8, false}, Case{3, 8, false}, Case{3, 8, true},
                                           Case{1, 16, false}, Case{3, 16, false},
                                           Case{3, 16, true}));

// Files store B, G, R; the library's tensors are R, G, B.
TEST(ImageIo, ChannelOrderIsRgb) {
  test::TempDir dir;
  cv::Mat red(4, 4, CV_8UC3, cv::Scalar(0, 0, 255));  // OpenCV: B, G, R
  cv::imwrite((dir / "red.png").string(), red);
  const Image im = load_image(dir / "red.png");
  EXPECT_EQ(im.pixels[0].min().item<float>(), 1.0f);
  EXPECT_EQ(im.pixels[2].max().item<float>(), 0.0f);
}

TEST(ImageIo, FloatTiffIsRead) {
  test::TempDir dir;
  cv::Mat f(5, 6, CV_32FC1, cv::Scalar(0.25));
  cv::imwrite((dir / "f.tif").string(), f);
  const Image im = load_image(dir / "f.tif");
  EXPECT_EQ(im.bit_depth, 32);
  EXPECT_TRUE(im.range.is_unit());
  EXPECT_NEAR(im.pixels.mean().item<double>(), 0.25, 1e-7);
}

// Every depth a TIFF holds comes back exactly: 32-bit float RGB too, which OpenCV would
// otherwise store in the lossy SGI LogLuv encoding (errors up to 2% of the range).
TEST(ImageIo, TiffKeepsEverySampleAtEveryDepth) {
  test::TempDir dir;
  for (const Case c : {Case{1, 32, false}, Case{3, 32, false}, Case{3, 32, true},
                       Case{3, 16, false}, Case{3, 8, true}}) {
    SCOPED_TRACE(std::to_string(c.channels) + " channels, " + std::to_string(c.depth) + " bits");
    const Image original = make(c.channels, 13, 17, c.depth, c.alpha);
    const fs::path file = dir / "image.tiff";
    SaveOptions options;
    options.overwrite = true;
    save_image(file, original, options);
    const Image back = load_image(file);
    EXPECT_EQ(back.bit_depth, c.depth);
    const at::Tensor expected =
        c.depth == 32 ? original.pixels : quantised(original.pixels, c.depth);
    EXPECT_TRUE(torch::allclose(back.pixels, expected, 0, 1e-6));
    ASSERT_EQ(back.alpha.defined(), c.alpha);
  }
}

// A float file beyond [0, 1] keeps its values: the pixels span [0, 1] over the file's
// least and greatest sample, and a float output holds the file's values again.
TEST(ImageIo, FloatSamplesBeyondOneKeepTheirRange) {
  test::TempDir dir;
  // Every value from -5 to 4000 once, in a shuffled order.
  const at::Tensor values = at::linspace(-5.0, 4000.0, 3 * 6 * 7)
                                .index_select(0, at::randperm(3 * 6 * 7))
                                .view({3, 6, 7});
  cv::Mat bgr(6, 7, CV_32FC3);
  const at::Tensor hwc = values.flip(0).permute({1, 2, 0}).contiguous();
  std::memcpy(bgr.data, hwc.data_ptr<float>(), hwc.numel() * sizeof(float));
  cv::imwrite((dir / "in.tif").string(), bgr, {cv::IMWRITE_TIFF_COMPRESSION, 5});  // LZW

  const Image im = load_image(dir / "in.tif");
  EXPECT_DOUBLE_EQ(im.range.low, -5.0);
  EXPECT_DOUBLE_EQ(im.range.high, 4000.0);
  EXPECT_EQ(im.pixels.min().item<float>(), 0.0f);
  EXPECT_EQ(im.pixels.max().item<float>(), 1.0f);
  EXPECT_TRUE(torch::allclose(pixels_on_range(im, {}), values, 0, 1e-3));

  save_image(dir / "out.tif", im);
  EXPECT_TRUE(torch::allclose(pixels_on_range(load_image(dir / "out.tif"), {}), values, 0, 1e-3));
  const cv::Mat back = cv::imread((dir / "out.tif").string(), cv::IMREAD_UNCHANGED);
  EXPECT_LT(cv::norm(back, bgr, cv::NORM_INF), 1e-3);

  // An integer output holds the image stretched over its range, and says so.
  const SaveReport png = save_image(dir / "out.png", im);
  ASSERT_EQ(png.notes.size(), 1u);
  EXPECT_NE(png.notes[0].find("from -5 to 4000"), std::string::npos) << png.notes[0];
}

TEST(ImageIo, NanAndInfinityInFloatFilesBecomeValidSamples) {
  test::TempDir dir;
  cv::Mat f(1, 4, CV_32FC1);
  f.at<float>(0, 0) = std::numeric_limits<float>::quiet_NaN();
  f.at<float>(0, 1) = std::numeric_limits<float>::infinity();
  f.at<float>(0, 2) = -std::numeric_limits<float>::infinity();
  f.at<float>(0, 3) = 0.5f;
  cv::imwrite((dir / "f.tif").string(), f);
  const Image im = load_image(dir / "f.tif");
  EXPECT_TRUE(at::equal(im.pixels, at::tensor({0.0f, 1.0f, 0.0f, 0.5f}).view({1, 1, 4})));
}

TEST(ImageIo, DecodesBytesInMemoryAndNamesTheGivenName) {
  std::vector<uchar> png;
  cv::imencode(".png", cv::Mat(3, 5, CV_8UC3, cv::Scalar(0, 0, 255)), png);
  const Image im = decode_image(std::vector<char>(png.begin(), png.end()), "memory.png");
  EXPECT_EQ(im.pixels.sizes(), (at::IntArrayRef{3, 3, 5}));
  EXPECT_EQ(im.pixels[0].min().item<float>(), 1.0f);  // red, in RGB order
  png.resize(png.size() / 2);
  expect_throws_naming(
      [&] { decode_image(std::vector<char>(png.begin(), png.end()), "memory.png"); }, "memory.png");
  expect_throws_naming([&] { decode_image({}, "nothing.png"); }, "nothing.png");
}

// OpenCV 4.6 decodes PFM through a temporary file and leaves the file behind when it refuses
// the header; such files go to a folder of this process, removed when it ends.
TEST(ImageIo, UndecodableFilesLeaveNoTemporaryFiles) {
  const auto leftovers = [] {
    int n = 0;
    for (const fs::path& folder : {fs::temp_directory_path(), fs::path("/tmp")}) {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(folder, ec)) {
        n += entry.path().filename().string().rfind("__opencv_temp", 0) == 0;
      }
    }
    return n;
  };
  const int before = leftovers();
  const std::string bad = "PF\n2 \n255\n\xa2\x04\x9a\xee";  // a size OpenCV refuses
  expect_throws_naming([&] { decode_image(std::vector<char>(bad.begin(), bad.end()), "bad.pfm"); },
                       "bad.pfm");
  EXPECT_EQ(leftovers(), before);
}

TEST(ImageIo, JpegCannotHoldAlphaOr16Bits) {
  test::TempDir dir;
  const SaveReport r = save_image(dir / "x.jpg", make(3, 8, 8, 16, true));
  EXPECT_EQ(r.bit_depth, 8);
  EXPECT_TRUE(r.alpha_dropped);
  EXPECT_FALSE(load_image(dir / "x.jpg").alpha.defined());
}

TEST(ImageIo, BadInputsNameTheFile) {
  test::TempDir dir;
  { std::ofstream(dir / "empty.png"); }
  { std::ofstream(dir / "text.png") << "this is not an image\n"; }
  fs::create_directory(dir / "folder.png");
  for (const char* name : {"missing.png", "empty.png", "text.png", "folder.png"}) {
    EXPECT_THROW(load_image(dir / name), InputError) << name;
    expect_throws_naming([&] { load_image(dir / name); }, name);
  }
}

TEST(ImageIo, TruncatedFileIsAnInputError) {
  test::TempDir dir;
  save_image(dir / "full.png", make(3, 64, 64, 8, false));
  std::ifstream in(dir / "full.png", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(dir / "cut.png", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_THROW(load_image(dir / "cut.png"), InputError);
}

TEST(ImageIo, NeverReplacesAFileUnlessAsked) {
  test::TempDir dir;
  const fs::path file = dir / "out.png";
  { std::ofstream(file) << "keep me"; }
  EXPECT_THROW(save_image(file, make(1, 4, 4, 8, false)), OutputError);
  std::ifstream in(file);
  std::string content;
  std::getline(in, content);
  EXPECT_EQ(content, "keep me");
  EXPECT_EQ(files_in(dir.path()), 1u);
  save_image(file, make(1, 4, 4, 8, false), {0, true});
  EXPECT_EQ(load_image(file).pixels.size(0), 1);
}

TEST(ImageIo, UnwritableOutputsAreOutputErrors) {
  test::TempDir dir;
  const Image im = make(1, 4, 4, 8, false);
  expect_throws_naming([&] { save_image(dir / "no-such-folder" / "x.png", im); }, "no-such-folder");
  expect_throws_naming([&] { save_image(dir / "x.unknownext", im); }, "x.unknownext");
  expect_throws_naming([&] { save_image(dir / "noextension", im); }, "noextension");
  fs::create_directory(dir / "sub.png");
  EXPECT_THROW(save_image(dir / "sub.png", im, {0, true}), OutputError);
}

TEST(ImageIo, NonAsciiAndSpacesInPaths) {
  test::TempDir dir;
  const fs::path file = dir / "chat noir é 猫.png";
  save_image(file, make(3, 5, 5, 8, false));
  EXPECT_EQ(load_image(file).width(), 5);
}

TEST(ResizeArea, AveragesBlocksAndKeepsChannels) {
  // 4×4 with four constant 2×2 blocks per channel: halving gives the blocks' values.
  const at::Tensor block = at::tensor({0.1f, 0.3f, 0.5f, 0.9f}).view({1, 2, 2});
  const at::Tensor image =
      at::cat({block, 1.0 - block}, 0).repeat_interleave(2, 1).repeat_interleave(2, 2);
  const at::Tensor half = resize_area(image, 2, 2);
  ASSERT_EQ(half.sizes(), (std::vector<int64_t>{2, 2, 2}));
  EXPECT_TRUE(at::allclose(half, at::cat({block, 1.0 - block}, 0), 1e-5, 1e-6)) << half;
  const at::Tensor wide = resize_area(at::full({5, 3, 7}, 0.25), 6, 2);
  EXPECT_EQ(wide.sizes(), (std::vector<int64_t>{5, 6, 2}));
  EXPECT_NEAR(wide.min().item<double>(), 0.25, 1e-6);
  EXPECT_NEAR(wide.max().item<double>(), 0.25, 1e-6);
  EXPECT_THROW(resize_area(at::zeros({4, 4}), 2, 2), UsageError);
}

}  // namespace
}  // namespace dop
