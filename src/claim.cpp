#include "dop/claim.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dop/error.hpp"
#include "file_names.hpp"

namespace dop {
namespace fs = std::filesystem;
namespace {

using Seconds = std::chrono::duration<double>;

using detail::folder_of;
using detail::quoted;

// A random part for names and tokens: unique across the threads of a process too.
std::string random_hex() {
  static std::mutex mutex;
  static std::mt19937_64 engine{std::random_device{}()};
  std::lock_guard<std::mutex> lock(mutex);
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(engine()));
  return text;
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown-host";
  return name;
}

// A file next to `path` that no other process or thread names: ".NAME-RANDOM.SUFFIX".
fs::path unique_beside(const fs::path& path, const char* suffix) {
  return folder_of(path) / ("." + path.filename().string() + "-" + random_hex() + suffix);
}

[[noreturn]] void fail(const fs::path& path, const std::string& what, int error) {
  throw OutputError("cannot claim " + quoted(path) + ": " + what + " (" + std::strerror(error) +
                    "); the output folder " + quoted(folder_of(path)) + " must be writable");
}

// Creates `path` exclusively and writes `text` into it: 0, or the errno of what failed
// (EEXIST: it exists).
int create_exclusive(const fs::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int error = written ? 0 : (errno != 0 ? errno : EIO);
  ::close(fd);
  if (!written) ::unlink(path.c_str());
  return error;
}

bool without_hard_links(int error) {
  return error == EPERM || error == ENOTSUP || error == EOPNOTSUPP || error == ENOSYS ||
         error == EMLINK;
}

}  // namespace

fs::path claim_path(const fs::path& output) { return output.string() + ".dop-claim"; }

ClaimInfo read_claim(const fs::path& path) {
  ClaimInfo info;
  std::ifstream in(path);
  if (!in) return info;
  std::getline(in, info.token);
  std::getline(in, info.owner);
  std::error_code ec;
  info.heartbeat = fs::last_write_time(path, ec);
  info.exists = !ec;
  return info;
}

Claim::Claim(fs::path path, std::string token) : path_(std::move(path)), token_(std::move(token)) {}

std::unique_ptr<Claim> Claim::try_acquire(const fs::path& path) {
  const std::string host = host_name();
  const std::string token = host + ":" + std::to_string(::getpid()) + ":" + random_hex();
  const std::string text =
      token + "\ndop-restore on " + host + ", pid " + std::to_string(::getpid()) + "\n";
  const fs::path unique = unique_beside(path, ".claim");
  if (const int error = create_exclusive(unique, text)) {
    fail(path, "cannot create a file beside it", error);
  }
  const int linked = ::link(unique.c_str(), path.c_str());
  const int error = errno;
  // Over NFS link() can report failure for a link it made (a retried request): the link
  // count of the unique file is what tells.
  struct stat st;
  const bool ours = ::stat(unique.c_str(), &st) == 0 && st.st_nlink == 2;
  ::unlink(unique.c_str());
  if (linked != 0 && !ours) {
    if (error == EEXIST) return nullptr;
    if (!without_hard_links(error)) fail(path, "cannot link the claim file", error);
    if (const int created = create_exclusive(path, text)) {
      if (created == EEXIST) return nullptr;
      fail(path, "cannot create it", created);
    }
  }
  return std::unique_ptr<Claim>(new Claim(path, token));
}

std::unique_ptr<Claim> Claim::take_over(const fs::path& path, const ClaimInfo& stale) {
  const fs::path aside = unique_beside(path, ".stale");
  if (::rename(path.c_str(), aside.c_str()) != 0) {
    if (errno == ENOENT) return try_acquire(path);  // its owner finished or gave it up
    fail(path, "cannot move the stale claim aside", errno);
  }
  const ClaimInfo moved = read_claim(aside);
  if (moved.exists && moved.token == stale.token && moved.heartbeat == stale.heartbeat) {
    ::unlink(aside.c_str());
    return try_acquire(path);
  }
  // Refreshed or replaced since it was read: not stale after all. Put it back unless a new
  // claim took its place meanwhile (then its owner finds it lost and steps aside).
  if (::link(aside.c_str(), path.c_str()) != 0 && without_hard_links(errno) && !fs::exists(path)) {
    ::rename(aside.c_str(), path.c_str());
  }
  ::unlink(aside.c_str());
  return nullptr;
}

Claim::~Claim() { release(); }

bool Claim::held() const { return read_claim(path_).token == token_; }

void Claim::beat() {
  // A heartbeat is the file's modification time, set by the file system's clock.
  ::utimensat(AT_FDCWD, path_.c_str(), nullptr, 0);
  // One miss can be another run moving the claim aside to look at it and putting it back.
  misses_ = held() ? 0 : misses_ + 1;
  if (misses_ >= 2) lost_ = true;
}

void Claim::keep_alive(std::chrono::milliseconds interval) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (heartbeat_.joinable() || released_) return;
  heartbeat_ = std::thread([this, interval] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
      lock.unlock();
      beat();
      lock.lock();
    }
  });
}

void Claim::release() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (released_) return;
    released_ = true;
    stopping_ = true;
  }
  wake_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
  if (held()) ::unlink(path_.c_str());
}

