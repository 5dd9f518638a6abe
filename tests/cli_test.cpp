// dop-restore as a user runs it: exit codes, messages, and which files exist afterwards.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>

#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/types.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "cli_util.hpp"
#include "dop/error.hpp"
#include "dop/image_io.hpp"
#include "test_util.hpp"

namespace dop {
namespace {

namespace fs = std::filesystem;

const std::string kFast = "--iterations 3 --width 4 --threads 1 ";

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    Image im;
    im.pixels = test::smooth_image(3, 20, 30);
    save_image(dir_ / "in.png", im);
  }
  std::string in() const { return quote((dir_ / "in.png").string()) + " "; }
  std::string path(const std::string& name) const { return quote((dir_ / name).string()) + " "; }
  bool exists(const std::string& name) const { return fs::exists(dir_ / name); }

  test::TempDir dir_;
};

TEST_F(Cli, RestoresAndReports) {
  const Outcome r = run(dir_, kFast + "--reference " + in() + "--report " + path("r.json") +
                                  "--save-corruption " + path("s.png") + "--save-mask " +
                                  path("m.png") + "--log-every 2 " + in() + path("out.png"));
  ASSERT_EQ(r.code, 0) << r.err;
  const Image out = load_image(dir_ / "out.png");
  EXPECT_EQ(out.pixels.sizes(), (std::vector<int64_t>{3, 20, 30}));
  EXPECT_TRUE(exists("s.png"));
  // What the composition replaced, one map per channel.
  const Image mask = load_image(dir_ / "m.png");
  EXPECT_EQ(mask.pixels.sizes(), (std::vector<int64_t>{3, 20, 30}));
  std::ifstream report_file(dir_ / "r.json");
  const auto report = nlohmann::json::parse(report_file);
  for (const char* key : {"settings", "parameters", "iterations", "seconds",
                          "seconds_per_iteration", "device", "threads", "metrics", "history"}) {
    EXPECT_TRUE(report.contains(key)) << key;
  }
  EXPECT_EQ(report["iterations"], 3);
  EXPECT_EQ(report["stop_reason"], "iterations");
  EXPECT_EQ(report["settings"]["preset"], "balanced");
  EXPECT_EQ(report["device"], "cpu");
  EXPECT_EQ(report["threads"], 1);
  EXPECT_EQ(report["settings"]["width"], 4);
  // τ and α as set (0 = automatic) and as used for this 30×20 RGB image.
  EXPECT_EQ(report["settings"]["lr"], 0.0);
  EXPECT_EQ(report["lr_used"], 1.0);
  EXPECT_NEAR(report["alpha_used"].get<double>(),
              500.0 * std::sqrt(3.0 * 20 * 30 / (3 * 128 * 128)), 1e-9);
  EXPECT_EQ(report["history"].size(), 3u);  // iterations 1, 2, 3
  EXPECT_TRUE(report["history"][0].contains("psnr"));
  EXPECT_GT(report["metrics"]["output"]["psnr"].get<double>(), 0.0);
  // The default composes: the report says so, with what it found, and the network's own
  // result beside the composed one.
  EXPECT_EQ(report["settings"]["compose"], "auto");
  EXPECT_EQ(report["compose"], "auto");
  EXPECT_GE(report["damaged_fraction"].get<double>(), 0.0);
  EXPECT_LE(report["damaged_fraction"].get<double>(), 1.0);
  EXPECT_TRUE(report["metrics"].contains("network_output"));
}

TEST_F(Cli, ComposeOffWritesTheNetworkOutput) {
  const Outcome r =
      run(dir_, kFast + "--compose off --report " + path("r.json") + in() + path("out.png"));
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream report_file(dir_ / "r.json");
  const auto report = nlohmann::json::parse(report_file);
  EXPECT_EQ(report["compose"], "off");
  EXPECT_FALSE(report.contains("damaged_fraction"));
  EXPECT_EQ(run(dir_, kFast + "--compose maybe " + in() + path("x.png")).code, 105);
  // Nothing is replaced without the composition: a mask of it is refused before any work.
  const Outcome masked =
      run(dir_, kFast + "--compose off --save-mask " + path("m.png") + in() + path("y.png"));
  EXPECT_EQ(masked.code, kExitUsage);
  EXPECT_NE(masked.err.find("--save-mask"), std::string::npos) << masked.err;
  EXPECT_FALSE(exists("m.png"));
  EXPECT_FALSE(exists("y.png"));
}

