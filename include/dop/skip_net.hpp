#pragma once

#include <cstdint>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>

#include "dop/paper.hpp"

namespace dop {

/// How the decoder doubles the resolution at each level.
enum class Upsampling { kBilinear, kNearest };

/// Shape of the Deep Image Prior "skip" generator (docs/algorithm.md §1).
struct SkipNetOptions {
  /// Channels of the fixed network input z, ≥ 1.
  int64_t input_channels = 32;
  /// Channels of the image produced (1 = gray, 3 = RGB), ≥ 1.
  int64_t output_channels = 3;
  /// Channels of every encoder and decoder level, ≥ 1 (the paper: 128).
  int64_t width = paper::kWidth;
  /// Number of levels; each halves the resolution, 1..10.
  int64_t scales = 5;
  /// Channels of each skip connection, ≥ 0 (0 = no skip connections).
  int64_t skip_channels = 4;
  /// Decoder upsampling (the paper: bilinear, align_corners = false).
  Upsampling upsampling = Upsampling::kBilinear;

  /// Image sides the network accepts are multiples of this (2^scales) ...
  int64_t size_multiple() const { return int64_t{1} << scales; }
  /// ... and at least this large (the deepest level's 3×3 reflect padding needs 2×2).
  int64_t minimum_size() const { return size_multiple() * 2; }

  /// Throws dop::UsageError naming the first field out of range.
  void validate() const;
};

/// The DIP encoder-decoder with skip connections: f(θ; z) in the paper.
///
/// Level i: skip = 1×1 conv → BN → LeakyReLU; down = 3×3/2 conv → BN → LeakyReLU →
/// 3×3 conv → BN → LeakyReLU; then level i+1, ×2 upsampling, concatenation
/// [skip, down], BN, 3×3 conv → BN → LeakyReLU → 1×1 conv → BN → LeakyReLU.
/// A 1×1 conv and a sigmoid make the image. 3×3 convolutions pad by reflection.
class SkipNetImpl : public torch::nn::Module {
 public:
  explicit SkipNetImpl(const SkipNetOptions& options = {});

  /// z: N × input_channels × H × W with H, W multiples of size_multiple().
  /// Returns N × output_channels × H × W in (0, 1).
  torch::Tensor forward(const torch::Tensor& z);

  const SkipNetOptions& options() const { return options_; }

  /// Number of trainable scalars (BatchNorm running statistics are buffers, not counted).
  int64_t parameter_count() const;

 private:
  SkipNetOptions options_;
  std::vector<torch::nn::Sequential> skip_;  // empty when skip_channels == 0
  std::vector<torch::nn::Sequential> down_;
  std::vector<torch::nn::Sequential> join_;
  torch::nn::Sequential head_{nullptr};
};

TORCH_MODULE(SkipNet);

}  // namespace dop
