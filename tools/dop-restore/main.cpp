// dop-restore: restore an image damaged by sparse corruption (salt-and-pepper, impulse
// noise, dead pixels) with Double Over-Parameterization. Parses arguments, calls the
// library, maps errors to exit codes; no algorithm lives here.
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <torch/version.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "dop/atomic_file.hpp"
#include "dop/device.hpp"
#include "dop/error.hpp"
#include "dop/image_io.hpp"
#include "dop/metrics.hpp"
#include "dop/trainer.hpp"
#include "progress.hpp"

namespace fs = std::filesystem;

namespace {

struct CliOptions {
  std::string input;
  std::string output;
  std::string reference;
  std::string report;
  std::string save_corruption;
  std::string device = "auto";
  std::string method = "dop";
  std::string upsampling = "bilinear";
  std::string log_level = "info";
  int threads = 0;
  int bit_depth = 0;
  int64_t log_every = 100;
  bool overwrite = false;
  bool quiet = false;
  bool no_progress = false;
  bool list_devices = false;
  dop::TrainOptions train;
};

std::string version_text() {
  return fmt::format("dop-restore {} (LibTorch {})", DOP_VERSION, TORCH_VERSION);
}

void add_options(CLI::App& app, CliOptions& o) {
  app.add_option("INPUT", o.input, "Corrupted image (PNG, TIFF, JPEG, WebP, BMP, ...)");
  app.add_option("OUTPUT", o.output, "Restored image; the format follows the extension");

  auto& t = o.train;
  const char* method_group = "Method";
  app.add_option("--method", o.method, "dop (the paper's method), dip or dip-l1 (baselines)")
      ->check(CLI::IsMember({"dop", "dip", "dip-l1"}))
      ->capture_default_str()
      ->group(method_group);
  app.add_option("--iterations", t.iterations,
                 "Gradient steps; the last one's output is the result")
      ->capture_default_str()
      ->group(method_group);
  app.add_option("--lr", t.lr,
                 "Network step size tau (0 = method's default: dop 1, dip/dip-l1 0.01)")
      ->capture_default_str()
      ->group(method_group);
  app.add_option("--alpha", t.alpha, "Ratio of the g,h step to the network's (dop)")
      ->capture_default_str()
      ->group(method_group);
  app.add_option("--init-scale", t.sparse_init_scale,
                 "Standard deviation of the start of g and h (dop)")
      ->capture_default_str()
      ->group(method_group);
  app.add_option("--jitter", t.input_jitter,
                 "Std of the noise added to the network input each step")
      ->capture_default_str()
      ->group(method_group);
  app.add_option("--seed", t.seed, "Seed of all random draws (same seed, same CPU: same result)")
      ->capture_default_str()
      ->group(method_group);

  const char* net_group = "Network";
  app.add_option("--width", t.network.width, "Channels per level of the U-Net")
      ->capture_default_str()
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
  app.add_option("--device", o.device, "auto, cpu, cuda or cuda:N (auto = CUDA when available)")
      ->capture_default_str()
      ->group(run_group);
  app.add_option("--threads", o.threads, "CPU threads (0 = all cores)")
      ->capture_default_str()
      ->group(run_group);
  app.add_flag("--list-devices", o.list_devices, "List the devices this build can use and exit")
      ->group(run_group);

  const char* out_group = "Output";
  app.add_flag("--overwrite", o.overwrite,
               "Replace OUTPUT (and report/corruption files) if they exist")
      ->group(out_group);
  app.add_option("--bit-depth", o.bit_depth,
                 "8, 16 or 32 (float) bits per sample (0 = as the input)")
      ->check(CLI::IsMember({0, 8, 16, 32}))
      ->capture_default_str()
      ->group(out_group);
  app.add_option("--reference", o.reference, "Clean image: report PSNR/SSIM of input and result")
      ->group(out_group);
  app.add_option("--report", o.report, "Write settings, timings, metrics and history as JSON")
      ->group(out_group);
  app.add_option("--log-every", o.log_every, "Iterations between history samples in the report")
      ->capture_default_str()
      ->group(out_group);
  app.add_option("--save-corruption", o.save_corruption,
                 "Write the estimated corruption g*g-h*h as an image (0.5 = none)")
      ->group(out_group);
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str()
      ->group(out_group);
  app.add_flag("-q,--quiet", o.quiet, "Only errors; no progress")->group(out_group);
  app.add_flag("--no-progress", o.no_progress, "No progress line")->group(out_group);
  app.set_version_flag("--version", version_text());
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec) && !ec;
}

