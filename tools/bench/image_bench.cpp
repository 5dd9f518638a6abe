// dop-bench figure3|figure4|figure5|impulse|damage|dense: the paper's image experiments
// with DOP (its composed result and its network output), its two DIP baselines and the
// classical peers, plus damage the paper did not test (dead pixels, scratches) and dense
// noise under the sparse damage; every number measured in the run that prints it.
#include "image_bench.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <ATen/ATen.h>
#include <spdlog/fmt/fmt.h>
#include <opencv2/imgproc.hpp>

#include "dop/batch.hpp"
#include "dop/classical.hpp"
#include "dop/corruption.hpp"
#include "dop/device.hpp"
#include "dop/error.hpp"
#include "dop/image_io.hpp"
#include "dop/metrics.hpp"
#include "dop/presets.hpp"
#include "dop/trainer.hpp"
#include "plot.hpp"
#include "progress.hpp"

namespace dop::bench {
namespace {

namespace fs = std::filesystem;

// Methods that can be asked for. A dop run also yields "dop-network": its network output f,
// the result without composition (the paper's), from the same training.
const std::vector<std::string> kAllMethods{
    "dop", "dip", "dip-l1", "median", "switching-median", "adaptive-median", "iterative-mean",
    "acwm"};
const std::vector<std::string> kTrainedMethods{"dop", "dip", "dip-l1"};
const char* const kDopNetwork = "dop-network";

bool is_classical(const std::string& method) {
  return std::find(kTrainedMethods.begin(), kTrainedMethods.end(), method) ==
             kTrainedMethods.end() &&
         method != kDopNetwork;
}
// Line colours of the curve plots, one per method (kAllMethods order, then dop-network).
const std::map<std::string, std::string> kColour{{"dop", "#d62728"},
                                                 {"dip", "#1f77b4"},
                                                 {"dip-l1", "#2ca02c"},
                                                 {"median", "#7f7f7f"},
                                                 {"switching-median", "#ff7f0e"},
                                                 {"adaptive-median", "#8c564b"},
                                                 {"iterative-mean", "#e377c2"},
                                                 {"acwm", "#17becf"},
                                                 {"dop-network", "#9467bd"}};
const std::vector<std::string> kPaperImages{"F16.png", "Peppers.png", "Baboon.png", "kodim03.png"};

struct Preset {
  int64_t size;
  int64_t width;
  int64_t iterations;
  int seeds;
  int64_t log_every;
  double alpha;  // 0 = the library's automatic α
  double lr;     // DOP's τ; 0 = the library's automatic τ
  // DOP's other settings (step decay, output average) are this preset's of dop-restore.
  dop::Preset dop;
};

Preset preset(const std::string& name) {
  if (name == "smoke") return {32, 8, 60, 1, 10, 0.0, 0.0, dop::Preset::kFast};
  // dop-restore's default (balanced) on 128×128 crops: its width and iterations.
  if (name == "cpu") return {128, 48, 2200, 1, 50, 0.0, 0.0, dop::Preset::kBalanced};
  // The paper's exact schedule, α and τ included (its images are 512×512).
  if (name == "paper") return {0, 128, 150000, 1, 1000, 500.0, 1.0, dop::Preset::kPaper};
  throw UsageError("unknown preset '" + name + "': use smoke, cpu or paper");
}

// One image under one corruption: a row of every table.
struct Case {
  std::string image;  // file stem
  at::Tensor clean;   // C×H×W
  CorruptionKind kind;
  double level;                   // 0 with no dense noise: the clean image itself
  std::set<std::string> panels;   // which learning-curve plots show it
  std::set<std::string> figures;  // which subcommands' tables it belongs to (for `all`)
  double gaussian = 0.0;          // dense Gaussian noise under the sparse damage (σ)

