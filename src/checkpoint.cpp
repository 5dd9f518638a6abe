// Checkpoints: a run's whole state in one file (LibTorch's archive format), so that a
// stopped run continues bit for bit on the CPU. Fields: "format", "settings" (the
// fingerprint: every setting a resumed run must share, and a checksum of the observation),
// "iteration", "network", "sparse" (g, h), "adam" (the baselines), "average" (the output's
// moving average), "jitter_rng" and "device_rng" (generator states), "history" (the
// learning curve, one row of kHistoryFields per sample).
#include <mutex>
#include <sstream>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/optim/adam.h>
#include <torch/serialize/archive.h>

#include "dop/atomic_file.hpp"
#include "dop/error.hpp"
#include "dop/trainer.hpp"

namespace dop {
namespace {

constexpr const char* kCheckpointFormat = "dop-restore checkpoint v1";
constexpr int64_t kHistoryFields = 5;  // iteration, iterations, loss, seconds, psnr

std::string exact(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

// FNV-1a over the bytes of a CPU tensor: tells a checkpoint's observation from another.
std::string checksum(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kCPU).contiguous();
  const auto* bytes = static_cast<const unsigned char*>(c.data_ptr());
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0, n = c.numel() * c.element_size(); i < n; ++i) {
    h = (h ^ bytes[i]) * 1099511628211ull;
  }
  std::ostringstream s;
  s << std::hex << h;
  return s.str();
}

std::string settings_text(const std::vector<std::pair<std::string, std::string>>& settings) {
  std::string text;
  for (const auto& [name, value] : settings) text += name + "=" + value + "\n";
  return text;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> Trainer::fingerprint() const {
  const SkipNetOptions& n = options_.network;
  std::vector<std::pair<std::string, std::string>> settings{
      {"method", to_string(options_.method)},
      {"iterations", std::to_string(options_.iterations)},
      {"lr", exact(lr_)},
      {"alpha", exact(alpha_)},
      {"init scale", exact(options_.sparse_init_scale)},
      {"input scale", exact(options_.input_scale)},
      {"jitter", exact(options_.input_jitter)},
      {"seed", std::to_string(options_.seed)},
      {"width", std::to_string(n.width)},
      {"scales", std::to_string(n.scales)},
      {"skip channels", std::to_string(n.skip_channels)},
      {"input channels", std::to_string(n.input_channels)},
      {"upsampling", n.upsampling == Upsampling::kNearest ? "nearest" : "bilinear"},
      {"image size",
       std::to_string(y_.size(1)) + "x" + std::to_string(height_) + "x" + std::to_string(width_)},
      {"image checksum", checksum(y_)}};
  // Only when used, so that checkpoints from before the setting existed still resume.
  if (options_.output_average > 0.0) {
    settings.emplace_back("output average", exact(options_.output_average));
  }
  if (options_.lr_decay_start > 0) {
    settings.emplace_back("lr decay start", std::to_string(options_.lr_decay_start));
    // Checkpoints from before the form could be chosen decayed as S/t and carry no entry.
    if (options_.lr_decay != StepDecay::kInverse) {
      settings.emplace_back("lr decay", to_string(options_.lr_decay));
    }
  }
  return settings;
}

void Trainer::save_checkpoint(const std::filesystem::path& path,
                              const std::vector<Progress>& history,
                              const ConvergenceState& stop) const {
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(std::string(kCheckpointFormat)));
  archive.write("settings", c10::IValue(settings_text(fingerprint())));
  archive.write("iteration", c10::IValue(iteration_));
  torch::serialize::OutputArchive net;
  net_->save(net);
  archive.write("network", net);
  if (sparse_) {
    torch::serialize::OutputArchive sparse;
    sparse_->save(sparse);
    archive.write("sparse", sparse);
  }
  if (adam_) {
    torch::serialize::OutputArchive adam;
    adam_->save(adam);
    archive.write("adam", adam);
  }
  if (average_.defined()) archive.write("average", average_, /*is_buffer=*/true);
  archive.write("jitter_rng", jitter_generator_.get_state(), /*is_buffer=*/true);
  if (device_.is_cuda()) {
    archive.write("device_rng", at::globalContext().defaultGenerator(device_).get_state(), true);
  }
  at::Tensor h = torch::empty({static_cast<int64_t>(history.size()), kHistoryFields}, at::kDouble);
  auto a = h.accessor<double, 2>();
  for (size_t i = 0; i < history.size(); ++i) {
    const auto& p = history[i];
    const double row[kHistoryFields] = {static_cast<double>(p.iteration),
                                        static_cast<double>(p.iterations), p.loss, p.seconds,
                                        p.psnr};
    for (int64_t j = 0; j < kHistoryFields; ++j) a[static_cast<int64_t>(i)][j] = row[j];
  }
  archive.write("history", h, true);
  // The automatic stop's state (ConvergenceMonitor): its counters, and the results it
  // compares the next window with.
  archive.write(
      "stop_counts",
      torch::tensor({stop.quiet_windows, stop.settle_windows, static_cast<int64_t>(stop.settling)},
                    at::kLong),
      true);
  archive.write("stop_change", torch::tensor({stop.change}, at::kDouble), true);
  if (stop.previous.defined()) archive.write("stop_previous", stop.previous, true);
  if (stop.previous_composed.defined()) {
    archive.write("stop_previous_composed", stop.previous_composed, true);
  }
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomically(path, bytes.str(), /*overwrite=*/true);
}

std::vector<Progress> Trainer::load_checkpoint(const std::filesystem::path& path,
                                               ConvergenceState* stop) {
  const std::string name = "checkpoint '" + path.string() + "'";
  torch::serialize::InputArchive archive;
  c10::IValue value;
  try {
    archive.load_from(path.string(), device_);
    archive.read("format", value);
  } catch (const c10::Error&) {
    throw InputError(name +
                     " is unreadable or not a dop-restore checkpoint; delete it to start "
                     "over");
  }
  if (!value.isString() || value.toStringRef() != kCheckpointFormat) {
    throw InputError(name + " is not a " + std::string(kCheckpointFormat) + " file");
  }
  archive.read("settings", value);
  const std::string saved = value.toStringRef();
  for (const auto& [key, mine] : fingerprint()) {
    const std::string prefix = key + "=";
    const auto at = saved.find("\n" + prefix) != std::string::npos
                        ? saved.find("\n" + prefix) + 1
                        : (saved.rfind(prefix, 0) == 0 ? 0 : std::string::npos);
    const std::string theirs =
        at == std::string::npos
            ? "(none)"
            : saved.substr(at + prefix.size(), saved.find('\n', at) - at - prefix.size());
    if (theirs != mine) {
      throw UsageError(name + " was made with " + key + " " + theirs + ", this run has " + mine +
                       ": rerun with the checkpoint's settings, or delete it to start over");
    }
  }
  try {
    archive.read("iteration", value);
    torch::serialize::InputArchive net;
    archive.read("network", net);
    net_->load(net);
    if (sparse_) {
      torch::serialize::InputArchive sparse;
      archive.read("sparse", sparse);
      sparse_->load(sparse);
    }
    if (adam_) {
      torch::serialize::InputArchive adam;
      archive.read("adam", adam);
      adam_->load(adam);
    }
    at::Tensor average;  // a fresh tensor: read() into a defined one keeps its type
    average_ = archive.try_read("average", average, true) ? average.to(device_) : at::Tensor();
    at::Tensor state;
    archive.read("jitter_rng", state, true);
    jitter_generator_.set_state(state.cpu());
    at::Tensor device_state;
    if (device_.is_cuda() && archive.try_read("device_rng", device_state, true)) {
      at::Generator device_rng = at::globalContext().defaultGenerator(device_);
      std::lock_guard<std::mutex> lock(device_rng.mutex());
      device_rng.set_state(device_state.cpu());
    }
    at::Tensor curve;  // a fresh tensor: read() into a defined one keeps its type
    archive.read("history", curve, true);
    curve = curve.cpu();
    std::vector<Progress> history;
    auto a = curve.accessor<double, 2>();
    for (int64_t i = 0; i < curve.size(0); ++i) {
      Progress p;
      p.iteration = static_cast<int64_t>(a[i][0]);
      p.iterations = static_cast<int64_t>(a[i][1]);
      p.loss = a[i][2];
      p.seconds = a[i][3];
      p.psnr = a[i][4];
      history.push_back(p);
    }
    if (stop != nullptr) {
      *stop = ConvergenceState{};
      at::Tensor counts, change, previous, previous_composed;  // fresh: read() keeps types
      if (archive.try_read("stop_counts", counts, true)) {
        counts = counts.cpu();
        stop->quiet_windows = counts[0].item<int64_t>();
        stop->settle_windows = counts[1].item<int64_t>();
        stop->settling = counts[2].item<int64_t>() != 0;
      }
      if (archive.try_read("stop_change", change, true)) stop->change = change.cpu().item<double>();
      if (archive.try_read("stop_previous", previous, true)) stop->previous = previous.cpu();
      if (archive.try_read("stop_previous_composed", previous_composed, true)) {
        stop->previous_composed = previous_composed.cpu();
      }
    }
    iteration_ = value.toInt();
    last_output_ = at::Tensor();
    return history;
  } catch (const c10::Error& e) {
    throw InputError(name + " is damaged (" + std::string(e.what_without_backtrace()) +
                     "); delete it to start over");
  }
}

}  // namespace dop
