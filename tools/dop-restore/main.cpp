// dop-restore: restore an image damaged by sparse corruption (salt-and-pepper, impulse
// noise, dead pixels) with Double Over-Parameterization. Parses arguments, calls the
// library, maps errors to exit codes; no algorithm lives here.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "dop/atomic_file.hpp"
#include "dop/batch.hpp"
#include "dop/claim.hpp"
#include "dop/device.hpp"
#include "dop/error.hpp"
#include "dop/image_io.hpp"
#include "dop/metrics.hpp"
#include "dop/tiles.hpp"
#include "dop/trainer.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "signals.hpp"

namespace fs = std::filesystem;

namespace {

using dop::cli::CliOptions;
// Dense noise level (intensities in [0, 1]) from which the log says the composition found
// some: clean photos measure below it.
constexpr double kDenseNoiseNote = 0.02;

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec) && !ec;
}

// One image's paths: the input, where its result goes, and the optional side files.
struct Job {
  fs::path input;
  fs::path output;
  fs::path reference;   // clean image for metrics (may be empty)
  fs::path corruption;  // where the g*g-h*h map goes (may be empty)
  fs::path mask;        // where the map of replaced samples goes (may be empty)
  fs::path report;      // file mode only: the JSON report (may be empty)
};

// Another run took over the image this one was restoring (it found this run's claim
// stale, e.g. while this process was suspended): this run stops and waits for that result.
class ClaimLost : public dop::Error {
 public:
  using Error::Error;
};

fs::path checkpoint_of(const fs::path& output) { return output.string() + ".dop-checkpoint"; }

void check_outputs(const Job& job, bool overwrite) {
  for (const fs::path* out : {&job.output, &job.corruption, &job.mask, &job.report}) {
    if (out->empty()) continue;
    for (const fs::path* in : {&job.input, &job.reference}) {
      if (!in->empty() && same_file(*in, *out)) {
        throw dop::UsageError("output '" + out->string() + "' is the input file '" + in->string() +
                              "'; inputs are never overwritten: choose another output name");
      }
    }
  }
  const fs::path* named[] = {&job.output, &job.corruption, &job.mask, &job.report};
  for (size_t i = 0; i < std::size(named); ++i) {
    for (size_t j = i + 1; j < std::size(named); ++j) {
      if (!named[i]->empty() && *named[i] == *named[j]) {
        throw dop::UsageError(
            "OUTPUT, --save-corruption, --save-mask and --report must name different files");
      }
    }
  }
  dop::check_image_output(job.output, overwrite);
  if (!job.corruption.empty()) dop::check_image_output(job.corruption, overwrite);
  if (!job.mask.empty()) dop::check_image_output(job.mask, overwrite);
  if (!job.report.empty()) dop::check_output_path(job.report, overwrite);
}

nlohmann::json settings_json(const CliOptions& o, const dop::TrainOptions& t) {
  return {{"method", o.method},
          {"preset", o.preset},
          {"auto_stop", o.auto_stop},
          {"time_budget", o.time_budget},
          {"iterations", t.iterations},
          {"lr", t.lr},
          {"alpha", t.alpha},
          {"init_scale", t.sparse_init_scale},
          {"lr_decay_after", t.lr_decay_start},
          {"output_average", t.output_average},
          {"compose", dop::to_string(t.compose)},
          {"precision", dop::to_string(t.precision)},
          {"cudnn_benchmark", t.cudnn_benchmark},
          {"jitter", t.input_jitter},
          {"input_scale", t.input_scale},
          {"seed", t.seed},
          {"width", t.network.width},
          {"scales", t.network.scales},
          {"skip_channels", t.network.skip_channels},
          {"input_channels", t.network.input_channels},
          {"upsampling", o.upsampling},
          {"quality", o.quality},
          {"png_compression", o.png_compression},
          {"keep_metadata", !o.strip_metadata}};
}

nlohmann::json metrics_json(const at::Tensor& image, const at::Tensor& clean) {
  return {{"psnr", dop::psnr(image, clean)}, {"ssim", dop::ssim(image, clean)}};
}

// What every image of a run shares.
struct Context {
  const CliOptions& o;
  dop::Preset preset;
  dop::TrainOptions train;
  double time_budget;
  dop::ConvergenceStop convergence;
  dop::cli::TileRequest tile;
  dop::Shard shard;
  int threads;
  int workers;  // images restored at once (one per device)
};