void check_outputs(const CliOptions& o) {
  for (const std::string* out : {&o.output, &o.save_corruption, &o.report}) {
    if (out->empty()) continue;
    for (const std::string* in : {&o.input, &o.reference}) {
      if (!in->empty() && same_file(*in, *out)) {
        throw dop::UsageError("output '" + *out + "' is the input file '" + *in +
                              "'; inputs are never overwritten: choose another output name");
      }
    }
  }
  if (o.output == o.save_corruption || o.output == o.report ||
      (!o.report.empty() && o.report == o.save_corruption)) {
    throw dop::UsageError("OUTPUT, --save-corruption and --report must name different files");
  }
  dop::check_image_output(o.output, o.overwrite);
  if (!o.save_corruption.empty()) dop::check_image_output(o.save_corruption, o.overwrite);
  if (!o.report.empty()) dop::check_output_path(o.report, o.overwrite);
}

nlohmann::json settings_json(const CliOptions& o, const dop::TrainOptions& t) {
  return {{"method", o.method},
          {"iterations", t.iterations},
          {"lr", t.effective_lr()},
          {"alpha", t.alpha},
          {"init_scale", t.sparse_init_scale},
          {"jitter", t.input_jitter},
          {"input_scale", t.input_scale},
          {"seed", t.seed},
          {"width", t.network.width},
          {"scales", t.network.scales},
          {"skip_channels", t.network.skip_channels},
          {"input_channels", t.network.input_channels},
          {"upsampling", o.upsampling}};
}

nlohmann::json metrics_json(const at::Tensor& image, const at::Tensor& clean) {
  return {{"psnr", dop::psnr(image, clean)}, {"ssim", dop::ssim(image, clean)}};
}