  std::string noise() const {
    std::string text = level > 0 ? fmt::format("{} {:.0f}%", describe(kind), 100 * level) : "";
    if (gaussian > 0) text += fmt::format("{}Gaussian σ {:g}", text.empty() ? "" : " + ", gaussian);
    return text.empty() ? "none (clean)" : text;
  }
  std::string key() const {
    std::string k = fmt::format("{}-{}{:.0f}", image, to_string(kind), 100 * level);
    if (gaussian > 0) k += fmt::format("-g{:g}", gaussian);
    return k;
  }
  // The damaged image for a seed: dense noise first (the sensor's), then the sparse damage.
  at::Tensor corrupted(int seed) const {
    const at::Tensor noisy =
        gaussian > 0
            ? add_gaussian_noise(clean, gaussian, static_cast<uint64_t>(seed) + 0x9e3779b9u)
            : clean;
    return corrupt(noisy, kind, level, static_cast<uint64_t>(seed));
  }
};

struct Run {
  size_t case_index;
  std::string method;
  int seed;
  double psnr;
  double ssim;
  double peak_psnr = NAN;  // trained methods: best PSNR of the learning curve
  int64_t peak_iteration = 0;
  double seconds = 0;
  std::string note;  // e.g. the median window chosen
};

struct Curve {
  size_t case_index;
  std::string method;
  int seed;
  std::vector<Progress> history;
};

// Centre square crop resized to size×size (pixel-area averaging); size 0 keeps the image.
at::Tensor prepare(const at::Tensor& chw, int64_t size) {
  if (size <= 0) return chw;
  const int64_t h = chw.size(1), w = chw.size(2);
  const int64_t side = std::min(h, w);
  return resize_area(chw.narrow(1, (h - side) / 2, side).narrow(2, (w - side) / 2, side), size,
                     size);
}

std::vector<fs::path> list_images(const std::vector<std::string>& specs) {
  std::vector<fs::path> files;
  for (const auto& spec : specs) {
    const fs::path p(spec);
    if (fs::is_directory(p)) {
      std::vector<fs::path> found;
      for (const auto& e : fs::directory_iterator(p)) {
        if (e.is_regular_file() && has_image_extension(e.path())) found.push_back(e.path());
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) throw InputError("no image files in folder '" + spec + "'");
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(p)) {
      files.push_back(p);
    } else {
      throw InputError("'" + spec + "' does not exist (--images takes image files or folders)");
    }
  }
  return files;
}

// 8-bit BGR tile of a C×H×W image, scaled up (nearest) to at least min_side pixels high,
// with a caption band on top: figure drawing is the one thing dop-bench does with OpenCV
// itself (dop_io reads, writes and resizes).
cv::Mat tile(const at::Tensor& chw, const std::string& caption, int min_side) {
  at::Tensor t = chw.clamp(0, 1).mul(255).round().to(at::kByte);
  if (t.size(0) == 1) t = t.expand({3, t.size(1), t.size(2)});
  const at::Tensor hwc = t.flip(0).permute({1, 2, 0}).contiguous();  // RGB → BGR
  cv::Mat img(static_cast<int>(hwc.size(0)), static_cast<int>(hwc.size(1)), CV_8UC3,
              hwc.data_ptr<uint8_t>());
  const int scale = std::max(1, (min_side + img.rows - 1) / img.rows);
  cv::Mat big;
  cv::resize(img, big, cv::Size(), scale, scale, cv::INTER_NEAREST);
  cv::Mat band(28, big.cols, CV_8UC3, cv::Scalar(255, 255, 255));
  const double font = std::min(0.5, 0.9 * big.cols / (10.0 * std::max<size_t>(caption.size(), 1)));
  cv::putText(band, caption, cv::Point(4, 19), cv::FONT_HERSHEY_SIMPLEX, font, cv::Scalar(0, 0, 0),
              1, cv::LINE_AA);
  cv::Mat out;
  cv::vconcat(band, big, out);
  cv::copyMakeBorder(out, out, 0, 0, 0, 4, cv::BORDER_CONSTANT, cv::Scalar(255, 255, 255));
  return out;
}

std::string mean_spread(const std::vector<double>& v, int decimals) {
  double mean = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  if (v.size() < 2) return fmt::format("{:.{}f}", mean, decimals);
  double var = 0;
  for (double x : v) var += (x - mean) * (x - mean);
  return fmt::format("{:.{}f} ± {:.{}f}", mean, decimals,
                     std::sqrt(var / static_cast<double>(v.size() - 1)), decimals);
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? NAN : s / static_cast<double>(v.size());
}

class Experiment {
 public:
  Experiment(std::string name, ImageBenchOptions o)
      : name_(std::move(name)), o_(std::move(o)), device_(resolve_device(o_.device)) {}

  // A case asked for twice (figure5: F16 at 50% is in both panels) runs once.
  void add_case(Case c) {
    for (auto& existing : cases_) {
      if (existing.key() == c.key()) {
        existing.panels.insert(c.panels.begin(), c.panels.end());
        existing.figures.insert(c.figures.begin(), c.figures.end());
        return;
      }
    }
    cases_.push_back(std::move(c));
  }