// The tile side for an image: 0 = no tiles.
int64_t tile_side(const Context& ctx, const dop::Image& input, c10::Device device) {
  if (!ctx.tile.automatic) return ctx.tile.side;
  const double available = dop::available_memory_bytes(device);
  if (available <= 0) return 0;  // unknown: try the whole image
  return dop::tile_for_memory(input.channels(), input.height(), input.width(), ctx.train.network,
                              0.7 * available / ctx.workers);
}

// The input image and, when the job has one, the clean reference of the same shape.
struct Loaded {
  dop::Image input;
  at::Tensor clean;  // undefined without a reference
};

Loaded load_job(const Job& job) {
  Loaded l{dop::load_image(job.input), {}};
  for (const std::string& w : l.input.warnings) spdlog::warn("{}: {}", job.input.string(), w);
  if (!job.reference.empty()) {
    const dop::Image ref = dop::load_image(job.reference);
    if (ref.pixels.sizes() != l.input.pixels.sizes()) {
      throw dop::InputError(
          fmt::format("reference '{}' is {}x{} with {} channel(s) but input '{}' is {}x{} with {}",
                      job.reference.string(), ref.width(), ref.height(), ref.channels(),
                      job.input.string(), l.input.width(), l.input.height(), l.input.channels()));
    }
    l.clean = dop::pixels_on_range(ref, l.input.range);
  }
  return l;
}

// Says what is about to run: the image, the device, the schedule and, for DOP, the τ and
// α in effect for what is trained (the image, or one tile: α follows its size).
void log_plan(const Job& job, const Context& ctx, const dop::Image& input, c10::Device device,
              int64_t tile) {
  const int64_t trained =
      tile > 0 ? input.channels() * std::min(tile, input.height()) * std::min(tile, input.width())
               : input.pixels.numel();
  spdlog::info(
      "{}: {}x{}, {} channel(s){}, {}-bit{}; {} on {} ({} thread(s)), preset {}: {} "
      "iterations{}, width {}{}{}",
      job.input.string(), input.width(), input.height(), input.channels(),
      input.alpha.defined() ? " + alpha" : "", input.bit_depth,
      input.range.is_unit()
          ? std::string()
          : fmt::format(" (samples from {:g} to {:g})", input.range.low, input.range.high),
      ctx.o.method, device.str(), ctx.threads, dop::to_string(ctx.preset), ctx.train.iterations,
      ctx.convergence.enabled ? " at most" : "", ctx.train.network.width,
      ctx.time_budget > 0 ? fmt::format(", {:g} s budget", ctx.time_budget) : std::string(),
      ctx.train.method == dop::Method::kDop
          ? fmt::format(", tau {:.3g}, alpha {:.4g}", ctx.train.effective_lr(trained),
                        ctx.train.effective_alpha(trained))
          : std::string());
  if (tile > 0) {
    spdlog::info(
        "{}: restoring in tiles of at most {}x{} (estimated memory without tiles: {:.1f} GiB)",
        job.input.string(), tile, tile,
        dop::estimate_training_bytes(input.channels(), input.height(), input.width(),
                                     ctx.train.network) /
            1073741824.0);
    if (ctx.o.checkpoint_every > 0)
      spdlog::warn("{}: no checkpoints in tiled runs", job.input.string());
  }
}

// Stores the result under job.output (with the input's alpha, depth and metadata) and the
// corruption map and the mask of replaced samples when asked for; says what the output format could
// not hold.
dop::SaveReport store_result(const Job& job, const CliOptions& o, const dop::Image& input,
                             const dop::Restoration& result) {
  dop::Image restored;
  restored.pixels = result.image;
  restored.alpha = input.alpha;
  restored.bit_depth = input.bit_depth;
  restored.range = input.range;
  restored.metadata = input.metadata;
  dop::SaveOptions save;
  save.bit_depth = o.bit_depth;
  save.overwrite = o.overwrite;
  save.quality = o.quality;
  save.png_compression = o.png_compression;
  save.keep_metadata = !o.strip_metadata;
  const dop::SaveReport saved = dop::save_image(job.output, restored, save);
  for (const std::string& note : saved.notes) spdlog::warn("{}: {}", job.output.string(), note);
  if (saved.metadata != "none") {
    spdlog::info("{}: metadata kept: {}", job.output.string(), saved.metadata);
  }
  if (saved.alpha_dropped)
    spdlog::warn("{}: this format has no alpha channel; alpha dropped", job.output.string());
  const int wanted_depth = o.bit_depth == 0 ? input.bit_depth : o.bit_depth;
  if (saved.bit_depth != wanted_depth) {
    spdlog::warn("{}: this format cannot hold {}-bit samples; wrote {}-bit", job.output.string(),
                 wanted_depth, saved.bit_depth);
  }
  if (!job.corruption.empty()) {
    dop::Image map;
    map.pixels = (result.corruption * 0.5 + 0.5).clamp(0.0, 1.0);
    dop::save_image(job.corruption, map, {8, o.overwrite});
  }
  if (!job.mask.empty() && result.damage.defined()) {
    dop::Image map;
    map.pixels = result.damage.clamp(0.0, 1.0);
    dop::save_image(job.mask, map, {8, o.overwrite});
  }
  return saved;
}

