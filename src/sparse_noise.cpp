#include "dop/sparse_noise.hpp"

#include <string>

#include "dop/error.hpp"

namespace dop {

SparseNoiseImpl::SparseNoiseImpl(at::IntArrayRef shape, double init_scale) {
  if (!(init_scale >= 0.0)) {
    throw UsageError("the initial scale of g and h must be >= 0, got " +
                     std::to_string(init_scale));
  }
  g_ = register_parameter("g", torch::randn(shape) * init_scale);
  h_ = register_parameter("h", torch::randn(shape) * init_scale);
}

torch::Tensor SparseNoiseImpl::forward() const { return g_ * g_ - h_ * h_; }

}  // namespace dop
