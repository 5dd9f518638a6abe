#include "dop/padding.hpp"

#include <algorithm>
#include <vector>

#include <ATen/ATen.h>

namespace dop {
namespace {

// Source index, for each output index, of a mirror-reflected extension of a side of length n.
at::Tensor reflect_indices(int64_t n, int64_t padded) {
  std::vector<int64_t> index(static_cast<size_t>(padded));
  const int64_t period = 2 * (n - 1);
  for (int64_t i = 0; i < padded; ++i) {
    if (n == 1) {
      index[static_cast<size_t>(i)] = 0;
      continue;
    }
    const int64_t k = i % period;
    index[static_cast<size_t>(i)] = k < n ? k : period - k;
  }
  return at::tensor(index, at::kLong);
}

}  // namespace

int64_t padded_side(int64_t side, int64_t multiple, int64_t minimum) {
  const int64_t target = std::max(side, minimum);
  return (target + multiple - 1) / multiple * multiple;
}

at::Tensor pad_reflect(const at::Tensor& image, int64_t multiple, int64_t minimum) {
  TORCH_CHECK(image.dim() >= 2, "pad_reflect needs at least two dimensions");
  TORCH_CHECK(multiple >= 1, "pad_reflect: multiple must be >= 1");
  const int64_t h = image.size(-2);
  const int64_t w = image.size(-1);
  TORCH_CHECK(h >= 1 && w >= 1, "pad_reflect: empty image");
  const int64_t ph = padded_side(h, multiple, minimum);
  const int64_t pw = padded_side(w, multiple, minimum);
  at::Tensor out = image;
  if (ph != h) out = out.index_select(-2, reflect_indices(h, ph).to(image.device()));
  if (pw != w) out = out.index_select(-1, reflect_indices(w, pw).to(image.device()));
  return out;
}

at::Tensor crop(const at::Tensor& image, int64_t height, int64_t width) {
  return image.narrow(-2, 0, height).narrow(-1, 0, width);
}

}  // namespace dop
