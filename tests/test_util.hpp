#pragma once

#include <filesystem>
#include <random>
#include <string>

#include <ATen/ATen.h>

namespace dop::test {

/// A fresh, empty folder under the system's temporary folder, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("dop-test-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// A smooth C×H×W test image with values in [0.1, 0.9].
inline at::Tensor smooth_image(int64_t c, int64_t h, int64_t w) {
  const at::Tensor y = at::arange(h, at::kFloat).view({1, h, 1});
  const at::Tensor x = at::arange(w, at::kFloat).view({1, 1, w});
  const at::Tensor k = at::arange(1, c + 1, at::kFloat).view({c, 1, 1});
  return 0.5 + 0.4 * at::sin(x * k / 7.0) * at::cos(y / (3.0 + k));
}

}  // namespace dop::test