TEST_F(Cli, TimeBudgetEndsTheRunAndSaysSo) {
  const Outcome r = run(dir_,
                        "--time-budget 1 --iterations 1000000 --width 4 --threads 1 "
                        "--report " +
                            path("r.json") + in() + path("out.png"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(exists("out.png"));
  std::ifstream report_file(dir_ / "r.json");
  const auto report = nlohmann::json::parse(report_file);
  EXPECT_EQ(report["stop_reason"], "time budget");
  EXPECT_LT(report["iterations"].get<int64_t>(), 1000000);
  EXPECT_NE(r.err.find("time budget"), std::string::npos) << r.err;
}

TEST_F(Cli, KeepsGrayAlphaAnd16Bit) {
  Image im;
  im.pixels = test::smooth_image(1, 17, 9);
  im.alpha = at::rand({1, 17, 9});
  im.bit_depth = 16;
  save_image(dir_ / "gray16a.png", im);
  ASSERT_EQ(run(dir_, kFast + path("gray16a.png") + path("out.png")).code, 0);
  const Image out = load_image(dir_ / "out.png");
  EXPECT_EQ(out.bit_depth, 16);
  ASSERT_TRUE(out.alpha.defined());
  EXPECT_TRUE(torch::equal(out.alpha, load_image(dir_ / "gray16a.png").alpha));  // untouched
  EXPECT_EQ(out.pixels.size(1), 17);
  EXPECT_EQ(out.pixels.size(2), 9);
}

// Float samples beyond [0, 1] (scientific data, linear HDR) come back in their own range,
// and the reference is compared on it.
TEST_F(Cli, KeepsFloatSamplesInTheirOwnRange) {
  const at::Tensor values = test::smooth_image(1, 16, 24) * 2050.0 - 50.0;
  cv::Mat file(16, 24, CV_32FC1, values.contiguous().data_ptr<float>());
  cv::imwrite((dir_ / "scan.tif").string(), file);
  const Outcome r = run(dir_, kFast + "--reference " + path("scan.tif") + "--report " +
                                  path("r.json") + path("scan.tif") + path("out.tif"));
  ASSERT_EQ(r.code, 0) << r.err;
  const double low = values.min().item<double>();
  const double high = values.max().item<double>();
  std::ostringstream said;
  said << "samples from " << low << " to " << high;
  EXPECT_NE(r.err.find(said.str()), std::string::npos) << r.err;
  const cv::Mat out = cv::imread((dir_ / "out.tif").string(), cv::IMREAD_UNCHANGED);
  ASSERT_EQ(out.type(), CV_32FC1);
  // Nothing is damaged: the composition keeps most samples, in the file's units.
  EXPECT_LT(cv::norm(out, file, cv::NORM_L1) / static_cast<double>(out.total()),
            0.01 * (high - low));
  const auto report = nlohmann::json::parse(std::ifstream(dir_ / "r.json"));
  EXPECT_NEAR(report["image"]["sample_range"][0].get<double>(), low, 1e-3);
  EXPECT_NEAR(report["image"]["sample_range"][1].get<double>(), high, 1e-3);
  EXPECT_GT(report["metrics"]["output"]["psnr"].get<double>(), 30.0);
}

TEST_F(Cli, KeepsMetadataUnlessStripped) {
  cv::Mat scan(20, 30, CV_8UC3, cv::Scalar(90, 120, 150));
  ASSERT_TRUE(cv::imwrite(
      (dir_ / "scan.tif").string(), scan,
      {cv::IMWRITE_TIFF_RESUNIT, 2, cv::IMWRITE_TIFF_XDPI, 300, cv::IMWRITE_TIFF_YDPI, 300}));
  const Outcome kept =
      run(dir_, kFast + "--report " + path("r.json") + path("scan.tif") + path("kept.tif"));
  ASSERT_EQ(kept.code, 0) << kept.err;
  EXPECT_NEAR(load_image(dir_ / "kept.tif").metadata.resolution().x, 300.0, 1e-6);
  const auto report = nlohmann::json::parse(std::ifstream(dir_ / "r.json"));
  EXPECT_NE(report["metadata"]["written"].get<std::string>().find("300 dpi"), std::string::npos)
      << report["metadata"];
  EXPECT_TRUE(report["settings"]["keep_metadata"].get<bool>());

  ASSERT_EQ(run(dir_, kFast + "--strip-metadata " + path("scan.tif") + path("bare.tif")).code, 0);
  EXPECT_FALSE(load_image(dir_ / "bare.tif").metadata.resolution().defined());
}

TEST_F(Cli, EncodingOptionsReachTheFileAndTheReport) {
  ASSERT_EQ(
      run(dir_, kFast + "--quality 30 --report " + path("r.json") + in() + path("low.jpg")).code,
      0);
  ASSERT_EQ(run(dir_, kFast + "--quality 100 " + in() + path("high.jpg")).code, 0);
  EXPECT_LT(fs::file_size(dir_ / "low.jpg"), fs::file_size(dir_ / "high.jpg"));
  EXPECT_EQ(nlohmann::json::parse(std::ifstream(dir_ / "r.json"))["encoding"]["quality"], 30);
}

TEST_F(Cli, GifIsRefusedNamingTheFile) {
  { std::ofstream(dir_ / "anim.gif") << "GIF89a\x01\x00\x01\x00"; }
  const Outcome r = run(dir_, kFast + path("anim.gif") + path("out.png"));
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("anim.gif"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("GIF"), std::string::npos) << r.err;
  EXPECT_FALSE(exists("out.png"));
}

TEST_F(Cli, MissingInput) {
  const Outcome r = run(dir_, kFast + path("nope.png") + path("out.png"));
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("nope.png"), std::string::npos) << r.err;
  EXPECT_FALSE(exists("out.png"));
}

TEST_F(Cli, NonImageInput) {
  { std::ofstream(dir_ / "notes.png") << "hello"; }
  const Outcome r = run(dir_, kFast + path("notes.png") + path("out.png"));
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("notes.png"), std::string::npos) << r.err;
  EXPECT_FALSE(exists("out.png"));
}