// The report's record of a restored image (and the log lines that go with it).
nlohmann::json image_record(const Job& job, const Loaded& loaded, const dop::Restoration& result,
                            const dop::SaveReport& saved, c10::Device device) {
  const dop::Image& input = loaded.input;
  const int64_t ran = result.iterations - result.resumed_from;
  const double per_iteration = ran > 0 ? result.seconds / static_cast<double>(ran) : 0.0;
  const std::string why =
      result.stop_reason == dop::StopReason::kConverged ? ", stopped: output converged"
      : result.stop_reason == dop::StopReason::kSettled
          ? ", stopped: settled, the damage was found at once"
      : result.stop_reason == dop::StopReason::kTimeBudget ? ", stopped: time budget spent"
                                                           : "";
  spdlog::info("wrote {} ({} iterations in {:.1f} s, {:.4f} s/iteration{})", job.output.string(),
               ran, result.seconds, per_iteration, why);
  nlohmann::json history = nlohmann::json::array();
  for (const auto& p : result.history) {
    nlohmann::json h = {{"iteration", p.iteration}, {"loss", p.loss}, {"seconds", p.seconds}};
    if (!std::isnan(p.psnr)) h["psnr"] = p.psnr;
    if (!std::isnan(p.change)) h["change"] = p.change;
    if (!std::isnan(p.composed_change)) h["change_composed"] = p.composed_change;
    history.push_back(h);
  }
  nlohmann::json record = {
      {"status", "done"},
      {"input", job.input.string()},
      {"output", job.output.string()},
      {"image",
       {{"width", input.width()},
        {"height", input.height()},
        {"channels", input.channels()},
        {"alpha", input.alpha.defined()},
        {"bit_depth", input.bit_depth},
        {"sample_range", {input.range.low, input.range.high}},
        {"output_bit_depth", saved.bit_depth}}},
      {"metadata",
       {{"input", input.metadata.describe()}, {"written", saved.metadata}, {"notes", saved.notes}}},
      {"warnings", input.warnings},
      {"parameters", result.parameters},
      {"lr_used", result.lr},
      {"alpha_used", result.alpha},
      {"iterations", result.iterations},
      {"stop_reason", dop::to_string(result.stop_reason)},
      {"compose",
       dop::to_string(result.composed ? dop::ComposeMode::kAuto : dop::ComposeMode::kOff)},
      {"resumed_from", result.resumed_from},
      {"seconds", result.seconds},
      {"seconds_per_iteration", per_iteration},
      {"device", device.str()},
      {"history", history}};
  nlohmann::json encoding = nlohmann::json::object();
  if (saved.quality >= 0) encoding["quality"] = saved.quality;
  if (saved.png_compression >= 0) encoding["png_compression"] = saved.png_compression;
  record["encoding"] = encoding;
  if (result.composed) {
    record["damaged_fraction"] = result.damaged_fraction;
    record["noise_level"] = result.noise_level;
    spdlog::info("{}: {:.1f}% of the samples found damaged and filled, the rest kept{}",
                 job.input.string(), 100.0 * result.damaged_fraction,
                 result.noise_level > kDenseNoiseNote
                     ? fmt::format(" (dense noise of about {:.3f} found: intact samples pulled "
                                   "towards the network output)",
                                   result.noise_level)
                     : std::string());
  }
  if (loaded.clean.defined()) {
    const at::Tensor& clean = loaded.clean;
    nlohmann::json metrics = {{"input", metrics_json(input.pixels, clean)},
                              {"output", metrics_json(result.image, clean)}};
    if (result.composed) metrics["network_output"] = metrics_json(result.network_output, clean);
    spdlog::info("PSNR {:.2f} dB -> {:.2f} dB, SSIM {:.4f} -> {:.4f} (input -> result, against {})",
                 metrics["input"]["psnr"].get<double>(), metrics["output"]["psnr"].get<double>(),
                 metrics["input"]["ssim"].get<double>(), metrics["output"]["ssim"].get<double>(),
                 job.reference.string());
    record["reference"] = job.reference.string();
    record["metrics"] = metrics;
  }
  return record;
}

