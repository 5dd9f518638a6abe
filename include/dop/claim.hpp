#pragma once

// Claims: how folder runs started on the same folders (two shells, a job array of
// identical workers, a resubmitted job) share the images instead of each restoring all
// of them. Before restoring an image a run creates OUTPUT.dop-claim exclusively; a run
// that finds the claim moves on. The owner refreshes the claim's modification time (its
// heartbeat) while it works; a claim whose heartbeat has stopped for a stated time was
// left by a run that died, and is taken over (the training resumes from the checkpoint
// when there is one). Everything is plain files in the output folder, so it works across
// machines on a network file system (NFS) as well as on one disk.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace dop {

/// The claim file of an output: OUTPUT.dop-claim.
std::filesystem::path claim_path(const std::filesystem::path& output);

/// What a claim file holds.
struct ClaimInfo {
  bool exists = false;
  /// Identifies the owner: host, process id and a random part.
  std::string token;
  /// "dop-restore on HOST, pid N": for messages.
  std::string owner;
  /// Last heartbeat, by the file system's clock.
  std::filesystem::file_time_type heartbeat{};
};

/// Reads the claim file at `path` (exists = false when there is none or it vanished).
ClaimInfo read_claim(const std::filesystem::path& path);

/// A claim held by this process. Destroying it stops the heartbeat and removes the file
/// if it is still this process's.
class Claim {
 public:
  /// Claims `path` (a claim_path()). The exclusive create is NFS-safe: a uniquely named
  /// file is written, then hard-linked to `path`, and the claim is ours when the link
  /// count of the unique file reached 2 (open(2) recommends this where O_EXCL is not
  /// atomic); file systems without hard links fall back to O_CREAT|O_EXCL.
  /// Returns nullptr when another claim exists. Throws dop::OutputError when the folder
  /// cannot be written.
  static std::unique_ptr<Claim> try_acquire(const std::filesystem::path& path);

  /// Takes over the claim at `path` that was read as `stale`, if it is still that one
  /// (same token and heartbeat): it is renamed aside, so of several runs deciding at once
  /// only one gets it, and a claim refreshed or replaced in the meantime is put back.
  /// Returns nullptr when the claim is not (or no longer) available.
  static std::unique_ptr<Claim> take_over(const std::filesystem::path& path,
                                          const ClaimInfo& stale);

  ~Claim();
  Claim(const Claim&) = delete;
  Claim& operator=(const Claim&) = delete;

  /// Refreshes the heartbeat every `interval` from a background thread until released.
  void keep_alive(std::chrono::milliseconds interval);
  /// True once two heartbeats in a row found the file gone or another run's: another
  /// run took the image over (this one was taken for dead, e.g. while suspended).
  bool lost() const { return lost_.load(); }
  /// Reads the file now: true when it still is this process's claim.
  bool held() const;
  /// Stops the heartbeat and removes the file if it is still ours.
  void release();
  const std::filesystem::path& path() const { return path_; }

 private:
  Claim(std::filesystem::path path, std::string token);
  void beat();

  std::filesystem::path path_;
  std::string token_;
  std::atomic<bool> lost_{false};
  int misses_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool released_ = false;
  std::thread heartbeat_;
};

/// Decides when another run's claim is stale: its heartbeat has not changed for
/// `stale_after` as watched by this process, or it is already older than that by the file
/// system's own clock (a claim left by a run that died long ago). Clocks of different
/// machines are never compared: the file system's clock is read from a file created in
/// the folder.
class ClaimWatch {
 public:
  /// `folder`: where the claims are. Throws dop::UsageError unless stale_after > 0.
  ClaimWatch(std::filesystem::path folder, std::chrono::duration<double> stale_after);
  /// True when the claim `info` read from `path` is stale by either rule.
  bool stale(const std::filesystem::path& path, const ClaimInfo& info);
  /// True when `info` is older than stale_after by the file system's clock.
  bool expired(const ClaimInfo& info) const;

 private:
  std::filesystem::file_time_type file_system_now() const;

  struct Seen {
    std::string token;
    std::filesystem::file_time_type heartbeat;
    std::chrono::steady_clock::time_point since;
  };
  std::filesystem::path folder_;
  std::chrono::duration<double> stale_after_;
  mutable std::once_flag clock_read_;
  mutable std::filesystem::file_time_type::duration file_clock_offset_{};
  std::map<std::filesystem::path, Seen> seen_;
};

/// Settings of a shared folder run.
struct ClaimOptions {
  /// Seconds without a heartbeat after which another run's claim is taken over, > 0.
  double stale_after = 300.0;
  /// Redo images whose output exists (--overwrite); claims still keep runs apart.
  bool overwrite = false;
};

/// The images of a folder run, shared with any other runs on the same output folder
/// through claims. Thread-safe: each of a run's workers asks next() for work.
class ClaimQueue {
 public:
  enum class Kind {
    kRestore,        ///< claimed: restore it (claim held, heartbeat running)
    kDoneElsewhere,  ///< another run stored its result meanwhile
    kHeld,           ///< another run is restoring it; reported once, then waited for
  };
  struct Next {
    Kind kind;
    std::size_t index;
    std::unique_ptr<Claim> claim;  ///< kRestore only
    bool took_over = false;        ///< kRestore: the claim was a dead run's
    std::string owner;             ///< kHeld, or kRestore with took_over: the other run
  };

  /// `outputs`: the results this run is to produce, in order; `folder`: the output folder.
  ClaimQueue(std::vector<std::filesystem::path> outputs, const std::filesystem::path& folder,
             const ClaimOptions& options);

  /// The next thing to do. Blocks while the only images left are being restored by other
  /// live runs (checking a few times a second), and returns nullopt when nothing is left
  /// or `stop` says so.
  std::optional<Next> next(const std::function<bool()>& stop);
  /// Puts an image whose claim was lost back among those waited for.
  void requeue(std::size_t index);
  /// The heartbeat interval of claims handed out (a tenth of stale_after, 50 ms to 30 s).
  std::chrono::milliseconds heartbeat() const;

 private:
  std::optional<Next> take(std::size_t index, bool waiting);

  std::vector<std::filesystem::path> outputs_;
  ClaimOptions options_;
  ClaimWatch watch_;
  std::mutex mutex_;
  std::vector<std::size_t> fresh_;  // not looked at yet (reversed: next at the back)
  std::vector<std::size_t> waiting_;
};

/// Tidies a finished output: when no live claim is beside it (none, or one expired by
/// the file system's clock), removes the claim and those of `side_files` that exist (e.g.
/// its checkpoint) and returns what it removed.
std::vector<std::filesystem::path> remove_leftovers(
    const std::filesystem::path& output, const std::vector<std::filesystem::path>& side_files,
    const ClaimWatch& watch);

}  // namespace dop
