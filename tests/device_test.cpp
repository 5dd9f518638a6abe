#include "dop/device.hpp"

#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "dop/error.hpp"

namespace dop {
namespace {

TEST(Device, Spellings) {
  EXPECT_EQ(resolve_device("cpu"), c10::Device(c10::kCPU));
  EXPECT_EQ(resolve_device("auto").is_cuda(), torch::cuda::is_available());
  EXPECT_THROW(resolve_device("gpu"), UsageError);
  EXPECT_THROW(resolve_device("cuda:x"), UsageError);
  EXPECT_THROW(resolve_device("cudaa"), UsageError);
}

TEST(Device, CudaWithoutAGpuIsAUsageError) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "a GPU is visible";
  EXPECT_THROW(resolve_device("cuda"), UsageError);
  EXPECT_THROW(resolve_device("cuda:0"), UsageError);
}

TEST(Device, Threads) {
  EXPECT_EQ(configure_threads(1), 1);
  EXPECT_GE(configure_threads(0), 1);
  EXPECT_THROW(configure_threads(-1), UsageError);
  EXPECT_EQ(list_devices().front().rfind("cpu", 0), 0u);
}

}  // namespace
}  // namespace dop