// Restores one image and returns its record for the report. Leaves nothing under the
// output's name unless it succeeds; keeps the checkpoint until the output is stored.
// `claim` (folder runs): this run's claim on the image; ClaimLost is thrown, and nothing
// stored, once another run has taken it over.
nlohmann::json restore_one(const Job& job, const Context& ctx, c10::Device device,
                           dop::cli::ProgressDisplay& display, const dop::Claim* claim = nullptr) {
  const CliOptions& o = ctx.o;
  check_outputs(job, o.overwrite);
  const Loaded loaded = load_job(job);
  const int64_t tile = tile_side(ctx, loaded.input, device);
  log_plan(job, ctx, loaded.input, device, tile);

  const auto lost = [&] {
    return ClaimLost("another run took this image over (this run's claim '" +
                     claim->path().string() + "' went stale); waiting for its result");
  };
  dop::RunOptions run;
  run.device = device;
  run.clean = loaded.clean;
  run.log_every = o.log_every;
  run.on_progress = [&](const dop::Progress& p) { display.update(p); };
  run.checkpoint = tile > 0 ? fs::path() : checkpoint_of(job.output);
  run.checkpoint_every = o.checkpoint_every;
  run.stop_requested = [&] {
    if (claim != nullptr && claim->lost()) throw lost();
    return dop::cli::stop_signal();
  };
  run.time_budget = ctx.time_budget;
  run.convergence = ctx.convergence;
  if (!run.checkpoint.empty() && fs::exists(run.checkpoint)) {
    spdlog::info("{}: found checkpoint '{}'", job.input.string(), run.checkpoint.string());
  }
  dop::Restoration result;
  try {
    result = dop::restore_tiled(loaded.input.pixels, ctx.train, run, tile, o.tile_overlap);
  } catch (...) {
    display.finish();
    throw;
  }
  display.finish();
  if (result.resumed_from > 0) {
    spdlog::info("{}: resumed from iteration {} of {}", job.input.string(), result.resumed_from,
                 ctx.train.iterations);
  }
  if (claim != nullptr && !claim->held()) throw lost();
  const dop::SaveReport saved = store_result(job, o, loaded.input, result);
  std::error_code ec;
  fs::remove(checkpoint_of(job.output), ec);  // the result is stored: its checkpoint is done
  return image_record(job, loaded, result, saved, device);
}

nlohmann::json report_header(const Context& ctx) {
  return {{"tool", "dop-restore"},
          {"version", DOP_VERSION},
          {"settings", settings_json(ctx.o, ctx.train)},
          {"threads", ctx.threads}};
}

int run_file(const Context& ctx, c10::Device device) {
  const CliOptions& o = ctx.o;
  std::error_code ec;
  if (fs::is_directory(o.output, ec)) {
    throw dop::UsageError("INPUT '" + o.input + "' is a file but OUTPUT '" + o.output +
                          "' is a folder: give both as files, or both as folders");
  }
  Job job{o.input, o.output, o.reference, o.save_corruption, o.save_mask, o.report};
  dop::cli::ProgressDisplay display(!o.quiet && !o.no_progress);
  nlohmann::json record = restore_one(job, ctx, device, display);
  if (!o.report.empty()) {
    nlohmann::json report = report_header(ctx);
    report.update(record);
    dop::write_file_atomically(o.report, report.dump(2) + "\n", o.overwrite);
  }
  return dop::kExitOk;
}

std::string error_text(const std::exception& e) { return e.what(); }

