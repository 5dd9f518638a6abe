// dop-restore's option parser and checks, without running the tool.
#include "options.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include "dop/error.hpp"

namespace dop::cli {
namespace {

// Parses `args` (without the program name) as dop-restore would.
CliOptions parse(std::vector<std::string> args) {
  CliOptions o;
  const auto app = make_app(o);
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  app->parse(args);
  return o;
}

TEST(Options, DefaultsAreValid) {
  const CheckedOptions c = check_options(parse({"in.png", "out.png", "--device", "cpu"}));
  ASSERT_EQ(c.devices.size(), 1u);
  EXPECT_TRUE(c.devices[0].is_cpu());
  EXPECT_TRUE(c.tile.automatic);
  EXPECT_EQ(c.shard.index, 1u);
  EXPECT_EQ(c.shard.count, 1u);
  EXPECT_EQ(c.train.method, Method::kDop);
}

TEST(Options, PresetsFillWhatWasNotGiven) {
  const CheckedOptions balanced = check_options(parse({"a", "b", "--device", "cpu"}));
  EXPECT_EQ(balanced.preset, Preset::kBalanced);
  EXPECT_EQ(balanced.train.iterations, preset_options(Preset::kBalanced).iterations);
  EXPECT_EQ(balanced.train.network.width, preset_options(Preset::kBalanced).network.width);
  EXPECT_TRUE(balanced.convergence.enabled);
  EXPECT_EQ(balanced.time_budget, 0.0);

  const CheckedOptions paper = check_options(parse({"a", "b", "--preset", "paper"}));
  EXPECT_EQ(paper.train.iterations, 150000);
  EXPECT_EQ(paper.train.network.width, 128);
  EXPECT_EQ(paper.train.lr, 1.0);
  EXPECT_EQ(paper.train.alpha, 500.0);
  EXPECT_EQ(paper.train.sparse_init_scale, 1e-5);
  EXPECT_EQ(balanced.train.lr, 0.0);  // automatic, by size
  EXPECT_EQ(check_options(parse({"a", "b", "--lr", "0.5"})).train.lr, 0.5);
  EXPECT_EQ(paper.train.output_average, 0.0);
  EXPECT_FALSE(paper.convergence.enabled);
  EXPECT_EQ(balanced.train.output_average, preset_options(Preset::kBalanced).output_average);
  EXPECT_GT(balanced.train.output_average, 0.0);
  EXPECT_EQ(check_options(parse({"a", "b", "--output-average", "0"})).train.output_average, 0.0);
  EXPECT_EQ(balanced.train.lr_decay_start, preset_options(Preset::kBalanced).lr_decay_start);
  EXPECT_EQ(paper.train.lr_decay_start, 0);
  EXPECT_EQ(check_options(parse({"a", "b", "--lr-decay-after", "0"})).train.lr_decay_start, 0);
  EXPECT_EQ(check_options(parse({"a", "b", "--preset", "paper", "--lr-decay-after", "300"}))
                .train.lr_decay_start,
            300);
  EXPECT_EQ(check_options(parse({"a", "b", "--preset", "paper", "--output-average", "0.9"}))
                .train.output_average,
            0.9);
  // Composition: on for the quick presets, off for the paper's, either way when asked.
  EXPECT_EQ(balanced.train.compose, ComposeMode::kAuto);
  EXPECT_EQ(check_options(parse({"a", "b", "--preset", "fast"})).train.compose, ComposeMode::kAuto);
  EXPECT_EQ(paper.train.compose, ComposeMode::kOff);
  EXPECT_EQ(check_options(parse({"a", "b", "--compose", "off"})).train.compose, ComposeMode::kOff);
  EXPECT_EQ(
      check_options(parse({"a", "b", "--preset", "paper", "--compose", "auto"})).train.compose,
      ComposeMode::kAuto);

  // Explicit values win over the preset, whatever the order.
  const CheckedOptions mixed = check_options(
      parse({"a", "b", "--width", "8", "--preset", "paper", "--alpha", "0", "--iterations", "7",
             "--auto-stop", "on", "--time-budget", "2.5", "--lr", "0"}));
  EXPECT_EQ(mixed.train.network.width, 8);
  EXPECT_EQ(mixed.train.lr, 0.0);
  EXPECT_EQ(mixed.train.iterations, 7);
  EXPECT_EQ(mixed.train.alpha, 0.0);
  EXPECT_TRUE(mixed.convergence.enabled);
  EXPECT_EQ(mixed.time_budget, 2.5);
  EXPECT_FALSE(check_options(parse({"a", "b", "--auto-stop", "off"})).convergence.enabled);
  // The early end of a composed run: where the result is composed.
  EXPECT_TRUE(balanced.convergence.settle);
  EXPECT_FALSE(check_options(parse({"a", "b", "--compose", "off"})).convergence.settle);
  EXPECT_FALSE(mixed.convergence.settle);
  EXPECT_FALSE(check_options(parse({"a", "b", "--method", "dip"})).convergence.settle);
}

TEST(Options, ValuesAreConverted) {
  const CheckedOptions c =
      check_options(parse({"a", "b", "--device", "cpu,cpu", "--tile", "256", "--shard", "2/5",
                           "--method", "dip-l1", "--upsampling", "nearest"}));
  EXPECT_EQ(c.devices.size(), 2u);
  EXPECT_FALSE(c.tile.automatic);
  EXPECT_EQ(c.tile.side, 256);
  EXPECT_EQ(c.shard.index, 2u);
  EXPECT_EQ(c.shard.count, 5u);
  EXPECT_EQ(c.train.method, Method::kDipL1);
  EXPECT_EQ(c.train.network.upsampling, Upsampling::kNearest);
  EXPECT_EQ(parse_tile("off").side, 0);
  EXPECT_FALSE(parse_tile("off").automatic);
  const CheckedOptions gpu =
      check_options(parse({"a", "b", "--precision", "bf16", "--cudnn-benchmark"}));
  EXPECT_EQ(gpu.train.precision, Precision::kBFloat16);
  EXPECT_TRUE(gpu.train.cudnn_benchmark);
  EXPECT_EQ(c.train.precision, Precision::kDefault);
  EXPECT_FALSE(c.train.cudnn_benchmark);
}

TEST(Options, BadValuesAreUsageErrorsNamingTheOption) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--tile", "8"}, "--tile"},
      {{"--tile", "256px"}, "--tile"},
      {{"--tile", "99999999999999999999999"}, "--tile"},
      {{"--shard", "0/3"}, "0/3"},
      {{"--shard", "4/3"}, "4/3"},
      {{"--shard", "1/"}, "1/"},
      {{"--log-every", "0"}, "--log-every"},
      {{"--checkpoint-every", "-1"}, "--checkpoint-every"},
      {{"--max-pixels", "0"}, "--max-pixels"},
      {{"--threads", "-2"}, "--threads"},
      {{"--tile-overlap", "-1"}, "--tile-overlap"},
      {{"--device", "tpu"}, "tpu"},
      {{"--device", "cpu,"}, "device"},
      {{"--iterations", "0"}, "iterations"},
      {{"--width", "0"}, "width"},
      {{"--alpha", "-1"}, "alpha"},
      {{"--time-budget", "-1"}, "--time-budget"},
      {{"--output-average", "1"}, "output average"},
      {{"--lr-decay-after", "-1"}, "lr decay start"},
  };
  for (const auto& [args, named] : cases) {
    std::vector<std::string> all = {"in.png", "out.png"};
    all.insert(all.end(), args.begin(), args.end());
    try {
      (void)check_options(parse(all));
      ADD_FAILURE() << "accepted " << args[0] << " " << args[1];
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(named), std::string::npos) << e.what();
    }
  }
}

TEST(Options, SyntaxErrorsAreCaughtByTheParser) {
  EXPECT_THROW(parse({"--method", "magic"}), CLI::ParseError);
  EXPECT_THROW(parse({"--iterations", "many"}), CLI::ParseError);
  EXPECT_THROW(parse({"--bit-depth", "12"}), CLI::ParseError);
  EXPECT_THROW(parse({"--compose", "on"}), CLI::ParseError);
  EXPECT_THROW(parse({"--precision", "fp8"}), CLI::ParseError);
  EXPECT_THROW(parse({"a", "b", "c"}), CLI::ParseError);
  EXPECT_THROW(parse({"--help"}), CLI::CallForHelp);
  EXPECT_THROW(parse({"--version"}), CLI::CallForVersion);
}

}  // namespace
}  // namespace dop::cli
