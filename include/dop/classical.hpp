#pragma once

#include <cstdint>

#include <ATen/core/Tensor.h>

namespace dop {

/// Classical peers for sparse damage (docs/algorithm.md, "Classical peers"): the filters a
/// user would reach for instead of DOP. Each takes and returns a C×H×W float image in
/// [0, 1] on the CPU and filters every channel on its own. The salt-and-pepper filters
/// (switching median, adaptive median, iterative mean) treat exactly 0 and exactly 1 as
/// the noise values and keep every other sample as it is.

/// Median of the window×window square around each element (window odd, ≥ 1); the border
/// repeats the edge values. Removes impulses everywhere, and blurs detail with them.
at::Tensor median_filter(const at::Tensor& image, int64_t window);

/// Switching median filter: only elements equal to 0 or 1 (the values salt-and-pepper
/// writes) are replaced, by the median of the values that are neither in the smallest
/// square window, of radius 1 … max_radius and clipped to the image, that has any; all
/// other elements are kept. An element whose largest window has no such value is kept.
/// Strong for salt-and-pepper noise, blind to random-valued impulses. (The decision-based
/// filters of the DAMF family, Erkan et al. 2018, work this way.)
at::Tensor switching_median_filter(const at::Tensor& image, int64_t max_radius = 7);

/// Adaptive median filter (Hwang & Haddad 1995): for each element the window grows from
/// 3×3 until its median lies strictly between its minimum and maximum (else, past
/// max_window, the median of the largest window is taken); the element is kept when it too
/// lies strictly between them, and replaced by the median otherwise. max_window odd, ≥ 3.
at::Tensor adaptive_median_filter(const at::Tensor& image, int64_t max_window = 7);

/// Iterative mean filter (after Erkan, Thanh, Hieu & Enginoğlu 2019): elements equal to 0
/// or 1 are noise candidates; each pass replaces every candidate by the mean of the
/// noise-free values in its 3×3 window, where a candidate restored in an earlier pass
/// counts as noise-free. Passes repeat until no value changes by more than `tolerance`
/// (or `max_passes`), which fills dense noise from the intact samples inwards.
at::Tensor iterative_mean_filter(const at::Tensor& image, double tolerance = 1e-4,
                                 int64_t max_passes = 500);

/// Adaptive centre-weighted median filter (Chen & Wu 2001), for random-valued impulses:
/// an element is an impulse when, for some k in 0…3, its distance to the 3×3 median
/// with centre weight 2k + 1 exceeds s·MAD + δ_k (MAD: the window's median absolute
/// deviation from its median; δ = 40, 25, 10, 5 on the 0-255 scale, here /255); impulses
/// are replaced by the 3×3 median, the rest kept. `passes` applications, each on the
/// previous one's result. s in [0, 1], passes ≥ 1.
at::Tensor acwm_filter(const at::Tensor& image, double s = 0.3, int64_t passes = 1);

}  // namespace dop
