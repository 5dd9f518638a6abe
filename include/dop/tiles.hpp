#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <ATen/core/Tensor.h>

#include "dop/skip_net.hpp"
#include "dop/trainer.hpp"

namespace dop {

/// Restoring a large image in overlapping tiles, each restored on its own (any method),
/// blended with linear ramps across the overlaps so that no seam shows. Memory then
/// follows the tile, not the image.

/// Where tiles of side `tile` start along an axis of `length` so that they cover it and
/// neighbours overlap by at least `overlap` (evenly spread; the last ends at `length`).
/// One tile at 0 when length ≤ tile. Throws dop::UsageError when overlap ≥ tile.
std::vector<int64_t> tile_starts(int64_t length, int64_t tile, int64_t overlap);

/// Splits a C×H×W image into tiles (side ≤ `tile`, overlap `overlap`), calls
/// restore_tile(crop, index, count) for each (it returns a C×h×w result for a C×h×w
/// crop), and blends the results: the weight of a tile ramps linearly from 0 to 1 over
/// the overlap on each side that borders another tile and is 1 elsewhere, and the
/// output is the weighted mean. Restoring each tile as itself gives the image back.
at::Tensor blend_tiles(const at::Tensor& image, int64_t tile, int64_t overlap,
                       const std::function<at::Tensor(const at::Tensor&, int64_t, int64_t)>&
                           restore_tile);

/// restore() in tiles of side `tile` (overlap `overlap`, 0 = tile / 8, at least 16): the
/// image and corruption estimates are blended as in blend_tiles; history holds one
/// sample at the end (PSNR of the blended image when RunOptions::clean is set);
/// on_progress sees each tile's progress. Checkpoints do not apply to tiled runs
/// (RunOptions::checkpoint must be empty). tile ≤ 0, or an image that fits in one tile,
/// is a plain restore().
Restoration restore_tiled(const at::Tensor& observed, const TrainOptions& options,
                          const RunOptions& run, int64_t tile, int64_t overlap = 0);

/// Estimated peak memory, in bytes, of training on a C×H×W image (padded as the trainer
/// pads it) with the given network, beyond what the process uses before training. A
/// linear model in pixels per network width, fitted to peak RSS measured on the CPU by
/// `dop-bench memory` (docs/results/memory). GPU use is of the same order.
double estimate_training_bytes(int64_t channels, int64_t height, int64_t width,
                               const SkipNetOptions& network);

/// The largest tile side (a multiple of the network's size multiple, ≥ its minimum) whose
/// estimated training memory fits in `bytes`; 0 when the whole image fits.
int64_t tile_for_memory(int64_t channels, int64_t height, int64_t width,
                        const SkipNetOptions& network, double bytes);

/// Memory the process may still use on `device`, in bytes: MemAvailable on the CPU; on
/// a CUDA device the driver's free memory when the CUDA runtime can be asked, else 0
/// (unknown).
double available_memory_bytes(c10::Device device);

}  // namespace dop
