// dop-bench memory: peak memory of DOP training against image size and network width,
// each configuration in a fresh process (peak RSS is per process), next to the library's
// estimate (dop::estimate_training_bytes), which --tile auto relies on.
#include "memory_bench.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <ATen/ATen.h>
#include <spdlog/fmt/fmt.h>
#include <nlohmann/json.hpp>

#include "dop/corruption.hpp"
#include "dop/device.hpp"
#include "dop/error.hpp"
#include "dop/tiles.hpp"
#include "dop/trainer.hpp"
#include "plot.hpp"
#include "process.hpp"

namespace dop::bench {
namespace {

namespace fs = std::filesystem;

// VmRSS or VmHWM (peak) of this process, in bytes.
double proc_status_bytes(const std::string& key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      std::istringstream in(line.substr(key.size() + 1));
      double kb = 0;
      in >> kb;
      return kb * 1024.0;
    }
  }
  return 0.0;
}

int probe(const MemoryBenchOptions& o) {
  configure_threads(o.threads);
  const c10::Device device = resolve_device(o.device);
  const at::Tensor clean = at::rand({3, o.size, o.size});
  const at::Tensor noisy = salt_and_pepper(clean, 0.5, 0);
  (void)(noisy.sum().item<double>());  // LibTorch initialised before the baseline
  const double baseline = proc_status_bytes("VmRSS");
  TrainOptions t;
  t.network.width = o.width;
  t.iterations = o.iterations;
  const auto start = std::chrono::steady_clock::now();
  Trainer trainer(noisy, t, device);
  for (int64_t i = 0; i < o.iterations; ++i) (void)trainer.step().item<double>();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s\n", nlohmann::json{{"baseline", baseline},
                                     {"peak", proc_status_bytes("VmHWM")},
                                     {"seconds_per_iteration", seconds / o.iterations}}
                          .dump()
                          .c_str());
  return 0;
}

}  // namespace

CLI::App* add_memory_command(CLI::App& app, MemoryBenchOptions& o) {
  auto* c = app.add_subcommand(
      "memory", "Peak memory of training against image size and width (one process each)");
  c->add_option("--sizes", o.sizes, "Square image sides")->capture_default_str();
  c->add_option("--widths", o.widths, "Network widths")->capture_default_str();
  c->add_option("--iterations", o.iterations, "Steps per configuration")->capture_default_str();
  c->add_option("--max-gib", o.max_gib, "Skip configurations estimated above this")
      ->capture_default_str();
  c->add_option("--device", o.device, "cpu (peak RSS)")->capture_default_str();
  c->add_option("--out", o.out, "Output folder")->capture_default_str();
  c->add_option("--threads", o.threads, "CPU threads (0 = all cores)")->capture_default_str();
  c->add_flag("--probe", o.probe)->group("");  // internal: measure one configuration
  c->add_option("--size", o.size)->group("");
  c->add_option("--width", o.width)->group("");
  return c;
}

int run_memory(const MemoryBenchOptions& o) {
  if (o.probe) return probe(o);
  if (o.device != "cpu") throw UsageError("dop-bench memory measures peak RSS: --device cpu only");
  fs::create_directories(o.out);
  const fs::path csv = fs::path(o.out) / "memory.csv";
  std::ofstream out(csv);
  out << "size,width,pixels,peak_mib,estimate_mib,seconds_per_iteration\n";
  std::printf("%6s %6s %12s %12s %8s %10s\n", "size", "width", "peak MiB", "estimate MiB", "ratio",
              "s/it");
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  for (int64_t width : o.widths) {
    for (int64_t size : o.sizes) {
      SkipNetOptions net;
      net.width = width;
      const double estimate = estimate_training_bytes(3, size, size, net);
      if (estimate > o.max_gib * 1073741824.0) {
        std::printf("%6lld %6lld %12s %12.0f %8s %10s (skipped: over --max-gib)\n",
                    static_cast<long long>(size), static_cast<long long>(width), "-",
                    estimate / 1048576.0, "-", "-");
        continue;
      }
      const std::string cmd =
          fmt::format("'{}' memory --probe --size {} --width {} --iterations {} --threads {}", self,
                      size, width, o.iterations, o.threads);
      const auto r = run_command(cmd);
      if (!r.ok) throw RuntimeError("memory probe failed: " + cmd);
      const auto j = nlohmann::json::parse(r.text);
      const double peak = j["peak"].get<double>() - j["baseline"].get<double>();
      const double spi = j["seconds_per_iteration"].get<double>();
      out << fmt::format("{},{},{},{:.1f},{:.1f},{:.4f}\n", size, width, size * size,
                         peak / 1048576.0, estimate / 1048576.0, spi);
      out.flush();
      std::printf("%6lld %6lld %12.1f %12.1f %8.2f %10.3f\n", static_cast<long long>(size),
                  static_cast<long long>(width), peak / 1048576.0, estimate / 1048576.0,
                  peak / estimate, spi);
      std::fflush(stdout);
    }
  }
  out.close();
  render_png(fs::path(o.out) / "memory.png",
             fmt::format("set title 'Peak training memory beyond the process base (CPU, RSS)'\n"
                         "set logscale xy\nset xlabel 'pixels (square image)'\n"
                         "set ylabel 'MiB'\nset grid\nset key top left\n"
                         "widths = '{}'\n"
                         "plot for [i=1:words(widths)] '{}' using 'pixels':((column('width') == "
                         "word(widths,i)+0) ? column('peak_mib') : 1/0) with linespoints lw 2 "
                         "title 'measured, width '.word(widths,i), "
                         "for [i=1:words(widths)] '' using 'pixels':((column('width') == "
                         "word(widths,i)+0) ? column('estimate_mib') : 1/0) with lines dt 2 lc i "
                         "title 'estimate, width '.word(widths,i)",
                         fmt::format("{}", fmt::join(o.widths, " ")), csv.filename().string()));
  std::printf("ratio = measured / estimate; the estimate is what --tile auto plans with\n");
  return 0;
}

}  // namespace dop::bench