  // Every (case, seed, method) once; with jobs > 1, that many runs at a time, each in a
  // thread of its own (one LibTorch thread each). Results do not depend on `jobs`.
  void run() {
    struct Item {
      size_t case_index;
      int seed;
      std::string method;
    };
    std::vector<Item> items;
    for (size_t ci = 0; ci < cases_.size(); ++ci) {
      for (int seed = 0; seed < o_.seeds; ++seed) {
        noisy_[{ci, seed}] = cases_[ci].corrupted(seed);
        for (const auto& m : o_.methods) items.push_back({ci, seed, m});
      }
    }
    std::vector<Outcome> outcomes(items.size());
    const auto label = [&](size_t i) {
      const Item& it = items[i];
      return fmt::format("[{}/{}] {} {} {} seed {}", i + 1, items.size(),
                         cases_[it.case_index].image, cases_[it.case_index].noise(), it.method,
                         it.seed);
    };
    if (o_.jobs <= 1) {
      cli::ProgressDisplay display(!o_.quiet);
      for (size_t i = 0; i < items.size(); ++i) {
        display.set_prefix(label(i) + ": ");
        outcomes[i] = run_one(items[i].case_index, items[i].method, items[i].seed,
                              [&](const Progress& p) { display.update(p); });
      }
    } else {
      // o_.jobs runs at once; the first failure stops the others.
      std::mutex print;
      const std::vector<c10::Device> workers(static_cast<size_t>(o_.jobs), device_);
      run_on_devices(items.size(), workers, [&](size_t i, c10::Device) {
        outcomes[i] = run_one(items[i].case_index, items[i].method, items[i].seed, nullptr);
        if (o_.quiet) return;
        std::lock_guard<std::mutex> lock(print);
        std::fprintf(stderr, "%s: PSNR %.2f dB in %.0f s\n", label(i).c_str(), outcomes[i].run.psnr,
                     outcomes[i].run.seconds);
      });
    }
    for (auto& out : outcomes) {
      if (out.run.seed == 0) results_[{out.run.case_index, out.run.method}] = out.image;
      if (!out.curve.history.empty()) curves_.push_back(std::move(out.curve));
      runs_.push_back(out.run);
      if (out.network.defined()) {
        // The same run's network output, as a method of its own.
        Run net = out.run;
        net.method = kDopNetwork;
        net.psnr = psnr(out.network, cases_[net.case_index].clean);
        net.ssim = ssim(out.network, cases_[net.case_index].clean);
        net.peak_psnr = NAN;
        net.note = "";
        if (net.seed == 0) results_[{net.case_index, net.method}] = out.network;
        runs_.push_back(net);
      }
    }
  }

  // The same runs, restricted to the cases of one figure, written to `out` (default: a
  // subfolder named after the figure).
  Experiment subset(const std::string& name, const std::string& figure,
                    const std::string& out = "") const {
    Experiment e(name, o_);
    e.o_.out = out.empty() ? (fs::path(o_.out) / name).string() : out;
    std::map<size_t, size_t> index;
    for (size_t ci = 0; ci < cases_.size(); ++ci) {
      if (cases_[ci].figures.count(figure) == 0) continue;
      index[ci] = e.cases_.size();
      e.cases_.push_back(cases_[ci]);
    }
    for (const auto& [old_ci, new_ci] : index) {
      for (int seed = 0; seed < o_.seeds; ++seed)
        e.noisy_[{new_ci, seed}] = noisy_.at({old_ci, seed});
    }
    for (Run r : runs_) {
      if (index.count(r.case_index) == 0) continue;
      r.case_index = index[r.case_index];
      e.runs_.push_back(r);
    }
    for (Curve c : curves_) {
      if (index.count(c.case_index) == 0) continue;
      c.case_index = index[c.case_index];
      e.curves_.push_back(std::move(c));
    }
    for (const auto& [key, image] : results_) {
      if (index.count(key.first) > 0) e.results_[{index[key.first], key.second}] = image;
    }
    return e;
  }

  void write() const {
    fs::create_directories(o_.out);
    write_runs_csv();
    write_curves_csv();
    for (size_t ci = 0; ci < cases_.size(); ++ci) write_grid(ci);
    const std::string table = markdown();
    std::ofstream(fs::path(o_.out) / (name_ + ".md")) << table;
    std::printf("%s", table.c_str());
    std::printf("\nfiles in %s\n", o_.out.c_str());
  }

