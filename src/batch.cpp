#include "dop/batch.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include "dop/error.hpp"

namespace dop {
namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

}  // namespace

bool has_image_extension(const fs::path& path) {
  static const std::set<std::string> kExtensions{
      ".png", ".jpg", ".jpeg", ".jpe", ".jp2", ".tif", ".tiff", ".webp", ".bmp", ".dib", ".pbm",
      ".pgm", ".ppm", ".pnm",  ".pxm", ".pfm", ".sr",  ".ras",  ".exr",  ".hdr", ".pic"};
  return kExtensions.count(lower(path.extension().string())) > 0;
}

std::vector<BatchItem> plan_batch(const fs::path& input_dir, const fs::path& output_dir,
                                  const BatchOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(input_dir, ec)) {
    throw InputError("'" + input_dir.string() + "' is not a folder");
  }
  std::vector<fs::path> found;
  const auto consider = [&](const fs::directory_entry& e) {
    if (e.is_regular_file() && has_image_extension(e.path()) && !hidden(e.path()))
      found.push_back(e.path());
  };
  try {
    if (options.recursive) {
      auto it = fs::recursive_directory_iterator(input_dir,
                                                 fs::directory_options::skip_permission_denied);
      for (; it != fs::recursive_directory_iterator(); ++it) {
        if (it->is_directory() && hidden(it->path())) {
          it.disable_recursion_pending();
          continue;
        }
        consider(*it);
      }
    } else {
      for (const auto& e : fs::directory_iterator(input_dir)) consider(e);
    }
  } catch (const fs::filesystem_error& e) {
    throw InputError("cannot list folder '" + input_dir.string() + "': " + e.code().message());
  }
  std::sort(found.begin(), found.end());

  std::vector<BatchItem> items;
  std::map<fs::path, fs::path> claimed;  // output → the input that writes it
  for (const auto& in : found) {
    fs::path out = output_dir / fs::relative(in, input_dir);
    if (!options.format.empty()) out.replace_extension("." + options.format);
    const auto [it, fresh] = claimed.emplace(out, in);
    if (!fresh) {
      throw UsageError("'" + it->second.string() + "' and '" + in.string() +
                       "' would both be written to '" + out.string() +
                       "': rename one, or keep the input formats (no --format)");
    }
    items.push_back({in, out});
  }
  return items;
}

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  const auto bad = [&] {
    return UsageError("--shard '" + text + "' is not K/N with 1 <= K <= N (e.g. 2/8)");
  };
  if (slash == std::string::npos || slash == 0 || slash + 1 >= text.size()) throw bad();
  const std::string k = text.substr(0, slash), n = text.substr(slash + 1);
  const auto digits = [](const std::string& s) {
    return !s.empty() && s.size() <= 9 &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
  };
  if (!digits(k) || !digits(n)) throw bad();
  Shard s{std::stoul(k), std::stoul(n)};
  if (s.count < 1 || s.index < 1 || s.index > s.count) throw bad();
  return s;
}

std::vector<std::size_t> shard_positions(std::size_t size, const Shard& shard) {
  if (shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    throw UsageError("invalid shard " + std::to_string(shard.index) + "/" +
                     std::to_string(shard.count));
  }
  std::vector<std::size_t> out;
  for (std::size_t i = shard.index - 1; i < size; i += shard.count) out.push_back(i);
  return out;
}

void run_on_devices(std::size_t count, const std::vector<c10::Device>& devices,
                    const std::function<void(std::size_t, c10::Device)>& task,
                    const std::function<bool()>& stop) {
  if (devices.empty()) throw UsageError("no device to run on");
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  const auto worker = [&](c10::Device device) {
    while (!failed) {
      if (stop && stop()) return;
      const std::size_t i = next++;
      if (i >= count) return;
      try {
        task(i, device);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
        failed = true;
      }
    }
  };
  if (devices.size() == 1) {
    worker(devices.front());
  } else {
    std::vector<std::thread> threads;
    for (const auto& d : devices) threads.emplace_back(worker, d);
    for (auto& t : threads) t.join();
  }
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace dop
