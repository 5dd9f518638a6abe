#include "dop/tiles.hpp"

#include <gtest/gtest.h>
#include <torch/types.h>

#include "dop/error.hpp"
#include "test_util.hpp"

namespace dop {
namespace {

TEST(Tiles, StartsCoverTheAxisWithTheOverlap) {
  EXPECT_EQ(tile_starts(100, 128, 16), (std::vector<int64_t>{0}));
  for (int64_t length : {129, 200, 511, 4096}) {
    for (int64_t tile : {64, 128}) {
      const auto s = tile_starts(length, tile, 16);
      EXPECT_EQ(s.front(), 0);
      EXPECT_EQ(s.back() + tile, length);  // the last tile ends at the edge
      for (size_t i = 1; i < s.size(); ++i) {
        EXPECT_GE(s[i - 1] + tile - s[i], 16) << length << " " << tile;  // overlap
        EXPECT_GT(s[i], s[i - 1]);
      }
    }
  }
  EXPECT_THROW(tile_starts(100, 16, 16), UsageError);
}

TEST(Tiles, RestoringEachTileAsItselfGivesTheImageBack) {
  const at::Tensor img = test::smooth_image(3, 70, 95);
  int64_t calls = 0;
  const at::Tensor out = blend_tiles(img, 32, 8, [&](const at::Tensor& t, int64_t, int64_t) {
    ++calls;
    return t;
  });
  EXPECT_TRUE(at::allclose(out, img, 1e-6, 1e-6));
  EXPECT_EQ(calls, 3 * 4);  // 70 rows: 3 tiles of 32; 95 columns: 4
}

// Tiles that disagree (each off by its own constant) blend into ramps, not steps: no
// jump between neighbouring pixels exceeds the disagreement spread over the overlap.
TEST(Tiles, DisagreeingTilesBlendWithoutSeams) {
  const at::Tensor flat = at::zeros({1, 64, 64});
  const at::Tensor out = blend_tiles(flat, 24, 8, [&](const at::Tensor& t, int64_t index, int64_t) {
    return t + 0.1 * static_cast<double>(index % 2);
  });
  const double max_step_x =
      (out.narrow(2, 1, 63) - out.narrow(2, 0, 63)).abs().max().item<double>();
  const double max_step_y =
      (out.narrow(1, 1, 63) - out.narrow(1, 0, 63)).abs().max().item<double>();
  EXPECT_LT(max_step_x, 0.1 / 8 + 1e-6);
  EXPECT_LT(max_step_y, 0.1 / 8 + 1e-6);
  EXPECT_GT(out.max().item<double>(), 0.05);  // the offsets are there, spread out
}

TEST(Tiles, RestoreTiledKeepsTheShapeAndRefusesCheckpoints) {
  const at::Tensor img = test::smooth_image(3, 50, 70);
  TrainOptions o;
  o.iterations = 2;
  o.network.width = 4;
  o.network.scales = 2;
  RunOptions run;
  run.clean = img;
  const Restoration r = restore_tiled(img, o, run, 32, 8);
  EXPECT_EQ(r.image.sizes(), img.sizes());
  EXPECT_EQ(r.corruption.sizes(), img.sizes());
  ASSERT_EQ(r.history.size(), 1u);
  EXPECT_GT(r.history[0].psnr, 0.0);
  run.checkpoint = "x.ckpt";
  EXPECT_THROW(restore_tiled(img, o, run, 32, 8), UsageError);
}

TEST(Tiles, MemoryEstimateGrowsWithPixelsAndWidthAndPicksATileThatFits) {
  SkipNetOptions narrow, wide;
  narrow.width = 32;
  wide.width = 128;
  const double a = estimate_training_bytes(3, 256, 256, narrow);
  EXPECT_GT(estimate_training_bytes(3, 512, 512, narrow), 3.0 * a);
  EXPECT_GT(estimate_training_bytes(3, 256, 256, wide), a);
  EXPECT_EQ(tile_for_memory(3, 256, 256, narrow, 2 * a), 0);  // fits: no tiles
  const int64_t tile = tile_for_memory(3, 4096, 4096, wide, 2e9);
  EXPECT_GE(tile, wide.minimum_size());
  EXPECT_LE(estimate_training_bytes(3, tile, tile, wide), 2e9);
  EXPECT_GT(
      estimate_training_bytes(3, tile + wide.size_multiple(), tile + wide.size_multiple(), wide),
      2e9);
  EXPECT_GT(available_memory_bytes(c10::kCPU), 0.0);
}

}  // namespace
}  // namespace dop
