#pragma once

#include <cstdint>

#include <ATen/core/Tensor.h>

namespace dop {

/// Pads the last two dimensions at the bottom and right, by mirror reflection
/// (without repeating the edge), so that each side becomes a multiple of `multiple`
/// and at least `minimum`. Unlike torch's reflection padding it accepts pads larger
/// than the image (the mirror repeats), so 1×N images work too.
at::Tensor pad_reflect(const at::Tensor& image, int64_t multiple, int64_t minimum);

/// The padded side for `side`: the next multiple of `multiple` that is ≥ max(side, minimum).
int64_t padded_side(int64_t side, int64_t multiple, int64_t minimum);

/// Top-left `height` × `width` part of the last two dimensions (undoes pad_reflect).
at::Tensor crop(const at::Tensor& image, int64_t height, int64_t width);

}  // namespace dop
