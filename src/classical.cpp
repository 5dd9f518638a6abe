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

}  // namespace

at::Tensor median_filter(const at::Tensor& image, int64_t window) {
  require(window >= 1 && window % 2 == 1, "median window", window, "odd, >= 1");
  const at::Tensor in = as_chw_float(image, "median filter input shape");
  at::Tensor out = at::empty_like(in);
  const int64_t channels = in.size(0), height = in.size(1), width = in.size(2);
  const int64_t r = window / 2;
  const float* src = in.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  at::parallel_for(0, channels * height, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> values(static_cast<size_t>(window * window));
    for (int64_t row = begin; row < end; ++row) {
      const int64_t c = row / height, y = row % height;
      const float* plane = src + c * height * width;
      for (int64_t x = 0; x < width; ++x) {
        size_t n = 0;
        for (int64_t dy = -r; dy <= r; ++dy) {
          const int64_t yy = std::clamp<int64_t>(y + dy, 0, height - 1);
          for (int64_t dx = -r; dx <= r; ++dx) {
            values[n++] = plane[yy * width + std::clamp<int64_t>(x + dx, 0, width - 1)];
          }
        }
        dst[row * width + x] = median_of(values, n);
      }
    }
  });
  return out;
}

at::Tensor switching_median_filter(const at::Tensor& image, int64_t max_radius) {
  require(max_radius >= 1, "switching median radius", max_radius, ">= 1");
  const at::Tensor in = as_chw_float(image, "switching median input shape");
  at::Tensor out = in.clone();
  const int64_t channels = in.size(0), height = in.size(1), width = in.size(2);
  const float* src = in.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  at::parallel_for(0, channels * height, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> values(static_cast<size_t>((2 * max_radius + 1) * (2 * max_radius + 1)));
    for (int64_t row = begin; row < end; ++row) {
      const int64_t c = row / height, y = row % height;
      const float* plane = src + c * height * width;
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
            dst[row * width + x] = median_of(values, n);
            break;
          }
        }
      }
    }
  });
  return out;
}

}  // namespace dop
