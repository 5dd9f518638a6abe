// dop-bench agree: dop_core computes what the Python reference computes. Both start from
// the state dop_core draws (the network's parameters, z, g, h and the padded observation
// y, written as float32 for the reference to load) and take the same steps
//   θ ← θ − τ∇θL,  g, h ← g, h − α·τ∇g,hL,  L = mean((y − f(θ; z) − (g⊙g − h⊙h))²)
// with the paper's τ and α and no input jitter; the loss of every step and
// the norms of g and h after it must match.
#include "agree_bench.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "dop/corruption.hpp"
#include "dop/error.hpp"
#include "dop/trainer.hpp"
#include "process.hpp"

namespace dop::bench {
namespace fs = std::filesystem;
namespace {

// Writes `tensors` as float32 into folder/state.bin, indexed by folder/state.json.
void write_state(const fs::path& folder,
                 const std::vector<std::pair<std::string, at::Tensor>>& tensors) {
  std::ofstream bin(folder / "state.bin", std::ios::binary);
  nlohmann::json index = nlohmann::json::array();
  int64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    const at::Tensor t = tensor.detach().to(at::kCPU, at::kFloat).contiguous();
    bin.write(reinterpret_cast<const char*>(t.data_ptr<float>()),
              static_cast<std::streamsize>(t.numel() * sizeof(float)));
    index.push_back({{"name", name}, {"shape", t.sizes().vec()}, {"offset", offset}});
    offset += t.numel();
  }
  std::ofstream(folder / "state.json") << nlohmann::json{{"tensors", index}}.dump() << "\n";
  if (!bin) throw OutputError("cannot write the starting state into '" + folder.string() + "'");
}

// A number as text that reads back to the same double.
std::string exact(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}

// A removable scratch folder for the state handed to the reference.
struct ScratchDir {
  ScratchDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("dop-bench-agree-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

}  // namespace

CLI::App* add_agree_command(CLI::App& app, AgreeOptions& o) {
  auto* c = app.add_subcommand(
      "agree", "dop_core against the Python reference: the loss of each step from the same start");
  c->add_option("--size", o.size, "Side of the test image (a multiple of 32)")
      ->capture_default_str();
  c->add_option("--width", o.width, "Network width")->capture_default_str();
  c->add_option("--iterations", o.iterations, "Steps compared")->capture_default_str();
  c->add_option("--lr", o.lr, "Network step tau")->capture_default_str();
  c->add_option("--alpha", o.alpha, "Ratio alpha of the g, h step to the network's")
      ->capture_default_str();
  c->add_option("--tolerance", o.tolerance, "Largest relative difference accepted")
      ->capture_default_str();
  c->add_option("--python", o.python, "Python with torch")->capture_default_str();
  c->add_option("--script", o.script, "The Python reference (tools/reference/dop_reference.py)")
      ->capture_default_str();
  return c;
}

int run_agree(const AgreeOptions& o) {
  if (o.size < 32 || o.size % 32 != 0) throw UsageError("--size must be a multiple of 32");
  if (o.iterations < 1) throw UsageError("--iterations must be >= 1");
  TrainOptions t;
  t.iterations = o.iterations;
  t.network.width = o.width;
  t.lr = o.lr;
  t.alpha = o.alpha;
  t.input_jitter = 0.0;
  const at::Tensor r = at::arange(o.size, at::kFloat) / static_cast<double>(o.size);
  const at::Tensor clean = at::stack({0.5 + 0.4 * at::sin(6 * r.view({-1, 1}) + r.view({1, -1})),
                                      0.5 + 0.4 * at::cos(5 * r.view({1, -1}) - r.view({-1, 1})),
                                      (r.view({-1, 1}) + r.view({1, -1})) / 2});
  Trainer trainer(salt_and_pepper(clean, 0.3, 0), t);

  ScratchDir scratch;
  std::vector<std::pair<std::string, at::Tensor>> state;
  for (const auto& p : trainer.network()->named_parameters())
    state.emplace_back(p.key(), p.value());
  state.emplace_back("z", trainer.input());
  state.emplace_back("g", trainer.sparse()->g());
  state.emplace_back("h", trainer.sparse()->h());
  state.emplace_back("y", trainer.target());
  write_state(scratch.path, state);

  // Each step's loss, and the norms of g and h after it: the sparse term is too small to
  // move the loss in the first steps, so its update is checked on g and h themselves.
  std::vector<double> ours;
  std::vector<std::vector<double>> our_norms;
  for (int64_t i = 0; i < o.iterations; ++i) {
    ours.push_back(trainer.step().item<double>());
    our_norms.push_back(
        {trainer.sparse()->g().norm().item<double>(), trainer.sparse()->h().norm().item<double>()});
  }

  const std::string cmd = o.python + " '" + o.script + "' --start '" + scratch.path.string() +
                          "' --width " + std::to_string(o.width) + " --iters " +
                          std::to_string(o.iterations) + " --jitter 0 --lr " + exact(o.lr) +
                          " --alpha " + exact(o.alpha) + " --threads 1 --timing-only";
  const CommandOutput out = run_command(cmd);
  if (!out.ok) {
    throw RuntimeError("the Python reference failed (" + cmd +
                       "); it needs /usr/bin/python3 with python3-torch");
  }
  const auto reply = nlohmann::json::parse(out.text);
  const auto theirs = reply["losses"].get<std::vector<double>>();
  const auto their_norms = reply["gh_norms"].get<std::vector<std::vector<double>>>();
  if (theirs.size() != ours.size() || their_norms.size() != ours.size()) {
    throw RuntimeError("the reference reported " + std::to_string(theirs.size()) + " steps, not " +
                       std::to_string(ours.size()));
  }
  auto relative = [](double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-30); };
  std::printf("%-5s %-13s %-13s %-9s %-13s %-13s %-9s %-9s\n", "step", "loss dop_core", "loss ref",
              "rel diff", "|g| dop_core", "|g| ref", "rel diff", "|h| diff");
  double worst = 0.0;
  for (size_t i = 0; i < ours.size(); ++i) {
    const double dl = relative(ours[i], theirs[i]);
    const double dg = relative(our_norms[i][0], their_norms[i][0]);
    const double dh = relative(our_norms[i][1], their_norms[i][1]);
    worst = std::max({worst, dl, dg, dh});
    std::printf("%-5zu %-13.8g %-13.8g %-9.2e %-13.8g %-13.8g %-9.2e %-9.2e\n", i + 1, ours[i],
                theirs[i], dl, our_norms[i][0], their_norms[i][0], dg, dh);
  }
  const bool agree = worst <= o.tolerance;
  std::printf("%s: largest relative difference %.2e (tolerance %.0e)\n", agree ? "agree" : "DIFFER",
              worst, o.tolerance);
  return agree ? 0 : 1;
}

}  // namespace dop::bench