TEST_F(Cli, UnwritableOutputFolder) {
  const Outcome r = run(dir_, kFast + in() + path("missing/out.png"));
  EXPECT_EQ(r.code, 4);
  EXPECT_NE(r.err.find("missing"), std::string::npos) << r.err;
  EXPECT_FALSE(exists("missing"));
}

TEST_F(Cli, ExistingOutputNeedsOverwrite) {
  { std::ofstream(dir_ / "out.png") << "precious"; }
  const Outcome r = run(dir_, kFast + in() + path("out.png"));
  EXPECT_EQ(r.code, 4);
  EXPECT_NE(r.err.find("--overwrite"), std::string::npos) << r.err;
  EXPECT_EQ(fs::file_size(dir_ / "out.png"), 8u);
  EXPECT_EQ(run(dir_, kFast + "--overwrite " + in() + path("out.png")).code, 0);
  EXPECT_EQ(load_image(dir_ / "out.png").width(), 30);
}

TEST_F(Cli, OutputIsTheInput) {
  const Outcome r = run(dir_, kFast + "--overwrite " + in() + in());
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(load_image(dir_ / "in.png").width(), 30);
}

TEST_F(Cli, InvalidValues) {
  for (const char* bad : {"--width 0", "--alpha -1", "--iterations 0", "--lr -2", "--threads=-1",
                          "--device gpu", "--log-every 0", "--quality 0", "--quality 101",
                          "--lr nan", "--alpha nan", "--png-compression 10"}) {
    const Outcome r = run(dir_, std::string(bad) + " " + in() + path("out.png"));
    EXPECT_EQ(r.code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("error"), std::string::npos) << bad;
    EXPECT_FALSE(exists("out.png")) << bad;
  }
}

TEST_F(Cli, CudaWithoutAGpu) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "a GPU is visible";
  const Outcome r = run(dir_, kFast + "--device cuda " + in() + path("out.png"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("CUDA"), std::string::npos) << r.err;
  EXPECT_FALSE(exists("out.png"));
}

TEST_F(Cli, SyntaxErrorsKeepCli11Codes) {
  const Outcome r = run(dir_, "--no-such-flag " + in() + path("out.png"));
  EXPECT_GE(r.code, 100);
  EXPECT_FALSE(exists("out.png"));
  EXPECT_EQ(run(dir_, "--method magic " + in() + path("out.png")).code, 105);
}

TEST_F(Cli, VersionAndHelp) {
  EXPECT_EQ(run(dir_, "--version").code, 0);
  EXPECT_EQ(run(dir_, "--help").code, 0);
  EXPECT_EQ(run(dir_, "--list-devices").code, 0);
}

}  // namespace
}  // namespace dop
