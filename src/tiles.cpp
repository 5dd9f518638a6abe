#include "dop/tiles.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include <dlfcn.h>

#include <ATen/ATen.h>

#include "dop/error.hpp"
#include "dop/metrics.hpp"
#include "dop/padding.hpp"
#include "require.hpp"

namespace dop {
namespace {

using detail::require;

// Weight of one tile along one axis: a ramp 1/(overlap+1) … 1 over `overlap` samples at
// each end that meets a neighbour, 1 elsewhere.
at::Tensor ramp(int64_t size, int64_t overlap, bool before, bool after) {
  at::Tensor w = at::ones({size}, at::kFloat);
  const int64_t n = std::min(overlap, size);
  if (n <= 0) return w;
  const at::Tensor up = at::arange(1, n + 1, at::kFloat) / static_cast<double>(n + 1);
  if (before) w.narrow(0, 0, n).mul_(up);
  if (after) w.narrow(0, size - n, n).mul_(up.flip(0));
  return w;
}

}  // namespace

std::vector<int64_t> tile_starts(int64_t length, int64_t tile, int64_t overlap) {
  require(tile >= 1, "tile", tile, ">= 1");
  require(overlap >= 0 && overlap < tile, "tile overlap", overlap, ">= 0 and < the tile");
  if (length <= tile) return {0};
  const int64_t stride = tile - overlap;
  const int64_t count = 1 + (length - tile + stride - 1) / stride;
  std::vector<int64_t> starts;
  for (int64_t i = 0; i < count; ++i) {
    // Evenly spread between 0 and length - tile: overlaps are ≥ the requested one.
    starts.push_back(i * (length - tile) / (count - 1));
  }
  return starts;
}

at::Tensor blend_tiles(
    const at::Tensor& image, int64_t tile, int64_t overlap,
    const std::function<at::Tensor(const at::Tensor&, int64_t, int64_t)>& restore_tile) {
  require(image.dim() == 3, "tiled image dimensions", image.dim(), "3 (C×H×W)");
  const int64_t h = image.size(1), w = image.size(2);
  const auto ys = tile_starts(h, tile, overlap), xs = tile_starts(w, tile, overlap);
  const int64_t th = std::min(tile, h), tw = std::min(tile, w);
  at::Tensor sum = at::zeros({image.size(0), h, w}, at::kFloat);
  at::Tensor weight = at::zeros({1, h, w}, at::kFloat);
  const int64_t count = static_cast<int64_t>(ys.size() * xs.size());
  int64_t index = 0;
  for (size_t i = 0; i < ys.size(); ++i) {
    for (size_t j = 0; j < xs.size(); ++j) {
      const at::Tensor crop = image.narrow(1, ys[i], th).narrow(2, xs[j], tw).contiguous();
      const at::Tensor out = restore_tile(crop, index++, count).to(at::kCPU, at::kFloat);
      // The actual overlap with each neighbour (≥ `overlap`, spread evenly).
      const int64_t oy = i + 1 < ys.size() ? ys[i] + th - ys[i + 1] : 0;
      const int64_t ox = j + 1 < xs.size() ? xs[j] + tw - xs[j + 1] : 0;
      const int64_t oy_before = i > 0 ? ys[i - 1] + th - ys[i] : 0;
      const int64_t ox_before = j > 0 ? xs[j - 1] + tw - xs[j] : 0;
      at::Tensor wy = ramp(th, oy_before, i > 0, false) * ramp(th, oy, false, i + 1 < ys.size());
      at::Tensor wx = ramp(tw, ox_before, j > 0, false) * ramp(tw, ox, false, j + 1 < xs.size());
      const at::Tensor wt = at::outer(wy, wx).unsqueeze(0);
      sum.narrow(1, ys[i], th).narrow(2, xs[j], tw).add_(out * wt);
      weight.narrow(1, ys[i], th).narrow(2, xs[j], tw).add_(wt);
    }
  }
  return sum / weight;
}

Restoration restore_tiled(const at::Tensor& observed, const TrainOptions& options,
                          const RunOptions& run, int64_t tile, int64_t overlap) {
  if (tile <= 0 || (observed.size(1) <= tile && observed.size(2) <= tile)) {
    return restore(observed, options, run);
  }
  if (!run.checkpoint.empty()) {
    throw UsageError("checkpoints are not kept for tiled runs: drop --checkpoint-every or --tile");
  }
  if (overlap <= 0) overlap = std::max<int64_t>(16, tile / 8);
  overlap = std::min(overlap, tile - 1);
  const auto start = std::chrono::steady_clock::now();
  Restoration result;
  const int64_t tile_elements =
      observed.size(0) * std::min(tile, observed.size(1)) * std::min(tile, observed.size(2));
  result.lr = options.effective_lr(tile_elements);
  result.alpha = options.effective_alpha(tile_elements);
  std::vector<at::Tensor> corruption_tiles;
  // Tiles are composed once, as a whole, after blending: the composition reads the
  // statistics of the whole image.
  TrainOptions per_tile = options;
  per_tile.compose = ComposeMode::kOff;
  const auto tiles_total =
      static_cast<int64_t>(tile_starts(observed.size(1), tile, overlap).size() *
                           tile_starts(observed.size(2), tile, overlap).size());
  const at::Tensor network_output =
      blend_tiles(observed, tile, overlap, [&](const at::Tensor& crop, int64_t, int64_t) {
        RunOptions r = run;
        r.clean = at::Tensor();       // PSNR of the whole image at the end, not per tile
        if (run.time_budget > 0.0) {  // what is left, shared by the tiles still to do
          const double spent =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          const auto left =
              static_cast<double>(tiles_total - static_cast<int64_t>(corruption_tiles.size()));
          r.time_budget = std::max(1e-3, (run.time_budget - spent) / left);
        }
        const Restoration t = restore(crop, per_tile, r);
        if (t.stop_reason != StopReason::kIterations) result.stop_reason = t.stop_reason;
        result.parameters = std::max(result.parameters, t.parameters);
        result.iterations = t.iterations;
        corruption_tiles.push_back(t.corruption);
        return t.network_output;
      });
  size_t next = 0;
  result.corruption =
      blend_tiles(observed, tile, overlap,
                  [&](const at::Tensor&, int64_t, int64_t) { return corruption_tiles.at(next++); });
  result.network_output = network_output;
  finish_result(result, observed, options);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Progress last;
  last.iteration = last.iterations = result.iterations;
  last.seconds = result.seconds;
  if (run.clean.defined()) last.psnr = psnr(result.image, run.clean);
  result.history.push_back(last);
  return result;
}

// Peak training memory beyond the process's base: kFixedBytes + padded pixels ·
// (kBytesPerPixel + kBytesPerPixelPerChannel · width). Least squares on the `dop-bench
// memory` runs at 256² and 512² (CPU peak RSS, widths 16-128) gave 1235 + 63.6 · width
// bytes per pixel; these constants round up so that the estimate is 1.0-1.3× the
// measured peak from 128² up (docs/results/memory/README.md).
constexpr double kFixedBytes = 64.0 * 1048576.0;
constexpr double kBytesPerPixel = 1536.0;
constexpr double kBytesPerPixelPerChannel = 80.0;

double estimate_training_bytes(int64_t channels, int64_t height, int64_t width,
                               const SkipNetOptions& network) {
  const int64_t m = network.size_multiple(), lo = network.minimum_size();
  const double pixels = static_cast<double>(padded_side(height, m, lo)) *
                        static_cast<double>(padded_side(width, m, lo));
  (void)channels;  // the image's own channels are negligible next to the network's
  return kFixedBytes +
         pixels * (kBytesPerPixel + kBytesPerPixelPerChannel * static_cast<double>(network.width));
}

int64_t tile_for_memory(int64_t channels, int64_t height, int64_t width,
                        const SkipNetOptions& network, double bytes) {
  if (estimate_training_bytes(channels, height, width, network) <= bytes) return 0;
  const int64_t m = network.size_multiple();
  int64_t best = network.minimum_size();
  for (int64_t side = best; side < std::max(height, width); side += m) {
    if (estimate_training_bytes(channels, side, side, network) > bytes) break;
    best = side;
  }
  return best;
}

double available_memory_bytes(c10::Device device) {
  if (device.is_cpu()) {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    double kb = 0;
    std::string unit;
    while (meminfo >> key >> kb >> unit) {
      if (key == "MemAvailable:") return kb * 1024.0;
    }
    return 0.0;
  }
  if (device.is_cuda()) {
    // The CUDA runtime that a CUDA build of LibTorch has loaded, asked without its headers.
    using MemGetInfo = int (*)(size_t*, size_t*);
    using SetDevice = int (*)(int);
    auto mem_get_info = reinterpret_cast<MemGetInfo>(dlsym(RTLD_DEFAULT, "cudaMemGetInfo"));
    auto set_device = reinterpret_cast<SetDevice>(dlsym(RTLD_DEFAULT, "cudaSetDevice"));
    size_t free = 0, total = 0;
    if (mem_get_info && set_device && set_device(device.has_index() ? device.index() : 0) == 0 &&
        mem_get_info(&free, &total) == 0) {
      return static_cast<double>(free);
    }
  }
  return 0.0;
}

}  // namespace dop
