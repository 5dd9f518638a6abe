#pragma once

#include <torch/nn/module.h>

namespace dop {

/// The over-parameterised sparse term s = g⊙g − h⊙h of the paper (docs/algorithm.md §1).
///
/// g and h have the shape of the image. Started tiny, they grow only where the
/// network cannot explain the observation, which is what makes s sparse.
class SparseNoiseImpl : public torch::nn::Module {
 public:
  /// shape: the observed image's shape; init_scale: standard deviation of the
  /// N(0, init_scale²) start of g and h (the paper: 1e-5), ≥ 0.
  SparseNoiseImpl(at::IntArrayRef shape, double init_scale);

  /// s = g⊙g − h⊙h.
  torch::Tensor forward() const;

  torch::Tensor& g() { return g_; }
  torch::Tensor& h() { return h_; }

 private:
  torch::Tensor g_;
  torch::Tensor h_;
};

TORCH_MODULE(SparseNoise);

}  // namespace dop
