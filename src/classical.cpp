#include "dop/classical.hpp"

#include <algorithm>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "require.hpp"

namespace dop {
namespace {

using detail::require;

at::Tensor as_chw_float(const at::Tensor& image, const char* what) {
  require(image.dim() == 3 && image.numel() > 0, what, image.sizes(), "a non-empty C×H×W image");
  return image.detach().to(at::kCPU, at::kFloat).contiguous();
}

// Median of values[0, n): the middle one, or the mean of the two middle ones.
float median_of(std::vector<float>& values, size_t n) {
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(values.begin(), mid, values.begin() + static_cast<std::ptrdiff_t>(n));
  if (n % 2 == 1) return *mid;
  const float upper = *mid;
  const float lower = *std::max_element(values.begin(), mid);
  return 0.5f * (lower + upper);
}

bool is_extreme(float v) { return v == 0.0f || v == 1.0f; }

// Runs body(plane, out, c, y) for every row y of every channel c, rows split across
// threads. plane/out: the channel's H×W input and output.
template <typename Body>
void for_each_row(const at::Tensor& in, at::Tensor& out, const Body& body) {
  const int64_t height = in.size(1), width = in.size(2);
  const float* src = in.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  at::parallel_for(0, in.size(0) * height, 1, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t c = row / height;
      body(src + c * height * width, dst + c * height * width, row % height);
    }
  });
}

// Gathers the (clamped-at-the-border) window of radius r around (y, x) into `values`;
// returns how many.
size_t gather(const float* plane, int64_t height, int64_t width, int64_t y, int64_t x, int64_t r,
              std::vector<float>& values) {
  size_t n = 0;
  for (int64_t dy = -r; dy <= r; ++dy) {
    const int64_t yy = std::clamp<int64_t>(y + dy, 0, height - 1);
    for (int64_t dx = -r; dx <= r; ++dx) {
      values[n++] = plane[yy * width + std::clamp<int64_t>(x + dx, 0, width - 1)];
    }
  }
  return n;
}

}  // namespace

at::Tensor median_filter(const at::Tensor& image, int64_t window) {
  require(window >= 1 && window % 2 == 1, "median window", window, "odd, >= 1");
  const at::Tensor in = as_chw_float(image, "median filter input shape");
  at::Tensor out = at::empty_like(in);
  const int64_t height = in.size(1), width = in.size(2);
  for_each_row(in, out, [&](const float* plane, float* dst, int64_t y) {
    std::vector<float> values(static_cast<size_t>(window * window));
    for (int64_t x = 0; x < width; ++x) {
      const size_t n = gather(plane, height, width, y, x, window / 2, values);
      dst[y * width + x] = median_of(values, n);
    }
  });
  return out;
}

at::Tensor switching_median_filter(const at::Tensor& image, int64_t max_radius) {
  require(max_radius >= 1, "switching median radius", max_radius, ">= 1");
  const at::Tensor in = as_chw_float(image, "switching median input shape");
  at::Tensor out = in.clone();
  const int64_t height = in.size(1), width = in.size(2);
  for_each_row(in, out, [&](const float* plane, float* dst, int64_t y) {
    std::vector<float> values(static_cast<size_t>((2 * max_radius + 1) * (2 * max_radius + 1)));
    for (int64_t x = 0; x < width; ++x) {
      if (!is_extreme(plane[y * width + x])) continue;
      for (int64_t r = 1; r <= max_radius; ++r) {
        size_t n = 0;
        for (int64_t yy = std::max<int64_t>(0, y - r); yy <= std::min(height - 1, y + r); ++yy) {
          for (int64_t xx = std::max<int64_t>(0, x - r); xx <= std::min(width - 1, x + r); ++xx) {
            const float v = plane[yy * width + xx];
            if (!is_extreme(v)) values[n++] = v;
          }
        }
        if (n > 0) {
          dst[y * width + x] = median_of(values, n);
          break;
        }
      }
    }
  });
  return out;
}

at::Tensor adaptive_median_filter(const at::Tensor& image, int64_t max_window) {
  require(max_window >= 3 && max_window % 2 == 1, "adaptive median window", max_window,
          "odd, >= 3");
  const at::Tensor in = as_chw_float(image, "adaptive median input shape");
  at::Tensor out = in.clone();
  const int64_t height = in.size(1), width = in.size(2);
  for_each_row(in, out, [&](const float* plane, float* dst, int64_t y) {
    std::vector<float> values(static_cast<size_t>(max_window * max_window));
    for (int64_t x = 0; x < width; ++x) {
      const float centre = plane[y * width + x];
      float median = centre;
      bool decided = false;
      for (int64_t r = 1; r <= max_window / 2 && !decided; ++r) {
        const size_t n = gather(plane, height, width, y, x, r, values);
        const auto [lo, hi] = std::minmax_element(values.begin(), values.begin() + n);
        const float low = *lo, high = *hi;
        median = median_of(values, n);
        // Level A: a median strictly inside the window's range is not itself an impulse.
        // Level B: then the centre is kept unless it is at the range's ends.
        decided = low < median && median < high;
        if (decided && low < centre && centre < high) median = centre;
      }
      dst[y * width + x] = median;
    }
  });
  return out;
}

