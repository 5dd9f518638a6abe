#include "options.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <torch/version.h>
#include <CLI/CLI.hpp>

#include "dop/device.hpp"
#include "dop/error.hpp"

namespace dop::cli {

std::string version_text() {
  return fmt::format("dop-restore {} (LibTorch {})", DOP_VERSION, TORCH_VERSION);
}

namespace {

void add_options(CLI::App& app, CliOptions& o) {
  app.add_option("INPUT", o.input,
                 "Corrupted image (PNG, TIFF, JPEG, WebP, BMP, ...), or a folder of them");
  app.add_option("OUTPUT", o.output,
                 "Restored image (the format follows the extension), or a folder for the results");

  auto& t = o.train;
  const char* method_group = "Method";
  const TrainOptions fast = preset_options(Preset::kFast);
  const TrainOptions balanced = preset_options(Preset::kBalanced);
  const TrainOptions paper = preset_options(Preset::kPaper);
  app.add_option("--preset", o.preset,
                 fmt::format("fast ({} iterations, width {}), balanced ({}, width {}; the default) "
                             "or paper (the published schedule: {}, width {}, alpha {:g}, g,h from "
                             "{:g}); options given explicitly override the preset",
                             fast.iterations, fast.network.width, balanced.iterations,
                             balanced.network.width, paper.iterations, paper.network.width,
                             paper.alpha, paper.sparse_init_scale))
      ->check(CLI::IsMember({"fast", "balanced", "paper"}))
      ->capture_default_str()
      ->group(method_group);
  app.add_option("--time-budget", o.time_budget,
                 "Stop after this many seconds of training and keep the latest output (0 = no "
                 "limit); tiles share it")
      ->capture_default_str()
      ->group(method_group);
  const ConvergenceStop stop = default_convergence_stop(ComposeMode::kAuto);
  app.add_option(
         "--auto-stop", o.auto_stop,
         fmt::format("Stop once the output has stopped changing: its RMS change over {} "
                     "iterations below {:g} for {} checks in a row, after at least {} "
                     "iterations; with --compose auto, also at iteration {} when the composed "
                     "result changed by less than {:g} in every check until then (the damage "
                     "was found at once). auto = the preset's (on for fast and balanced, off "
                     "for paper)",
                     stop.window, stop.tolerance, stop.patience, stop.min_iterations,
                     stop.settle_by, stop.settle_tolerance))
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->capture_default_str()
      ->group(method_group);
  app.add_option("--method", o.method, "dop (the paper's method), dip or dip-l1 (baselines)")
      ->check(CLI::IsMember({"dop", "dip", "dip-l1"}))
      ->capture_default_str()
      ->group(method_group);
  app.add_option("--iterations", t.iterations,
                 "Gradient steps, at most; the last one's output is the result (default: the "
                 "preset's)")
      ->group(method_group);
  app.add_option("--lr", o.lr,
                 "Network step size tau; default: the preset's (paper: 1, others automatic); "
                 "0 = automatic: dip/dip-l1 0.01, dop max(1, 2 * sqrt(C*H*W / (3*128*128))): "
                 "2 at 128x128 RGB, 4 at 256x256, 1 at 64x64 and below")
      ->group(method_group);
  app.add_option("--alpha", o.alpha,
                 "Ratio of the g,h step to the network's (dop); default: the preset's (paper: "
                 "500, others automatic); 0 = automatic, by image size: 300 at 128x128 RGB, "
                 "600 at 256x256, 1200 at 512x512 (300 * sqrt(C*H*W / (3*128*128))), 250 at "
                 "64x64 (the paper used 500 at 512x512 with 150000 iterations)")
      ->group(method_group);
  app.add_option(
         "--init-scale", o.init_scale,
         fmt::format("Standard deviation of the start of g and h (dop); default: the preset's "
                     "({:g}, paper {:g})",
                     balanced.sparse_init_scale, paper.sparse_init_scale))
      ->group(method_group);
  app.add_option(
         "--lr-decay-after", t.lr_decay_start,
         fmt::format(
             "Iteration N after which both steps shrink as N/(t(1+ln(t/N))) (their ratio "
             "kept), so that running longer moves the result less and less (0 = "
             "constant steps); default: the preset's ({} for fast and balanced, {} for paper)",
             balanced.lr_decay_start, paper.lr_decay_start))
      ->group(method_group);
  app.add_option("--output-average", o.output_average,
                 fmt::format("Weight beta in [0, 1) of a moving average of the output over the "
                             "steps, the result instead of the last output (0 = off); default: "
                             "the preset's ({:g}, paper {:g})",
                             balanced.output_average, paper.output_average))
      ->group(method_group);
  app.add_option("--compose", o.compose,
                 "How the result is made (dop): auto = keep the samples found intact exactly and "
                 "fill the damaged ones from the network output and their intact neighbours; "
                 "off = the network output everywhere, as the paper; default: the preset's "
                 "(auto for fast and balanced, off for paper)")
      ->check(CLI::IsMember({"auto", "off"}))
      ->group(method_group);
  app.add_option("--jitter", t.input_jitter,
                 "Std of the noise added to the network input each step")
      ->capture_default_str()
      ->group(method_group);
  app.add_option("--seed", t.seed, "Seed of all random draws (same seed, same CPU: same result)")
      ->capture_default_str()
      ->group(method_group);

  const char* net_group = "Network";
  app.add_option("--width", t.network.width,
                 "Channels per level of the U-Net (default: the preset's)")
      ->group(net_group);
  app.add_option("--scales", t.network.scales, "Levels of the U-Net (each halves the resolution)")
      ->capture_default_str()
      ->group(net_group);
  app.add_option("--skip-channels", t.network.skip_channels, "Channels per skip connection")
      ->capture_default_str()
      ->group(net_group);
  app.add_option("--upsampling", o.upsampling, "bilinear or nearest")
      ->check(CLI::IsMember({"bilinear", "nearest"}))
      ->capture_default_str()
      ->group(net_group);

  const char* run_group = "Running";
  app.add_option("--device", o.device,
                 "auto, cpu, cuda or cuda:N (auto = CUDA when available); a list such as "
                 "cuda:0,cuda:1 restores one image per device at a time (folders)")
      ->capture_default_str()
      ->group(run_group);
  app.add_option("--threads", o.threads, "CPU threads (0 = all cores)")
      ->capture_default_str()
      ->group(run_group);
  app.add_option("--precision", o.precision,
                 "Arithmetic of the training: default (LibTorch's: on CUDA, cuDNN may use TF32 "
                 "for convolutions), float32 (no TF32), tf32 (TF32 for convolutions and matrix "
                 "products on CUDA), bf16 (the network's forward pass in bfloat16 autocast; g, h, "
                 "the loss and the parameters in float32). For GPUs; on the CPU bf16 is slow "
                 "unless the CPU has bfloat16 instructions")
      ->check(CLI::IsMember({"default", "float32", "tf32", "bf16"}))
      ->capture_default_str()
      ->group(run_group);
  app.add_flag("--cudnn-benchmark", t.cudnn_benchmark,
               "On CUDA, let cuDNN time its convolution algorithms on first use and keep the "
               "fastest")
      ->group(run_group);
  app.add_flag("--list-devices", o.list_devices, "List the devices this build can use and exit")
      ->group(run_group);

  const char* batch_group = "Folders and long runs";
  app.add_flag("-r,--recursive", o.recursive, "Include subfolders; OUTPUT mirrors the tree")
      ->group(batch_group);
  app.add_option("--format", o.format,
                 "Extension of the results in a folder run (png, tif, ...; default: the input's)")
      ->group(batch_group);
  app.add_option("--shard", o.shard,
                 "K/N: restore only the K-th of N parts of the sorted folder listing (job arrays)")
      ->group(batch_group);
  app.add_option("--claim-timeout", o.claim_timeout,
                 "Folder runs on the same OUTPUT folder share its images: each claims an image "
                 "(OUTPUT.dop-claim, refreshed while it works) before restoring it. A claim not "
                 "refreshed for this many seconds was left by a run that died and is taken over")
      ->capture_default_str()
      ->group(batch_group);
  app.add_option("--checkpoint-every", o.checkpoint_every,
                 "Save the training state every N iterations next to the output (OUTPUT."
                 "dop-checkpoint); rerunning the command resumes from it (0 = only on "
                 "Ctrl-C/SIGTERM)")
      ->capture_default_str()
      ->group(batch_group);
  app.add_option("--tile", o.tile,
                 "auto, off, or a side in pixels: restore large images in overlapping tiles, "
                 "blended without seams (auto: only when the estimated memory exceeds 70% of "
                 "what is available)")
      ->capture_default_str()
      ->group(batch_group);
  app.add_option("--tile-overlap", o.tile_overlap, "Overlap of tiles (0 = tile/8, at least 16)")
      ->capture_default_str()
      ->group(batch_group);
  app.add_option("--max-pixels", o.max_pixels,
                 "Refuse images with more pixels than this (decompression bombs)")
      ->capture_default_str()
      ->group(batch_group);

  const char* out_group = "Output";
  app.add_flag("--overwrite", o.overwrite,
               "Replace OUTPUT (and report/corruption files) if they exist; in a folder run, "
               "redo images whose result exists instead of skipping them")
      ->group(out_group);
  app.add_option("--bit-depth", o.bit_depth,
                 "8, 16 or 32 (float) bits per sample (0 = as the input)")
      ->check(CLI::IsMember({0, 8, 16, 32}))
      ->capture_default_str()
      ->group(out_group);
  app.add_option("--quality", o.quality, "JPEG and WebP quality, 1-100 (100: lossless WebP)")
      ->capture_default_str()
      ->group(out_group);
  app.add_option("--png-compression", o.png_compression,
                 "PNG compression, 0 (fastest) to 9 (smallest file)")
      ->capture_default_str()
      ->group(out_group);
  app.add_flag("--strip-metadata", o.strip_metadata,
               "Write pixels only: no EXIF, IPTC, XMP, ICC profile, comment or resolution "
               "(kept by default)")
      ->group(out_group);
  app.add_option("--reference", o.reference,
                 "Clean image (a folder of them, same names, in a folder run): report PSNR/SSIM")
      ->group(out_group);
  app.add_option("--report", o.report,
                 "Write settings, timings, metrics and history as JSON (a folder run: one "
                 "document, a record per image)")
      ->group(out_group);
  app.add_option("--log-every", o.log_every, "Iterations between history samples in the report")
      ->capture_default_str()
      ->group(out_group);
  app.add_option("--save-corruption", o.save_corruption,
                 "Write the estimated corruption g*g-h*h as an image (0.5 = none); a folder in "
                 "a folder run")
      ->group(out_group);
  app.add_option("--save-mask", o.save_mask,
                 "Write what the result replaced: how likely each sample was found damaged and "
                 "filled (white) rather than kept (black); a folder in a folder run")
      ->group(out_group);
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str()
      ->group(out_group);
  app.add_flag("-q,--quiet", o.quiet, "Only errors; no progress")->group(out_group);
  app.add_flag("--no-progress", o.no_progress, "No progress line")->group(out_group);
  app.set_version_flag("--version", version_text());
}

}  // namespace

std::unique_ptr<CLI::App> make_app(CliOptions& options) {
  auto app = std::make_unique<CLI::App>(
      "Restore an image damaged by sparse corruption (salt-and-pepper or impulse noise,\n"
      "stuck or dead pixels) with Double Over-Parameterization (You et al., NeurIPS 2020).",
      "dop-restore");
  app->footer(
      "Examples:\n"
      "  dop-restore noisy.png restored.png\n"
      "  dop-restore --iterations 3000 --width 64 noisy.png restored.png\n"
      "  dop-restore --reference clean.png --report run.json noisy.png restored.png\n"
      "  dop-restore --device cuda:1 --save-corruption damage.png scan.tif scan-restored.tif\n"
      "  dop-restore --recursive --format png --report batch.json scans/ restored/\n"
      "  dop-restore --checkpoint-every 200 in/ out/   (as many at once as you like)\n"
      "  dop-restore --shard $SLURM_ARRAY_TASK_ID/16 --checkpoint-every 1000 in/ out/\n\n"
      "Exit codes: 0 success, 1 runtime error (e.g. training diverged), 2 invalid option value,\n"
      "3 unreadable input, 4 output cannot be written, 5 a folder run in which some images\n"
      "failed, 130/143 stopped by SIGINT/SIGTERM (checkpoint saved), 100+ command-line syntax.");
  add_options(*app, options);
  return app;
}

std::vector<c10::Device> resolve_devices(const std::string& spec) {
  std::vector<c10::Device> devices;
  size_t begin = 0;
  while (begin <= spec.size()) {
    const size_t comma = spec.find(',', begin);
    const std::string one =
        spec.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin);
    devices.push_back(dop::resolve_device(one));
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  return devices;
}

TileRequest parse_tile(const std::string& text) {
  if (text == "auto") return {true, 0};
  if (text == "off") return {false, 0};
  int64_t side = 0;
  try {
    size_t used = 0;
    side = std::stoll(text, &used);
    if (used != text.size()) side = 0;
  } catch (const std::exception&) {
    side = 0;
  }
  if (side < 16) throw UsageError("--tile '" + text + "' is not auto, off or a side >= 16");
  return {false, side};
}

TrainOptions CliOptions::unset_train_options() {
  TrainOptions t;
  t.iterations = kUnsetCount;
  t.network.width = kUnsetCount;
  t.lr_decay_start = kUnsetCount;
  return t;
}

CheckedOptions check_options(const CliOptions& o) {
  CheckedOptions c;
  c.preset = parse_preset(o.preset);
  // The preset, then every setting given on the command line.
  const TrainOptions& given = o.train;
  c.train = given;
  const TrainOptions preset = preset_options(c.preset);
  if (given.iterations == CliOptions::kUnsetCount) c.train.iterations = preset.iterations;
  if (given.network.width == CliOptions::kUnsetCount) c.train.network.width = preset.network.width;
  if (given.lr_decay_start == CliOptions::kUnsetCount) {
    c.train.lr_decay_start = preset.lr_decay_start;
  }
  c.train.lr = o.lr.value_or(preset.lr);
  c.train.alpha = o.alpha.value_or(preset.alpha);
  c.train.sparse_init_scale = o.init_scale.value_or(preset.sparse_init_scale);
  c.train.output_average = o.output_average.value_or(preset.output_average);
  c.train.compose = o.compose.empty() ? preset.compose : parse_compose_mode(o.compose);
  c.train.precision = parse_precision(o.precision);
  if (!(o.time_budget >= 0.0) || !std::isfinite(o.time_budget)) {
    throw UsageError("--time-budget must be a number of seconds >= 0 (0 = no limit)");
  }
  c.time_budget = o.time_budget;
  c.train.method = parse_method(o.method);
  c.convergence = default_convergence_stop(c.train.effective_compose());
  if (!o.save_mask.empty() && c.train.effective_compose() != ComposeMode::kAuto) {
    throw UsageError(
        "--save-mask shows what the composition replaced, and this run does not compose "
        "(--compose off, --preset paper or a baseline --method): the whole result is the "
        "network's");
  }
  c.convergence.enabled =
      o.auto_stop == "on" || (o.auto_stop == "auto" && preset_stops_when_converged(c.preset));
  c.train.network.upsampling =
      o.upsampling == "nearest" ? Upsampling::kNearest : Upsampling::kBilinear;
  c.train.validate();
  if (o.log_every < 1) throw UsageError("--log-every must be >= 1");
  if (o.quality < 1 || o.quality > 100) throw UsageError("--quality must be 1 to 100");
  if (o.png_compression < 0 || o.png_compression > 9) {
    throw UsageError("--png-compression must be 0 to 9");
  }
  if (o.checkpoint_every < 0) throw UsageError("--checkpoint-every must be >= 0");
  if (!(o.claim_timeout > 0.0) || !std::isfinite(o.claim_timeout)) {
    throw UsageError("--claim-timeout must be a number of seconds > 0");
  }
  if (o.max_pixels < 1) throw UsageError("--max-pixels must be >= 1");
  if (o.threads < 0) throw UsageError("--threads must be >= 0");
  if (o.tile_overlap < 0) throw UsageError("--tile-overlap must be >= 0");
  c.devices = resolve_devices(o.device);
  if (!o.shard.empty()) c.shard = parse_shard(o.shard);
  c.tile = parse_tile(o.tile);
  return c;
}

}  // namespace dop::cli