  // One PNG of learning curves per panel (cases with that panel name), one plot per case.
  void plot_curves(const std::string& panel, const std::string& png_name,
                   const std::string& title) const {
    std::vector<size_t> chosen;
    for (size_t ci = 0; ci < cases_.size(); ++ci) {
      if (cases_[ci].panels.count(panel) > 0) chosen.push_back(ci);
    }
    if (chosen.empty()) return;
    const fs::path csv = fs::path(o_.out) / (name_ + "-curves.csv");
    const int cols = static_cast<int>(std::min<size_t>(chosen.size(), 4));
    const int rows = static_cast<int>((chosen.size() + cols - 1) / cols);
    std::string script = fmt::format(
        "set multiplot layout {},{} title '{}'\nset xlabel 'iteration'\nset ylabel 'PSNR (dB)'\n"
        "set grid\nset key bottom right\n",
        rows, cols, title);
    for (size_t ci : chosen) {
      if (ci != chosen.front()) script += "unset key\n";  // one legend, in the first plot
      script += fmt::format("set title '{} {}'\nplot ", cases_[ci].image, cases_[ci].noise());
      bool first = true;
      for (const auto& m : o_.methods) {
        const bool trained =
            std::find(kTrainedMethods.begin(), kTrainedMethods.end(), m) != kTrainedMethods.end();
        if (!first) script += ", ";
        first = false;
        if (trained) {
          script += fmt::format(
              "'{}' using 'iteration':((strcol('case') eq '{}' && strcol('method') eq '{}' && "
              "column('seed') == 0) ? column('psnr') : 1/0) with lines lw 2 lc rgb '{}' title '{}'",
              csv.filename().string(), cases_[ci].key(), m, kColour.at(m), m);
        } else {
          // An exact result (infinite PSNR) has no line to draw; gnuplot stops at `inf`.
          const double value = final_psnr(ci, m, 0);
          script += std::isfinite(value)
                        ? fmt::format("{} with lines dt 2 lw 1.5 lc rgb '{}' title '{}'", value,
                                      kColour.at(m), m)
                        : fmt::format("NaN with lines dt 2 lw 1.5 lc rgb '{}' title '{} (exact)'",
                                      kColour.at(m), m);
        }
      }
      script += "\n";
    }
    script += "unset multiplot\n";
    render_png(fs::path(o_.out) / png_name, script, 420 * cols, 340 * rows);
  }

  const std::vector<Case>& cases() const { return cases_; }

  // The methods of the tables: those asked for, with dop's network output after dop.
  std::vector<std::string> shown_methods() const {
    std::vector<std::string> shown;
    for (const auto& m : o_.methods) {
      shown.push_back(m);
      if (m == "dop") shown.push_back(kDopNetwork);
    }
    return shown;
  }

 private:
  struct Outcome {
    Run run;
    Curve curve;
    at::Tensor image;
    at::Tensor network;  // dop: the network output f, before composition
  };

