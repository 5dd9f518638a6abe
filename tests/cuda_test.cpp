// The same code path on a CUDA device. Every test skips itself when none is visible.
#include <ATen/Context.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/types.h>

#include "dop/corruption.hpp"
#include "dop/device.hpp"
#include "dop/metrics.hpp"
#include "dop/trainer.hpp"

namespace dop {
namespace {

#define REQUIRE_CUDA() \
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device visible to this LibTorch"

TEST(Cuda, AutoPicksTheGpu) {
  REQUIRE_CUDA();
  EXPECT_TRUE(resolve_device("auto").is_cuda());
  EXPECT_TRUE(resolve_device("cuda:0").is_cuda());
}

// A smooth 3×64×64 image, a copy with 30% salt-and-pepper noise, and a short run of it
// on the GPU.
struct GpuCase {
  at::Tensor clean = (0.5 + 0.4 * at::sin(at::arange(64 * 64, at::kFloat).view({1, 64, 64}) / 50.0))
                         .expand({3, 64, 64})
                         .contiguous();
  at::Tensor noisy = salt_and_pepper(clean, 0.3, 1);
  TrainOptions options = [] {
    TrainOptions o;
    o.network.width = 16;
    o.iterations = 200;
    return o;
  }();
  RunOptions run = [] {
    RunOptions r;
    r.device = resolve_device("cuda");
    return r;
  }();
};

TEST(Cuda, RestoresLikeTheCpu) {
  REQUIRE_CUDA();
  const GpuCase c;
  const at::Tensor& ref = c.clean;
  const at::Tensor& noisy = c.noisy;
  const Restoration gpu = restore(noisy, c.options, c.run);
  const Restoration cpu = restore(noisy, c.options);
  EXPECT_EQ(gpu.image.device().type(), c10::kCPU);
  EXPECT_EQ(gpu.image.sizes(), noisy.sizes());
  // Different kernels, different rounding: the same quality, not the same bits.
  EXPECT_NEAR(psnr(gpu.image, ref), psnr(cpu.image, ref), 1.5);
}

// The GPU speed settings: TF32 and cuDNN's benchmark mode are set for the process; bf16
// restores about as well as float32.
TEST(Cuda, PrecisionSettingsApplyAndBFloat16RestoresAsWell) {
  REQUIRE_CUDA();
  const GpuCase c;
  const at::Tensor& ref = c.clean;
  const at::Tensor& noisy = c.noisy;
  const RunOptions& run = c.run;
  TrainOptions o = c.options;
  o.precision = Precision::kTF32;
  o.cudnn_benchmark = true;
  const Restoration tf32 = restore(noisy, o, run);
  EXPECT_TRUE(at::globalContext().allowTF32CuBLAS());
  EXPECT_TRUE(at::globalContext().allowTF32CuDNN());
  EXPECT_TRUE(at::globalContext().benchmarkCuDNN());
  o.precision = Precision::kFloat32;
  o.cudnn_benchmark = false;
  const Restoration full = restore(noisy, o, run);
  EXPECT_FALSE(at::globalContext().allowTF32CuBLAS());
  EXPECT_FALSE(at::globalContext().allowTF32CuDNN());
  EXPECT_FALSE(at::globalContext().benchmarkCuDNN());
  o.precision = Precision::kBFloat16;
  const Restoration half = restore(noisy, o, run);
  EXPECT_EQ(half.image.scalar_type(), at::kFloat);
  EXPECT_NEAR(psnr(half.image, ref), psnr(full.image, ref), 1.5);
  EXPECT_NEAR(psnr(tf32.image, ref), psnr(full.image, ref), 1.5);
}

TEST(Cuda, MissingDeviceIsAUsageError) {
  REQUIRE_CUDA();
  EXPECT_ANY_THROW(resolve_device("cuda:999"));
}

}  // namespace
}  // namespace dop
