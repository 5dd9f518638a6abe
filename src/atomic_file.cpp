#include "dop/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dop/error.hpp"
#include "file_names.hpp"

namespace dop {
namespace fs = std::filesystem;
namespace {

using detail::folder_of;
using detail::quoted;

// Removes the temporary file unless released (after a successful rename).
class TempFile {
 public:
  TempFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~TempFile() {
    ::close(fd_);
    if (!released_) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  void release() { released_ = true; }

 private:
  std::string path_;
  int fd_;
  bool released_ = false;
};

}  // namespace

void check_output_path(const fs::path& path, bool overwrite) {
  std::error_code ec;
  const fs::path folder = folder_of(path);
  if (!fs::is_directory(folder, ec)) {
    throw OutputError("cannot write " + quoted(path) + ": the folder " + quoted(folder) +
                      " does not exist");
  }
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    throw OutputError("cannot write " + quoted(path) + ": the folder " + quoted(folder) +
                      " is not writable (" + std::strerror(errno) + ")");
  }
  if (fs::is_directory(path, ec)) {
    throw OutputError("cannot write " + quoted(path) + ": it is a folder");
  }
  if (!overwrite && fs::exists(fs::symlink_status(path, ec))) {
    throw OutputError(quoted(path) + " already exists; use --overwrite to replace it");
  }
}

void write_file_atomically(const fs::path& path, std::string_view bytes, bool overwrite) {
  check_output_path(path, overwrite);
  const fs::path folder = folder_of(path);
  std::string name = (folder / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(name.data());
  if (fd < 0) {
    throw OutputError("cannot write " + quoted(path) + ": cannot create a temporary file in " +
                      quoted(folder) + " (" + std::strerror(errno) + ")");
  }
  TempFile tmp(name, fd);
  auto fail = [&](const char* what) {
    throw OutputError("cannot write " + quoted(path) + ": " + what + " failed (" +
                      std::strerror(errno) + ")");
  };
  const char* data = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(tmp.fd(), data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("writing");
    data += n;
    left -= static_cast<size_t>(n);
  }
  // mkstemp creates 0600; give the file the mode a plain open() would.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(tmp.fd(), 0666 & ~mask) != 0) fail("setting permissions");
  if (::fsync(tmp.fd()) != 0) fail("flushing to disk");
  if (!overwrite && fs::exists(fs::symlink_status(path))) {
    throw OutputError(quoted(path) + " appeared while writing; use --overwrite to replace it");
  }
  if (::rename(tmp.path().c_str(), path.c_str()) != 0) fail("renaming the temporary file");
  tmp.release();
}

}  // namespace dop