void check_folder_arguments(const CliOptions& o) {
  const fs::path in_dir = o.input, out_dir = o.output;
  std::error_code ec;
  if (fs::exists(out_dir, ec) && !fs::is_directory(out_dir, ec)) {
    throw dop::UsageError("INPUT '" + o.input + "' is a folder but OUTPUT '" + o.output +
                          "' is a file: give both as folders, or both as files");
  }
  if (same_file(in_dir, out_dir)) {
    throw dop::UsageError("OUTPUT folder '" + o.output +
                          "' is the INPUT folder: results would replace or mix with the inputs; "
                          "choose another folder");
  }
  if (o.recursive && fs::exists(out_dir, ec)) {
    const fs::path rel = fs::relative(fs::canonical(out_dir), fs::canonical(in_dir), ec);
    if (!ec && !rel.empty() && *rel.begin() != "..") {
      throw dop::UsageError("OUTPUT folder '" + o.output + "' is inside INPUT folder '" + o.input +
                            "': with --recursive its results would be read as inputs next time");
    }
  }
  for (const auto& [flag, value] :
       {std::pair{"--reference", &o.reference}, std::pair{"--save-corruption", &o.save_corruption},
        std::pair{"--save-mask", &o.save_mask}}) {
    if (!value->empty() && fs::exists(*value, ec) && !fs::is_directory(*value, ec)) {
      throw dop::UsageError(std::string(flag) + " '" + *value +
                            "' must be a folder when INPUT and OUTPUT are folders");
    }
  }
}

// The job of one image of a folder run: its side files mirror its place in the folder.
Job folder_job(const CliOptions& o, const dop::BatchItem& item) {
  Job job{item.input, item.output, {}, {}, {}, {}};
  std::error_code ec;
  if (!o.reference.empty()) {
    job.reference = fs::path(o.reference) / fs::relative(item.input, o.input);
    if (!fs::exists(job.reference, ec)) {
      spdlog::warn("{}: no reference '{}'; no metrics for it", item.input.string(),
                   job.reference.string());
      job.reference.clear();
    }
  }
  if (!o.save_corruption.empty()) {
    job.corruption = fs::path(o.save_corruption) / fs::relative(item.output, o.output);
  }
  if (!o.save_mask.empty()) {
    job.mask = fs::path(o.save_mask) / fs::relative(item.output, o.output);
  }
  return job;
}

// The outcome of a folder run, counted from its records.
struct Summary {
  size_t done = 0, skipped = 0, elsewhere = 0, failed = 0, not_run = 0;
  std::vector<std::string> failures;
};

Summary summarize(std::vector<nlohmann::json>& records, const std::vector<Job>& jobs) {
  Summary s;
  for (size_t k = 0; k < records.size(); ++k) {
    auto& r = records[k];
    if (r.is_null()) {  // never finished here: the run was stopped first
      r = {{"status", "not run"},
           {"input", jobs[k].input.string()},
           {"output", jobs[k].output.string()}};
    }
    const std::string status = r["status"];
    if (status == "done") ++s.done;
    if (status == "skipped") ++s.skipped;
    if (status == "done by another run") ++s.elsewhere;
    if (status == "failed") {
      ++s.failed;
      s.failures.push_back(r["input"]);
    }
    if (status == "not run" || status == "interrupted") ++s.not_run;
  }
  return s;
}

// Prints the summary line, writes the report, and returns the run's exit code.
int finish_folder_run(const Context& ctx, std::vector<nlohmann::json>& records,
                      const std::vector<Job>& jobs, double seconds, int interrupted) {
  const CliOptions& o = ctx.o;
  const Summary s = summarize(records, jobs);
  std::string summary = fmt::format("{} done, {} skipped", s.done, s.skipped);
  if (s.elsewhere > 0) summary += fmt::format(", {} done by another run", s.elsewhere);
  summary += fmt::format(", {} failed", s.failed);
  if (s.not_run > 0) summary += fmt::format(", {} not finished (stopped)", s.not_run);
  summary += fmt::format(" in {}", dop::cli::format_duration(seconds));
  if (s.failed > 0) {
    spdlog::error("{}; failed: {}", summary, fmt::join(s.failures, ", "));
  } else if (!o.quiet) {
    std::fprintf(stderr, "%s\n", summary.c_str());
  }
  if (!o.report.empty()) {
    nlohmann::json report = report_header(ctx);
    report["input"] = o.input;
    report["output"] = o.output;
    report["shard"] = fmt::format("{}/{}", ctx.shard.index, ctx.shard.count);
    report["summary"] = {{"images", records.size()}, {"done", s.done},
                         {"skipped", s.skipped},     {"done_by_another_run", s.elsewhere},
                         {"failed", s.failed},       {"not_run", s.not_run},
                         {"seconds", seconds}};
    report["images"] = records;
    dop::write_file_atomically(o.report, report.dump(2) + "\n", true);
  }
  if (interrupted != 0) return 128 + interrupted;
  return s.failed > 0 ? dop::kExitSomeFailed : dop::kExitOk;
}