int run(const CliOptions& o) {
  if (o.list_devices) {
    for (const auto& d : dop::list_devices()) std::printf("%s\n", d.c_str());
    return dop::kExitOk;
  }
  if (o.input.empty() || o.output.empty()) {
    throw dop::UsageError("INPUT and OUTPUT are required (see --help)");
  }
  dop::TrainOptions train = o.train;
  train.method = dop::parse_method(o.method);
  train.network.upsampling =
      o.upsampling == "nearest" ? dop::Upsampling::kNearest : dop::Upsampling::kBilinear;
  train.validate();
  if (o.log_every < 1) throw dop::UsageError("--log-every must be >= 1");
  const c10::Device device = dop::resolve_device(o.device);
  const int threads = dop::configure_threads(o.threads);
  dop::tune_host_allocator();
  check_outputs(o);

  const dop::Image input = dop::load_image(o.input);
  at::Tensor clean;
  if (!o.reference.empty()) {
    const dop::Image ref = dop::load_image(o.reference);
    if (ref.pixels.sizes() != input.pixels.sizes()) {
      throw dop::InputError(
          fmt::format("reference '{}' is {}x{} with {} channel(s) but input '{}' is {}x{} with {}",
                      o.reference, ref.width(), ref.height(), ref.channels(), o.input,
                      input.width(), input.height(), input.channels()));
    }
    clean = ref.pixels;
  }
  spdlog::info("{}: {}x{}, {} channel(s){}, {}-bit; {} on {} ({} thread(s)), {} iterations",
               o.input, input.width(), input.height(), input.channels(),
               input.alpha.defined() ? " + alpha" : "", input.bit_depth, o.method, device.str(),
               threads, train.iterations);

  dop::cli::ProgressDisplay display(!o.quiet && !o.no_progress);
  dop::RunOptions run;
  run.device = device;
  run.clean = clean;
  run.log_every = o.log_every;
  run.on_progress = [&](const dop::Progress& p) { display.update(p); };
  const dop::Restoration result = dop::restore(input.pixels, train, run);
  display.finish();

  dop::Image restored;
  restored.pixels = result.image;
  restored.alpha = input.alpha;
  restored.bit_depth = input.bit_depth;
  const dop::SaveReport saved = dop::save_image(o.output, restored, {o.bit_depth, o.overwrite});
  if (saved.alpha_dropped)
    spdlog::warn("{}: this format has no alpha channel; alpha dropped", o.output);
  const int wanted_depth = o.bit_depth == 0 ? input.bit_depth : o.bit_depth;
  if (saved.bit_depth != wanted_depth) {
    spdlog::warn("{}: this format cannot hold {}-bit samples; wrote {}-bit", o.output, wanted_depth,
                 saved.bit_depth);
  }
  if (!o.save_corruption.empty()) {
    dop::Image map;
    map.pixels = (result.corruption * 0.5 + 0.5).clamp(0.0, 1.0);
    dop::save_image(o.save_corruption, map, {8, o.overwrite});
  }

  const double per_iteration = result.seconds / static_cast<double>(result.iterations);
  spdlog::info("wrote {} ({} iterations in {:.1f} s, {:.4f} s/iteration)", o.output,
               result.iterations, result.seconds, per_iteration);
  nlohmann::json metrics;
  if (clean.defined()) {
    metrics = {{"input", metrics_json(input.pixels, clean)},
               {"output", metrics_json(result.image, clean)}};
    spdlog::info("PSNR {:.2f} dB -> {:.2f} dB, SSIM {:.4f} -> {:.4f} (input -> result, against {})",
                 metrics["input"]["psnr"].get<double>(), metrics["output"]["psnr"].get<double>(),
                 metrics["input"]["ssim"].get<double>(), metrics["output"]["ssim"].get<double>(),
                 o.reference);
  }

  if (!o.report.empty()) {
    nlohmann::json history = nlohmann::json::array();
    for (const auto& p : result.history) {
      nlohmann::json h = {{"iteration", p.iteration}, {"loss", p.loss}, {"seconds", p.seconds}};
      if (!std::isnan(p.psnr)) h["psnr"] = p.psnr;
      history.push_back(h);
    }
    nlohmann::json report = {{"tool", "dop-restore"},
                             {"version", DOP_VERSION},
                             {"input", o.input},
                             {"output", o.output},
                             {"image",
                              {{"width", input.width()},
                               {"height", input.height()},
                               {"channels", input.channels()},
                               {"alpha", input.alpha.defined()},
                               {"bit_depth", input.bit_depth},
                               {"output_bit_depth", saved.bit_depth}}},
                             {"settings", settings_json(o, train)},
                             {"parameters", result.parameters},
                             {"iterations", result.iterations},
                             {"seconds", result.seconds},
                             {"seconds_per_iteration", per_iteration},
                             {"device", device.str()},
                             {"threads", threads},
                             {"history", history}};
    if (clean.defined()) {
      report["reference"] = o.reference;
      report["metrics"] = metrics;
    }
    dop::write_file_atomically(o.report, report.dump(2) + "\n", o.overwrite);
  }
  return dop::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Restore an image damaged by sparse corruption (salt-and-pepper or impulse noise,\n"
      "stuck or dead pixels) with Double Over-Parameterization (You et al., NeurIPS 2020).",
      "dop-restore"};
  app.footer(
      "Examples:\n"
      "  dop-restore noisy.png restored.png\n"
      "  dop-restore --iterations 3000 --width 64 noisy.png restored.png\n"
      "  dop-restore --reference clean.png --report run.json noisy.png restored.png\n"
      "  dop-restore --device cuda:1 --save-corruption damage.png scan.tif scan-restored.tif\n\n"
      "Exit codes: 0 success, 1 runtime error (e.g. training diverged), 2 invalid option value,\n"
      "3 unreadable input, 4 output cannot be written, 100+ command-line syntax (CLI11).");
  CliOptions options;
  add_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
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
