#pragma once

#include <cstdint>

#include <ATen/core/Tensor.h>

namespace dop {

/// Classical peers for impulse noise (ALGORITHM.md §3), the methods a user would reach for
/// instead of DOP. Both take and return C×H×W float images in [0, 1] on the CPU; every
/// channel is filtered on its own.

/// Median of the window×window square around each element (window odd, ≥ 1); the border
/// repeats the edge values. Removes impulses everywhere, and blurs detail with them.
at::Tensor median_filter(const at::Tensor& image, int64_t window);

/// Switching median filter: only elements equal to 0 or 1 (the values salt-and-pepper
/// writes) are replaced, by the median of the values that are neither in the smallest
/// square window, of radius 1 … max_radius and clipped to the image, that has any; all
/// other elements are kept. An element whose largest window has no such value is kept.
/// Strong for salt-and-pepper noise, blind to random-valued impulses.
at::Tensor switching_median_filter(const at::Tensor& image, int64_t max_radius = 7);

}  // namespace dop
