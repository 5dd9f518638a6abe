// dop-restore's command line: the options, and the checks of their values that need
// no file system. Kept apart from main.cpp so that a fuzz harness (tools/fuzz) can
// drive exactly the parser users get.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <c10/core/Device.h>

#include "dop/batch.hpp"
#include "dop/presets.hpp"
#include "dop/trainer.hpp"

namespace CLI {
class App;
}

namespace dop::cli {

/// Every option as given on the command line.
struct CliOptions {
  std::string input;
  std::string output;
  std::string reference;
  std::string report;
  std::string save_corruption;
  std::string save_mask;
  std::string device = "auto";
  std::string method = "dop";
  std::string upsampling = "bilinear";
  std::string log_level = "info";
  std::string format;
  std::string preset = "balanced";
  std::string auto_stop = "auto";
  std::string compose;  // empty = the preset's
  std::string precision = "default";
  double time_budget = 0.0;
  std::string shard;
  std::string tile = "auto";
  int64_t tile_overlap = 0;
  int threads = 0;
  int bit_depth = 0;
  int quality = 95;
  int png_compression = 6;
  bool strip_metadata = false;
  int64_t log_every = 100;
  int64_t checkpoint_every = 0;
  double claim_timeout = 300.0;
  int64_t max_pixels = int64_t{1} << 28;
  bool recursive = false;
  bool overwrite = false;
  bool quiet = false;
  bool no_progress = false;
  bool list_devices = false;
  /// Settings given on the command line. Iterations, width and the step decay left at
  /// kUnsetCount (not given) take the preset's value.
  TrainOptions train = unset_train_options();
  /// These take the preset's value when not given (a NaN given is refused as invalid).
  std::optional<double> lr, alpha, init_scale, output_average;

  static constexpr int64_t kUnsetCount = std::numeric_limits<int64_t>::min();
  static TrainOptions unset_train_options();
};

/// What --tile asks for.
struct TileRequest {
  bool automatic = false;  // "auto": from the memory available
  int64_t side = 0;        // a fixed side; 0 with !automatic = "off"
};

/// The options' values once checked and converted.
struct CheckedOptions {
  Preset preset = Preset::kBalanced;
  TrainOptions train;                // the preset, then what was given; validated
  double time_budget = 0.0;          // seconds, 0 = none
  ConvergenceStop convergence;       // enabled by --auto-stop (auto: the preset's)
  std::vector<c10::Device> devices;  // one or more; each exists in this build
  Shard shard;                       // 1/1 when --shard is absent
  TileRequest tile;
};

/// The dop-restore command line (description, options, footer) bound to `options`.
std::unique_ptr<CLI::App> make_app(CliOptions& options);

/// Checks every value that needs no file system; throws dop::UsageError naming the
/// option. Does not require INPUT and OUTPUT (--list-devices needs neither).
CheckedOptions check_options(const CliOptions& options);

/// "auto", "off" or a side >= 16; throws dop::UsageError otherwise.
TileRequest parse_tile(const std::string& text);

/// "cpu", "cuda:1", "cuda:0,cuda:1", ...: each resolved (dop::resolve_device).
std::vector<c10::Device> resolve_devices(const std::string& spec);

std::string version_text();

}  // namespace dop::cli