ClaimWatch::ClaimWatch(fs::path folder, std::chrono::duration<double> stale_after)
    : folder_(std::move(folder)), stale_after_(stale_after) {
  if (!(stale_after.count() > 0.0)) throw UsageError("the claim time-out must be > 0 seconds");
}

fs::file_time_type ClaimWatch::file_system_now() const {
  // Read once, when first needed, from a file created in the folder: a run that finds no
  // claims writes nothing there. Where the folder cannot be written, this machine's clock
  // stands in (only the rule for long-dead claims uses it).
  std::call_once(clock_read_, [this] {
    const fs::path probe = folder_ / (".dop-clock-" + random_hex());
    if (create_exclusive(probe, "") != 0) return;
    std::error_code ec;
    const fs::file_time_type stamped = fs::last_write_time(probe, ec);
    ::unlink(probe.c_str());
    if (!ec) file_clock_offset_ = stamped - fs::file_time_type::clock::now();
  });
  return fs::file_time_type::clock::now() + file_clock_offset_;
}

bool ClaimWatch::expired(const ClaimInfo& info) const {
  return info.exists && Seconds(file_system_now() - info.heartbeat) > stale_after_;
}

bool ClaimWatch::stale(const fs::path& path, const ClaimInfo& info) {
  if (!info.exists) return false;
  if (expired(info)) return true;
  const auto now = std::chrono::steady_clock::now();
  Seen& seen = seen_[path];
  if (seen.token != info.token || seen.heartbeat != info.heartbeat) {
    seen = {info.token, info.heartbeat, now};
    return false;
  }
  return now - seen.since >= stale_after_;
}

ClaimQueue::ClaimQueue(std::vector<fs::path> outputs, const fs::path& folder,
                       const ClaimOptions& options)
    : outputs_(std::move(outputs)),
      options_(options),
      watch_(folder, Seconds(options.stale_after)) {
  for (std::size_t i = outputs_.size(); i-- > 0;) fresh_.push_back(i);
}

std::chrono::milliseconds ClaimQueue::heartbeat() const {
  const double ms = std::clamp(options_.stale_after * 100.0, 50.0, 30000.0);
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

std::optional<ClaimQueue::Next> ClaimQueue::take(std::size_t index, bool waiting) {
  const fs::path& output = outputs_[index];
  const fs::path path = claim_path(output);
  std::error_code ec;
  auto restore = [&](std::unique_ptr<Claim> claim, bool took_over,
                     std::string owner) -> std::optional<Next> {
    // Another run may have stored the result between our look and our claim.
    if ((waiting || !options_.overwrite) && fs::exists(output, ec)) {
      claim->release();
      return Next{Kind::kDoneElsewhere, index, nullptr, false, std::move(owner)};
    }
    claim->keep_alive(heartbeat());
    return Next{Kind::kRestore, index, std::move(claim), took_over, std::move(owner)};
  };
  if (!waiting) {
    fs::create_directories(output.parent_path(), ec);  // a subfolder of a recursive run
    if (auto claim = Claim::try_acquire(path)) return restore(std::move(claim), false, {});
    waiting_.push_back(index);
    return Next{Kind::kHeld, index, nullptr, false, read_claim(path).owner};
  }
  const ClaimInfo info = read_claim(path);
  if (!info.exists) {
    if (fs::exists(output, ec)) return Next{Kind::kDoneElsewhere, index, nullptr, false, {}};
    if (auto claim = Claim::try_acquire(path)) return restore(std::move(claim), false, {});
    return std::nullopt;
  }
  if (watch_.stale(path, info)) {
    if (auto claim = Claim::take_over(path, info)) {
      return restore(std::move(claim), true, info.owner);
    }
  }
  return std::nullopt;
}

std::optional<ClaimQueue::Next> ClaimQueue::next(const std::function<bool()>& stop) {
  const auto poll = std::chrono::milliseconds(
      static_cast<int64_t>(std::clamp(options_.stale_after * 50.0, 50.0, 1000.0)));
  while (!(stop && stop())) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (!fresh_.empty()) {
        const std::size_t index = fresh_.back();
        fresh_.pop_back();
        if (auto next = take(index, false)) return next;
      }
      if (waiting_.empty()) return std::nullopt;
      for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
        if (auto next = take(*it, true)) {
          waiting_.erase(it);
          return next;
        }
      }
    }
    std::this_thread::sleep_for(poll);
  }
  return std::nullopt;
}

void ClaimQueue::requeue(std::size_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  waiting_.push_back(index);
}

std::vector<fs::path> remove_leftovers(const fs::path& output,
                                       const std::vector<fs::path>& side_files,
                                       const ClaimWatch& watch) {
  const fs::path path = claim_path(output);
  const ClaimInfo info = read_claim(path);
  if (info.exists && !watch.expired(info)) return {};  // a live run is redoing it
  std::vector<fs::path> removed;
  std::error_code ec;
  if (info.exists && fs::remove(path, ec)) removed.push_back(path);
  for (const fs::path& side : side_files) {
    if (fs::remove(side, ec)) removed.push_back(side);
  }
  return removed;
}

}  // namespace dop
