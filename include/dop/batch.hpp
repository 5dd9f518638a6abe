#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <c10/core/Device.h>

namespace dop {

/// One image of a folder run: where it comes from and where its result goes.
struct BatchItem {
  std::filesystem::path input;
  std::filesystem::path output;
};

/// How a folder is turned into a list of images.
struct BatchOptions {
  /// Descend into subfolders; outputs mirror the tree under the output folder.
  bool recursive = false;
  /// Extension of the outputs without the dot ("png", "tif", ...); empty = the input's.
  std::string format;
};

/// True for the file extensions of the formats the image reader handles (PNG, JPEG,
/// TIFF, WebP, BMP, PNM, ...; case-insensitive).
bool has_image_extension(const std::filesystem::path& path);

/// The images of `input_dir` (files with an image extension; hidden files and folders
/// skipped), sorted by path so every machine sees the same order, each paired with its
/// output under `output_dir` (same relative path; extension from options.format).
/// Throws dop::InputError when `input_dir` is not a readable folder, dop::UsageError
/// when two inputs would write the same output (a.png and a.jpg with --format png).
std::vector<BatchItem> plan_batch(const std::filesystem::path& input_dir,
                                  const std::filesystem::path& output_dir,
                                  const BatchOptions& options = {});

/// Part K of N of a list (1 ≤ K ≤ N), as given by `--shard K/N`.
struct Shard {
  std::size_t index = 1;
  std::size_t count = 1;
};

/// Parses "K/N". Throws dop::UsageError for anything else or K outside 1..N.
Shard parse_shard(const std::string& text);

/// The positions of a list of `size` items that belong to `shard`: every N-th item,
/// starting at the K-th (round robin, so neighbouring, similar images spread over the
/// parts). Shards 1/N … N/N are disjoint and together cover every position once.
std::vector<std::size_t> shard_positions(std::size_t size, const Shard& shard);

/// Runs task(i, device) for i = 0 … count-1, at most one task per device at a time: one
/// worker per device takes the next index until none are left. When a task throws, the
/// workers stop taking new indices and the first exception is rethrown after all have
/// finished. `stop`, if given, is asked before each index; true stops every worker.
void run_on_devices(std::size_t count, const std::vector<c10::Device>& devices,
                    const std::function<void(std::size_t, c10::Device)>& task,
                    const std::function<bool()>& stop = {});

}  // namespace dop