int run_folder(const Context& ctx, const std::vector<c10::Device>& devices) {
  const CliOptions& o = ctx.o;
  check_folder_arguments(o);
  const auto items = dop::plan_batch(o.input, o.output, {o.recursive, o.format});
  if (items.empty()) {
    throw dop::InputError("no image files in folder '" + o.input + "'" +
                          (o.recursive ? "" : " (-r also looks in its subfolders)"));
  }
  const dop::Shard& shard = ctx.shard;
  const auto positions = dop::shard_positions(items.size(), shard);
  spdlog::info("{}: {} image(s){}", o.input, items.size(),
               o.shard.empty() ? std::string()
                               : fmt::format(", {} in shard {}/{}", positions.size(), shard.index,
                                             shard.count));
  // A folder run's report describes that run: a rerun replaces it.
  if (!o.report.empty()) dop::check_output_path(o.report, /*overwrite=*/true);
  std::error_code ec;
  fs::create_directories(o.output, ec);
  if (ec) {
    throw dop::OutputError("cannot create output folder '" + o.output + "': " + ec.message());
  }

  const auto start = std::chrono::steady_clock::now();
  const dop::ClaimOptions claims{o.claim_timeout, o.overwrite};
  // Removes a claim or checkpoint left beside a stored result by a run that died.
  const dop::ClaimWatch watch(o.output, std::chrono::duration<double>(o.claim_timeout));
  const auto tidy = [&](const fs::path& output) {
    for (const fs::path& gone : dop::remove_leftovers(output, {checkpoint_of(output)}, watch)) {
      spdlog::info("{}: removed '{}' left beside the result", output.string(), gone.string());
    }
  };
  std::vector<Job> jobs;
  std::vector<nlohmann::json> records;
  std::vector<size_t> todo;  // positions in jobs of the images to restore
  for (const size_t position : positions) {
    const dop::BatchItem& item = items[position];
    jobs.push_back(folder_job(o, item));
    records.emplace_back();
    if (!o.overwrite && fs::exists(item.output, ec)) {
      tidy(item.output);
      spdlog::info("{}: skipped, '{}' exists (--overwrite to redo it)", item.input.string(),
                   item.output.string());
      records.back() = {
          {"status", "skipped"}, {"input", item.input.string()}, {"output", item.output.string()}};
      continue;
    }
    todo.push_back(jobs.size() - 1);
  }
  std::vector<fs::path> outputs;
  for (const size_t k : todo) outputs.push_back(jobs[k].output);
  dop::ClaimQueue queue(outputs, o.output, claims);

  const bool live = devices.size() == 1 && !o.quiet && !o.no_progress;
  int interrupted = 0;
  std::mutex mutex;
  std::atomic<bool> broken{false};  // the output folder failed us (claims cannot be made)
  auto stopped = [&] { return dop::cli::stop_signal() != 0 || broken; };
  // Takes the next image no run has claimed, until none is left.
  const auto work = [&](c10::Device device) {
    while (auto next = queue.next(stopped)) {
      const size_t k = todo[next->index];
      const Job& job = jobs[k];
      if (next->kind == dop::ClaimQueue::Kind::kHeld) {
        spdlog::info("{}: being restored by {}; waiting for its result", job.input.string(),
                     next->owner.empty() ? std::string("another run") : next->owner);
        continue;
      }
      nlohmann::json record;
      if (next->kind == dop::ClaimQueue::Kind::kDoneElsewhere) {
        spdlog::info("{}: done by another run", job.input.string());
        tidy(job.output);
        record = {{"status", "done by another run"}};
      } else {
        if (next->took_over) {
          spdlog::warn("{}: taking over from {} (no heartbeat for {:g} s)", job.input.string(),
                       next->owner, o.claim_timeout);
        }
        dop::cli::ProgressDisplay display(live);
        display.set_prefix(fmt::format("[{}/{}] {}: ", next->index + 1, todo.size(),
                                       job.input.filename().string()));
        try {
          // The output's folder exists: the claim was made in it.
          if (!job.corruption.empty()) fs::create_directories(job.corruption.parent_path());
          if (!job.mask.empty()) fs::create_directories(job.mask.parent_path());
          record = restore_one(job, ctx, device, display, next->claim.get());
        } catch (const ClaimLost& e) {
          spdlog::warn("{}: {}", job.input.string(), e.what());
          queue.requeue(next->index);
          continue;
        } catch (const dop::Interrupted& e) {
          std::lock_guard<std::mutex> lock(mutex);
          interrupted = e.signal();
          spdlog::warn("{}: {}", job.input.string(), e.what());
          record = {{"status", "interrupted"}, {"error", error_text(e)}};
        } catch (const std::exception& e) {
          spdlog::error("{}: {}", job.input.string(), e.what());
          record = {{"status", "failed"}, {"error", error_text(e)}};
        }
        if (next->took_over) record["took_over_from"] = next->owner;
      }
      record["input"] = job.input.string();
      record["output"] = job.output.string();
      std::lock_guard<std::mutex> lock(mutex);
      records[k] = std::move(record);
    }
  };
  // One worker per device; a failure outside any one image stops them all and is rethrown.
  dop::run_on_devices(devices.size(), devices, [&](size_t, c10::Device device) {
    try {
      work(device);
    } catch (...) {
      broken = true;
      throw;
    }
  });

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return finish_folder_run(ctx, records, jobs, seconds, interrupted);
}