at::Tensor iterative_mean_filter(const at::Tensor& image, double tolerance, int64_t max_passes) {
  require(tolerance >= 0.0, "iterative mean tolerance", tolerance, ">= 0");
  require(max_passes >= 1, "iterative mean passes", max_passes, ">= 1");
  const at::Tensor in = as_chw_float(image, "iterative mean input shape");
  const int64_t planes = in.size(0), height = in.size(1), width = in.size(2);
  at::Tensor current = in.clone();
  // 0: noise-free from the start, 1: a candidate not yet restored, 2: restored.
  at::Tensor state = ((in == 0) | (in == 1)).to(at::kByte);
  for (int64_t pass = 0; pass < max_passes; ++pass) {
    at::Tensor next = current.clone();
    at::Tensor next_state = state.clone();
    const float* cur = current.data_ptr<float>();
    const uint8_t* st = state.data_ptr<uint8_t>();
    float* nxt = next.data_ptr<float>();
    uint8_t* nst = next_state.data_ptr<uint8_t>();
    std::vector<double> change(static_cast<size_t>(planes * height), 0.0);
    at::parallel_for(0, planes * height, 1, [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        const int64_t base = (row / height) * height * width, y = row % height;
        for (int64_t x = 0; x < width; ++x) {
          const int64_t i = base + y * width + x;
          if (st[i] == 0) continue;
          double sum = 0.0;
          int n = 0;
          for (int64_t yy = std::max<int64_t>(0, y - 1); yy <= std::min(height - 1, y + 1); ++yy) {
            for (int64_t xx = std::max<int64_t>(0, x - 1); xx <= std::min(width - 1, x + 1); ++xx) {
              const int64_t j = base + yy * width + xx;
              if (j == i || st[j] == 1) continue;
              sum += cur[j];
              ++n;
            }
          }
          if (n == 0) continue;
          const auto value = static_cast<float>(sum / n);
          // A candidate's first value counts as a change as large as any.
          change[static_cast<size_t>(row)] =
              std::max(change[static_cast<size_t>(row)],
                       st[i] == 1 ? 1.0 : std::abs(static_cast<double>(value - cur[i])));
          nxt[i] = value;
          nst[i] = 2;
        }
      }
    });
    current = next;
    state = next_state;
    if (*std::max_element(change.begin(), change.end()) <= tolerance) break;
  }
  return current;
}

at::Tensor acwm_filter(const at::Tensor& image, double s, int64_t passes) {
  require(s >= 0.0 && s <= 1.0, "ACWM s", s, "in [0, 1]");
  require(passes >= 1, "ACWM passes", passes, ">= 1");
  constexpr float kDelta[4] = {40.0f / 255, 25.0f / 255, 10.0f / 255, 5.0f / 255};
  at::Tensor current = as_chw_float(image, "ACWM input shape");
  const int64_t height = current.size(1), width = current.size(2);
  for (int64_t pass = 0; pass < passes; ++pass) {
    at::Tensor out = current.clone();
    for_each_row(current, out, [&](const float* plane, float* dst, int64_t y) {
      std::vector<float> values(9 + 6), sorted(9), deviations(9);
      for (int64_t x = 0; x < width; ++x) {
        const size_t n = gather(plane, height, width, y, x, 1, values);
        const float centre = plane[y * width + x];
        std::copy(values.begin(), values.begin() + n, sorted.begin());
        std::sort(sorted.begin(), sorted.end());
        const float median = sorted[4];
        for (size_t i = 0; i < 9; ++i) deviations[i] = std::abs(sorted[i] - median);
        std::nth_element(deviations.begin(), deviations.begin() + 4, deviations.end());
        const float mad = deviations[4];
        bool impulse = false;
        for (int k = 0; k < 4 && !impulse; ++k) {
          // Centre weight 2k + 1: the centre counted 2k more times among the 9 values.
          const size_t m = 9 + 2 * static_cast<size_t>(k);
          std::copy(sorted.begin(), sorted.end(), values.begin());
          std::fill(values.begin() + 9, values.begin() + static_cast<std::ptrdiff_t>(m), centre);
          std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(m / 2),
                           values.begin() + static_cast<std::ptrdiff_t>(m));
          const float weighted = values[m / 2];
          impulse = std::abs(weighted - centre) > static_cast<float>(s) * mad + kDelta[k];
        }
        if (impulse) dst[y * width + x] = median;
      }
    });
    current = out;
  }
  return current;
}

}  // namespace dop
