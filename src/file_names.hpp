// Internal: how the library's messages name files, and the folder a file is created in.
#pragma once

#include <filesystem>
#include <string>

namespace dop::detail {

/// 'path', as messages quote file names.
inline std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

/// The folder `path` is in ("." for a bare name): where its temporary files go.
inline std::filesystem::path folder_of(const std::filesystem::path& path) {
  const std::filesystem::path parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

}  // namespace dop::detail
