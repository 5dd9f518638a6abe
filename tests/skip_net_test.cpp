#include "dop/skip_net.hpp"

#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "dop/error.hpp"

namespace dop {
namespace {

int64_t count(int64_t width, int64_t out = 3) {
  SkipNetOptions o;
  o.width = width;
  o.output_channels = out;
  return SkipNet(o)->parameter_count();
}

// docs/algorithm.md §1: the counts of the paper's generator (BatchNorm affine weights included).
TEST(SkipNet, ParameterCountsMatchThePaper) {
  EXPECT_EQ(count(128), 2217831);
  EXPECT_EQ(count(64), 572455);
  EXPECT_EQ(count(32), 152199);
}

TEST(SkipNet, OutputHasTheImageShapeAndRange) {
  torch::manual_seed(0);
  for (int64_t channels : {1, 3}) {
    SkipNetOptions o;
    o.width = 8;
    o.output_channels = channels;
    SkipNet net(o);
    const auto z = torch::rand({1, 32, 64, 96}) * 0.1;
    const auto y = net->forward(z);
    EXPECT_EQ(y.sizes(), (std::vector<int64_t>{1, channels, 64, 96}));
    EXPECT_GT(y.min().item<float>(), 0.0f);
    EXPECT_LT(y.max().item<float>(), 1.0f);
  }
}

TEST(SkipNet, OtherShapesWork) {
  SkipNetOptions o;
  o.width = 4;
  o.scales = 3;
  o.skip_channels = 0;
  o.upsampling = Upsampling::kNearest;
  o.input_channels = 2;
  SkipNet net(o);
  EXPECT_EQ(o.size_multiple(), 8);
  EXPECT_EQ(net->forward(torch::rand({1, 2, 16, 24})).sizes(),
            (std::vector<int64_t>{1, 3, 16, 24}));
}

TEST(SkipNet, RejectsSidesItCannotHandle) {
  SkipNetOptions o;
  o.width = 4;
  SkipNet net(o);
  EXPECT_THROW(net->forward(torch::rand({1, 32, 48, 64})), c10::Error);  // not a multiple of 32
  EXPECT_THROW(net->forward(torch::rand({1, 32, 32, 64})), c10::Error);  // deepest level 1×1
  EXPECT_THROW(net->forward(torch::rand({1, 3, 64, 64})), c10::Error);   // wrong channels
}

TEST(SkipNet, ValidatesOptions) {
  SkipNetOptions o;
  o.width = 0;
  EXPECT_THROW(SkipNet{o}, UsageError);
  o = {};
  o.scales = 0;
  EXPECT_THROW(SkipNet{o}, UsageError);
  o = {};
  o.skip_channels = -1;
  EXPECT_THROW(SkipNet{o}, UsageError);
}

}  // namespace
}  // namespace dop
