#pragma once

#include <filesystem>
#include <string_view>

namespace dop {

/// Writes `bytes` to `path` all or nothing: into a temporary file in the same folder
/// (so the rename cannot cross file systems), flushed to disk, then renamed over `path`.
/// On any failure the temporary file is removed and `path` is untouched.
/// Throws dop::OutputError (the message names the file) when the folder is missing or
/// not writable, when `path` exists and `overwrite` is false, or when writing fails.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes,
                           bool overwrite);

/// Checks that `path` could be written by write_file_atomically: its folder exists and is
/// writable, `path` is not a folder, and it does not exist unless `overwrite`.
/// Throws dop::OutputError otherwise.
void check_output_path(const std::filesystem::path& path, bool overwrite);

}  // namespace dop