  Outcome run_one(size_t ci, const std::string& method, int seed,
                  const std::function<void(const Progress&)>& on_progress) const {
    const Case& c = cases_[ci];
    const at::Tensor& noisy = noisy_.at({ci, seed});
    Outcome outcome;
    Run r{ci, method, seed, 0, 0, NAN, 0, 0, ""};
    at::Tensor result;
    const auto start = std::chrono::steady_clock::now();
    if (method == "median") {
      result = best_of(
          c, r, std::vector<int64_t>{3, 5, 7},
          [](int64_t w) { return fmt::format("window {}", w); },
          [&](int64_t w) { return median_filter(noisy, w); });
    } else if (method == "switching-median") {
      result = switching_median_filter(noisy);
    } else if (method == "iterative-mean") {
      result = iterative_mean_filter(noisy);
    } else if (method == "adaptive-median") {
      result = best_of(
          c, r, std::vector<int64_t>{7, 11, 15},
          [](int64_t w) { return fmt::format("largest window {}", w); },
          [&](int64_t w) { return adaptive_median_filter(noisy, w); });
    } else if (method == "acwm") {
      // s and the number of passes chosen per image, as the paper tunes them.
      std::vector<std::pair<double, int64_t>> settings;
      for (double s : {0.0, 0.2, 0.4, 0.6}) {
        for (int64_t passes : {1, 2, 3}) settings.emplace_back(s, passes);
      }
      result = best_of(
          c, r, settings,
          [](const std::pair<double, int64_t>& sp) {
            return fmt::format("s {:g}, {} pass(es)", sp.first, sp.second);
          },
          [&](const std::pair<double, int64_t>& sp) {
            return acwm_filter(noisy, sp.first, sp.second);
          });
    } else {
      // DOP as dop-restore runs it with the bench preset's settings; the DIP baselines as
      // the paper ran them.
      TrainOptions t = method == "dop" ? preset_options(preset(o_.preset).dop) : TrainOptions{};
      t.method = parse_method(method);
      t.iterations = o_.iterations;
      t.network.width = o_.width;
      if (o_.alpha > 0) t.alpha = o_.alpha;
      if (o_.lr > 0 && t.method == Method::kDop) t.lr = o_.lr;
      t.seed = static_cast<uint64_t>(seed);
      RunOptions run;
      run.device = device_;
      run.clean = c.clean;
      run.log_every = o_.log_every;
      run.on_progress = on_progress;
      // Both results of a DOP run are reported: composed ("dop") and the network's.
      t.compose = ComposeMode::kAuto;
      Restoration rest = restore(noisy, t, run);
      result = rest.image;
      if (method == "dop") outcome.network = rest.network_output;
      for (const auto& p : rest.history) {
        if (!(p.psnr <= r.peak_psnr)) {
          r.peak_psnr = p.psnr;
          r.peak_iteration = p.iteration;
        }
      }
      outcome.curve = {ci, method, seed, std::move(rest.history)};
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.psnr = psnr(result, c.clean);
    r.ssim = ssim(result, c.clean);
    outcome.run = r;
    outcome.image = result;
    return outcome;
  }

  // The peer's best result over `settings` by PSNR against the clean image (an oracle's
  // choice: the peers get their best case); the setting chosen goes into the run's note.
  template <typename Setting, typename Describe, typename Filter>
  static at::Tensor best_of(const Case& c, Run& r, const std::vector<Setting>& settings,
                            const Describe& note, const Filter& filter) {
    double best = -INFINITY;
    at::Tensor result;
    for (const Setting& s : settings) {
      at::Tensor out = filter(s);
      const double p = psnr(out, c.clean);
      if (p > best) {
        best = p;
        result = out;
        r.note = note(s);
      }
    }
    return result;
  }

  double final_psnr(size_t ci, const std::string& method, int seed) const {
    for (const auto& r : runs_) {
      if (r.case_index == ci && r.method == method && r.seed == seed) return r.psnr;
    }
    return NAN;
  }

  std::vector<const Run*> runs_of(size_t ci, const std::string& method) const {
    std::vector<const Run*> out;
    for (const auto& r : runs_) {
      if (r.case_index == ci && r.method == method) out.push_back(&r);
    }
    return out;
  }

  void write_runs_csv() const {
    std::ofstream out(fs::path(o_.out) / (name_ + ".csv"));
    out << "case,image,noise,level,method,seed,size,width,iterations,psnr,ssim,peak_psnr,"
           "peak_iteration,seconds,note\n";
    for (const auto& r : runs_) {
      const Case& c = cases_[r.case_index];
      const bool trained = !std::isnan(r.peak_psnr);
      out << fmt::format("{},{},{},{},{},{},{}x{},{},{},{:.4f},{:.5f},{},{},{:.2f},{}\n", c.key(),
                         c.image, c.kind == CorruptionKind::kSaltAndPepper ? "sp" : "rv", c.level,
                         r.method, r.seed, c.clean.size(2), c.clean.size(1),
                         trained ? std::to_string(o_.width) : "",
                         trained ? std::to_string(o_.iterations) : "", r.psnr, r.ssim,
                         trained ? fmt::format("{:.4f}", r.peak_psnr) : "",
                         trained ? std::to_string(r.peak_iteration) : "", r.seconds, r.note);
    }
  }

  void write_curves_csv() const {
    std::ofstream out(fs::path(o_.out) / (name_ + "-curves.csv"));
    out << "case,method,seed,iteration,psnr,loss,seconds\n";
    for (const auto& c : curves_) {
      for (const auto& p : c.history) {
        out << fmt::format("{},{},{},{},{:.4f},{:.6e},{:.2f}\n", cases_[c.case_index].key(),
                           c.method, c.seed, p.iteration, p.psnr, p.loss, p.seconds);
      }
    }
  }

  void write_grid(size_t ci) const {
    const Case& c = cases_[ci];
    const int min_side = 256;
    std::vector<cv::Mat> tiles{
        tile(c.clean, "clean", min_side),
        tile(noisy_.at({ci, 0}),
             fmt::format("{} {:.2f} dB", c.noise(), psnr(noisy_.at({ci, 0}), c.clean)), min_side)};
    for (const auto& m : shown_methods()) {
      const auto it = results_.find({ci, m});
      if (it == results_.end()) continue;
      tiles.push_back(
          tile(it->second, fmt::format("{} {:.2f} dB", m, final_psnr(ci, m, 0)), min_side));
    }
    cv::Mat grid;
    cv::hconcat(tiles, grid);
    const fs::path png = fs::path(o_.out) / fmt::format("{}-{}.png", name_, c.key());
    // Written through dop_io (atomically) like every image the tools write. Noisy tiles
    // compress badly: the strongest (lossless) setting halves the files.
    Image sheet;
    sheet.pixels = at::from_blob(grid.data, {grid.rows, grid.cols, 3}, at::kByte)
                       .flip(2)  // BGR → RGB
                       .permute({2, 0, 1})
                       .to(at::kFloat)
                       .div(255.0)
                       .contiguous();
    SaveOptions save;
    save.overwrite = true;
    save.png_compression = 9;
    save_image(png, sheet, save);
  }

  std::string markdown() const {
    std::string md = fmt::format(
        "## dop-bench {}: PSNR (dB) / SSIM of the result\n\n"
        "Preset {}, images {}, width {}, {} iterations, {} seed(s){}; device {}.\n\n| image | "
        "noise | input |",
        name_, o_.preset, o_.size > 0 ? fmt::format("{0}x{0}", o_.size) : "at full size", o_.width,
        o_.iterations, o_.seeds, o_.seeds > 1 ? " (mean ± standard deviation)" : "", device_.str());
    const std::vector<std::string> shown = shown_methods();
    const bool margin = std::find(shown.begin(), shown.end(), "dop") != shown.end() &&
                        std::any_of(shown.begin(), shown.end(), is_classical);
    for (const auto& m : shown) md += " " + m + " |";
    if (margin) md += " dop − best classical (dB) |";
    md += "\n|---|---|---|";
    for (size_t i = 0; i < shown.size() + (margin ? 1 : 0); ++i) md += "---|";
    md += "\n";
    for (size_t ci = 0; ci < cases_.size(); ++ci) {
      const Case& c = cases_[ci];
      md += fmt::format("| {} | {} | {:.2f} |", c.image, c.noise(),
                        psnr(noisy_.at({ci, 0}), c.clean));
      // The best mean PSNR of the row is in bold.
      double best = -INFINITY, best_classical = -INFINITY;
      for (const auto& m : shown) {
        std::vector<double> p;
        for (const Run* r : runs_of(ci, m)) p.push_back(r->psnr);
        best = std::max(best, mean_of(p));
        if (is_classical(m)) best_classical = std::max(best_classical, mean_of(p));
      }
      for (const auto& m : shown) {
        std::vector<double> p, s;
        for (const Run* r : runs_of(ci, m)) {
          p.push_back(r->psnr);
          s.push_back(r->ssim);
        }
        const std::string cell = mean_spread(p, 2) + " / " + mean_spread(s, 3);
        md += mean_of(p) == best ? " **" + cell + "** |" : " " + cell + " |";
      }
      if (margin) {
        std::vector<double> p;
        for (const Run* r : runs_of(ci, "dop")) p.push_back(r->psnr);
        md += fmt::format(" {:+.2f} |", mean_of(p) - best_classical);
      }
      md += "\n";
    }

    // No early stopping: how far the final PSNR is below the curve's peak.
    bool any_trained = false;
    for (const auto& m : o_.methods) {
      any_trained |=
          std::find(kTrainedMethods.begin(), kTrainedMethods.end(), m) != kTrainedMethods.end();
    }
    if (!any_trained) return md;
    md += fmt::format(
        "\n### Peak of the learning curve (PSNR sampled every {} iterations) and the final "
        "result\n\nA cell reads `final (peak @ iteration)`; the drop is what early stopping "
        "would have to catch.\n\n| image | noise |",
        o_.log_every);
    for (const auto& m : kTrainedMethods) {
      if (std::find(o_.methods.begin(), o_.methods.end(), m) != o_.methods.end())
        md += " " + m + " |";
    }
    md += "\n|---|---|";
    for (const auto& m : kTrainedMethods) {
      if (std::find(o_.methods.begin(), o_.methods.end(), m) != o_.methods.end()) md += "---|";
    }
    md += "\n";
    std::map<std::string, std::pair<int, int>> within;  // method → (runs within 0.5 dB, runs)
    for (size_t ci = 0; ci < cases_.size(); ++ci) {
      md += fmt::format("| {} | {} |", cases_[ci].image, cases_[ci].noise());
      for (const auto& m : kTrainedMethods) {
        if (std::find(o_.methods.begin(), o_.methods.end(), m) == o_.methods.end()) continue;
        const auto rs = runs_of(ci, m);
        std::vector<double> drops;
        for (const Run* r : rs) {
          drops.push_back(r->peak_psnr - r->psnr);
          auto& w = within[m];
          w.first += r->peak_psnr - r->psnr <= 0.5 ? 1 : 0;
          w.second += 1;
        }
        const Run* r0 = rs.front();
        md += fmt::format(" {:.2f} ({:.2f} @ {}) |", r0->psnr, r0->peak_psnr, r0->peak_iteration);
      }
      md += "\n";
    }
    md += "\n";
    for (const auto& [m, w] : within) {
      md += fmt::format("- {}: final PSNR within 0.5 dB of the peak in {} of {} runs\n", m, w.first,
                        w.second);
    }
    return md;
  }

  std::string name_;
  ImageBenchOptions o_;
  c10::Device device_;
  std::vector<Case> cases_;
  std::vector<Run> runs_;
  std::vector<Curve> curves_;
  std::map<std::pair<size_t, int>, at::Tensor> noisy_;  // (case, seed)
  std::map<std::pair<size_t, std::string>, at::Tensor> results_;
};

std::string stem(const fs::path& p) { return p.stem().string(); }

}  // namespace

at::Tensor load_clean(const fs::path& file, int64_t size) {
  return prepare(load_image(file).pixels, size);
}

std::vector<CLI::App*> add_image_commands(CLI::App& app, ImageBenchOptions& o) {
  std::vector<CLI::App*> cmds{
      app.add_subcommand("figure3",
                         "Paper figure 3: each image at 50% salt-and-pepper, every method"),
      app.add_subcommand("figure4",
                         "Paper figure 4: one image (F16) at 10/30/50/70% salt-and-pepper"),
      app.add_subcommand(
          "figure5", "Paper figure 5: PSNR against iteration (images at 50%; F16 at each level)"),
      app.add_subcommand("impulse",
                         "Figure 3's table for random-valued impulse noise at 30% and 50%"),
      app.add_subcommand("damage", "Figure 3's table for 20% dead pixels and 5% scratches"),
      app.add_subcommand("dense",
                         "Dense noise: 30% salt-and-pepper over Gaussian noise (sigma 0.02, "
                         "0.05), and the clean image: composition must back off"),
      app.add_subcommand(
          "all",
          "figure3, figure4, figure5, impulse, damage and dense from one set of runs "
          "(each shared run done once; one subfolder of --out each)")};
  for (auto* c : cmds) {
    c->add_option("--preset", o.preset, "smoke (tiny, < 2 min), cpu (128x128, this machine), paper")
        ->check(CLI::IsMember({"smoke", "cpu", "paper"}))
        ->capture_default_str();
    c->add_option("--images", o.images,
                  "Image files or folders (default: the paper's four images)");
    c->add_option("--image", o.image, "figure4 / figure5 levels panel: the image (default F16)");
    c->add_option("--paper-images", o.paper_dir, "Folder of the paper's images")
        ->capture_default_str();
    c->add_option("--methods", o.methods, "Subset of: dop dip dip-l1 median switching-median")
        ->check(CLI::IsMember(kAllMethods));
    c->add_option("--levels", o.levels, "Corruption amounts in (0, 1) (figure4, figure5, impulse)")
        ->check(CLI::Range(0.0, 1.0));
    c->add_option("--size", o.size, "Centre square crop scaled to SIZE (0 = full image)");
    c->add_option("--width", o.width, "Network width");
    c->add_option("--iterations", o.iterations, "Iterations of every trained method");
    c->add_option("--alpha", o.alpha, "DOP's alpha (default: the library's)");
    c->add_option("--lr", o.lr, "DOP's network step tau (default: the library's)");
    c->add_option("--seeds", o.seeds, "Repeat each run with this many seeds");
    c->add_option("--log-every", o.log_every, "Iterations between learning-curve samples");
    c->add_option("--out", o.out, "Output folder (default dop-bench-out/<subcommand>)");
    c->add_option("--device", o.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    c->add_option("--threads", o.threads, "CPU threads (0 = all cores; 1 per job with --jobs)")
        ->capture_default_str();
    c->add_option(
         "--jobs", o.jobs,
         "Runs at a time, each in its own thread (0 = one per core on the CPU, 1 on a GPU)")
        ->capture_default_str();
    c->add_flag("-q,--quiet", o.quiet, "No progress line");
  }
  return cmds;
}

int run_image_bench(const std::string& name, ImageBenchOptions o) {
  const Preset p = preset(o.preset);
  if (o.size < 0) o.size = p.size;
  if (o.width <= 0) o.width = p.width;
  if (o.iterations <= 0) o.iterations = p.iterations;
  if (o.seeds <= 0) o.seeds = p.seeds;
  if (o.alpha <= 0) o.alpha = p.alpha;
  if (o.lr <= 0) o.lr = p.lr;
  if (o.log_every <= 0) o.log_every = std::max<int64_t>(1, std::min(p.log_every, o.iterations));
  if (o.out.empty()) o.out = "dop-bench-out/" + name;
  if (o.methods.empty()) {
    o.methods = name == "figure5" ? kTrainedMethods : kAllMethods;
    // The damage the paper did not test: DOP against the classical peers.
    if (name == "damage" || name == "dense") {
      o.methods.erase(
          std::remove_if(o.methods.begin(), o.methods.end(),
                         [](const std::string& m) { return m == "dip" || m == "dip-l1"; }),
          o.methods.end());
    }
  }
  if (o.jobs < 0) throw UsageError("--jobs must be >= 0 (0 = one per core on the CPU)");
  if (o.jobs == 0) {
    o.jobs = resolve_device(o.device).is_cpu()
                 ? std::max(1, static_cast<int>(std::thread::hardware_concurrency()))
                 : 1;
  }
  // Several runs at a time share the cores: one LibTorch thread each unless told otherwise.
  configure_threads(o.jobs > 1 && o.threads == 0 ? 1 : o.threads);
  tune_host_allocator();

  const fs::path paper(o.paper_dir);
  std::vector<fs::path> images;
  if (o.images.empty()) {
    for (const auto& f : kPaperImages) images.push_back(paper / f);
  } else {
    images = list_images(o.images);
  }
  const fs::path single = o.image.empty() ? paper / "F16.png" : fs::path(o.image);
  for (const auto& f : images) {
    if (!fs::exists(f)) {
      throw InputError(
          "'" + f.string() +
          "' not found: the paper's images are in data/paper-images of the repository; "
          "pass --paper-images DIR or --images FILE|DIR");
    }
  }

  Experiment e(name, o);
  const std::vector<std::string> figures =
      name == "all"
          ? std::vector<std::string>{"figure3", "figure4", "figure5", "impulse", "damage", "dense"}
          : std::vector<std::string>{name};
  const auto sp = CorruptionKind::kSaltAndPepper;
  const auto rv = CorruptionKind::kRandomImpulse;
  const auto levels = [&](std::vector<double> preset_levels) {
    return o.levels.empty() ? preset_levels : o.levels;
  };
  std::map<fs::path, at::Tensor> loaded;
  const auto clean = [&](const fs::path& f) {
    auto it = loaded.find(f);
    if (it == loaded.end()) it = loaded.emplace(f, load_clean(f, o.size)).first;
    return it->second;
  };
  const auto add = [&](const std::string& figure, const fs::path& f, CorruptionKind kind,
                       double level, const std::string& panel, double gaussian = 0.0) {
    e.add_case({stem(f), clean(f), kind, level, {panel}, {figure}, gaussian});
  };
  for (const auto& fig : figures) {
    if (fig == "figure3" || fig == "figure5") {
      for (const auto& f : images) add(fig, f, sp, 0.5, "images");
    }
    if (fig == "figure4" || fig == "figure5") {
      for (double l : levels({0.1, 0.3, 0.5, 0.7})) add(fig, single, sp, l, "levels");
    }
    if (fig == "impulse") {
      for (const auto& f : images) {
        for (double l : levels({0.3, 0.5})) add(fig, f, rv, l, "images");
      }
    }
    if (fig == "damage") {
      for (const auto& f : images) {
        add(fig, f, CorruptionKind::kDeadPixels, 0.2, "images");
        add(fig, f, CorruptionKind::kScratches, 0.05, "images");
      }
    }
    if (fig == "dense") {
      for (const auto& f : images) {
        for (double sigma : {0.02, 0.05}) add(fig, f, sp, 0.3, "images", sigma);
        add(fig, f, sp, 0.0, "images");  // nothing damaged: the clean image itself
      }
    }
  }
  e.run();
  for (const auto& fig : figures) {
    const Experiment part = name == "all" ? e.subset(fig, fig) : e.subset(fig, fig, o.out);
    part.write();
    if (fig == "figure5") {
      part.plot_curves("images", "figure5-images.png",
                       "PSNR against iteration, 50% salt-and-pepper");
      part.plot_curves("levels", "figure5-levels.png",
                       "PSNR against iteration, " + stem(single) + " at each corruption level");
    } else {
      part.plot_curves(fig == "figure4" ? "levels" : "images", fig + "-curves.png",
                       "PSNR against iteration (" + fig + ")");
    }
  }
  return 0;
}

}  // namespace dop::bench