int run(const CliOptions& o) {
  if (o.list_devices) {
    for (const auto& d : dop::list_devices()) std::printf("%s\n", d.c_str());
    return dop::kExitOk;
  }
  if (o.input.empty() || o.output.empty()) {
    throw dop::UsageError("INPUT and OUTPUT are required (see --help)");
  }
  const dop::cli::CheckedOptions checked = dop::cli::check_options(o);
  const std::vector<c10::Device>& devices = checked.devices;
  dop::set_max_image_pixels(static_cast<uint64_t>(o.max_pixels));
  std::error_code ec;
  if (!fs::exists(o.input, ec)) {
    throw dop::InputError("cannot read '" + o.input + "': no such file or folder");
  }
  const bool folder = fs::is_directory(o.input, ec);
  if (folder && !fs::exists(o.output, ec) && dop::has_image_extension(o.output)) {
    throw dop::UsageError("INPUT '" + o.input + "' is a folder but OUTPUT '" + o.output +
                          "' names an image file: give both as folders, or both as files");
  }
  if (devices.size() > 1 && !folder) {
    throw dop::UsageError("several devices (--device " + o.device +
                          ") run several images at once: INPUT and OUTPUT must be folders");
  }
  if (!folder && (o.recursive || !o.format.empty() || !o.shard.empty())) {
    throw dop::UsageError("--recursive, --format and --shard apply to folders; INPUT '" + o.input +
                          "' is not a folder");
  }
  // Several CPU workers share the cores.
  size_t cpu_workers = 0;
  for (const auto& d : devices) cpu_workers += d.is_cpu() ? 1 : 0;
  int threads_wanted = o.threads;
  if (threads_wanted == 0 && cpu_workers > 1) {
    threads_wanted =
        std::max(1, static_cast<int>(std::thread::hardware_concurrency() / cpu_workers));
  }
  const Context ctx{o,
                    checked.preset,
                    checked.train,
                    checked.time_budget,
                    checked.convergence,
                    checked.tile,
                    checked.shard,
                    dop::configure_threads(threads_wanted),
                    static_cast<int>(devices.size())};
  dop::tune_host_allocator();
  dop::cli::install_stop_handlers();
  return folder ? run_folder(ctx, devices) : run_file(ctx, devices.front());
}

}  // namespace

int main(int argc, char** argv) {
  CliOptions options;
  const auto app = dop::cli::make_app(options);
  try {
    app->parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app->exit(e);
  }

  auto logger = spdlog::stderr_color_mt("dop-restore");
  logger->set_pattern("%^%l%$: %v");
  logger->set_level(options.quiet ? spdlog::level::warn
                                  : spdlog::level::from_str(options.log_level));
  spdlog::set_default_logger(logger);

  try {
    return run(options);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "dop-restore: error: %s\n", e.what());
    return dop::exit_code_of(e);
  }
}
