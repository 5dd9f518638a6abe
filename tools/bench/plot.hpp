#pragma once

#include <filesystem>
#include <string>

namespace dop::bench {

/// Renders a PNG with gnuplot (Debian's gnuplot-nox): `script` is gnuplot commands that
/// read the CSV files already written, named relative to the PNG's folder (gnuplot runs
/// there); the terminal and output are set here. The script is kept as PNG + ".gp". Returns
/// false (and says why on stderr) when gnuplot is missing or fails: the CSV data stays.
bool render_png(const std::filesystem::path& png, const std::string& script, int width = 900,
                int height = 600);

}  // namespace dop::bench
