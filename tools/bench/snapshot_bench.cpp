#include "snapshot_bench.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include "dop/classical.hpp"
#include "dop/compose.hpp"
#include "dop/device.hpp"
#include "dop/error.hpp"
#include "dop/image_io.hpp"
#include "dop/metrics.hpp"
#include "dop/presets.hpp"
#include "dop/trainer.hpp"

namespace dop::bench {

CLI::App* add_snapshot_command(CLI::App& app, SnapshotBenchOptions& o) {
  auto* c = app.add_subcommand(
      "snapshots",
      "Save f, the last output and S = g*g - h*h at chosen iterations of one run (torch.load)");
  c->add_option("NOISY", o.noisy, "Corrupted image")->required();
  c->add_option("OUT", o.out, "Folder for <iteration>.pt files")->required();
  c->add_option("--at", o.at, "Iterations to save at")->capture_default_str();
  c->add_option("--preset", o.preset, "fast, balanced or paper")->capture_default_str();
  c->add_option("--width", o.width, "Network width (0 = the preset's)")->capture_default_str();
  c->add_option("--threads", o.threads, "CPU threads (0 = all cores)")->capture_default_str();
  c->add_option("--seed", o.seed, "Seed of the run")->capture_default_str();
  return c;
}

int run_snapshots(const SnapshotBenchOptions& o) {
  if (o.at.empty() || *std::min_element(o.at.begin(), o.at.end()) < 1) {
    throw UsageError("--at takes iterations >= 1");
  }
  configure_threads(o.threads);
  tune_host_allocator();
  const at::Tensor noisy = load_image(o.noisy).pixels;
  TrainOptions t = preset_options(parse_preset(o.preset));
  t.iterations = *std::max_element(o.at.begin(), o.at.end());
  t.seed = o.seed;
  if (o.width > 0) t.network.width = o.width;
  std::filesystem::create_directories(o.out);
  Trainer trainer(noisy, t);
  for (int64_t it = 1; it <= t.iterations; ++it) {
    const at::Tensor loss = trainer.step();
    if (std::find(o.at.begin(), o.at.end(), it) == o.at.end()) continue;
    c10::Dict<std::string, at::Tensor> snap;
    snap.insert("f", trainer.output());
    snap.insert("s", trainer.corruption());
    snap.insert("loss", loss.cpu());
    const std::vector<char> bytes = torch::jit::pickle_save(c10::IValue(snap));
    const auto path = std::filesystem::path(o.out) / fmt::format("{}.pt", it);
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::fprintf(stderr, "%s: iteration %lld saved\n", o.noisy.c_str(), static_cast<long long>(it));
  }
  return 0;
}

CLI::App* add_compose_command(CLI::App& app, ComposeBenchOptions& o) {
  auto* c = app.add_subcommand(
      "compose", "PSNR of f and of its composition for snapshots saved by dop-bench snapshots");
  c->add_option("CLEAN", o.clean, "Clean image")->required();
  c->add_option("NOISY", o.noisy, "The corrupted image the snapshots were fitted to")->required();
  c->add_option("SNAPSHOTS", o.snapshots, "<iteration>.pt files")->required();
  c->add_option("--save", o.save,
                "Folder for each snapshot's composed result, weight and fill (float TIFF)");
  c->add_option("--start", o.start,
                "Where the detection starts: sparse (DOP's split of y - f) or residual "
                "(|y - f| alone)")
      ->default_str(to_string(DetectionOptions{}.start));
  c->add_option("--spike-test", o.spike_test,
                "How a value the damage takes exactly is told from the rest: its bin against "
                "the median or the mean of the three bins either side")
      ->default_str(to_string(DetectionOptions{}.spikes));
  return c;
}

int run_compose(const ComposeBenchOptions& o) {
  DetectionOptions detection;  // the tool's, but for what the options name
  if (!o.start.empty()) detection.start = parse_detection_start(o.start);
  if (!o.spike_test.empty()) detection.spikes = parse_spike_test(o.spike_test);
  const at::Tensor clean = load_image(o.clean).pixels;
  const at::Tensor noisy = load_image(o.noisy).pixels;
  // The classical peers on the same image, at fixed settings, for comparison.
  const double best_classical = std::max(
      {psnr(median_filter(noisy, 3), clean), psnr(switching_median_filter(noisy), clean),
       psnr(adaptive_median_filter(noisy, 11), clean), psnr(iterative_mean_filter(noisy), clean),
       psnr(acwm_filter(noisy, 0.2, 2), clean)});
  std::printf(
      "snapshot,psnr_network,psnr_composed,damaged_fraction,noise_level,best_classical,"
      "change_network,change_composed\n");
  // The root-mean-square change of f and of the composed result since the snapshot before
  // (what the automatic stop measures over its window); NaN for the first.
  at::Tensor previous_f, previous_composed;
  auto change = [](const at::Tensor& now, const at::Tensor& before) {
    return before.defined() ? rms_difference(now, before) : std::nan("");
  };
  for (const auto& file : o.snapshots) {
    std::ifstream in(file, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
    if (bytes.empty()) throw InputError("cannot read snapshot '" + file + "'");
    const auto dict = torch::jit::pickle_load(bytes).toGenericDict();
    const at::Tensor f = dict.at("f").toTensor();
    const at::Tensor s = dict.at("s").toTensor();
    const Composition c = compose(noisy, f, s, detection);
    std::printf("%s,%.4f,%.4f,%.4f,%.5f,%.4f,%.6f,%.6f\n", file.c_str(), psnr(f, clean),
                psnr(c.image, clean), c.damaged_fraction, c.noise_level, best_classical,
                change(f, previous_f), change(c.image, previous_composed));
    if (!o.save.empty()) {
      std::filesystem::create_directories(o.save);
      const std::string stem = std::filesystem::path(file).stem().string();
      SaveOptions as_float;
      as_float.bit_depth = 32;
      as_float.overwrite = true;
      const std::pair<const char*, at::Tensor> maps[] = {
          {"x", c.image}, {"w", c.weight}, {"fill", c.fill}};
      for (const auto& [suffix, t] : maps) {
        Image out;
        out.pixels = t.clamp(0, 1).contiguous();
        save_image(std::filesystem::path(o.save) / fmt::format("{}-{}.tiff", stem, suffix), out,
                   as_float);
      }
    }
    previous_f = f;
    previous_composed = c.image;
  }
  return 0;
}

}  // namespace dop::bench
