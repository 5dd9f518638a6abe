#include "plot.hpp"

#include <cstdio>
#include <fstream>

namespace dop::bench {

bool render_png(const std::filesystem::path& png, const std::string& script, int width,
                int height) {
  const std::filesystem::path gp = png.string() + ".gp";
  {
    std::ofstream out(gp);
    out << "set terminal pngcairo size " << width << "," << height << " font 'sans,10'\n"
        << "set output '" << png.filename().string() << "'\n"
        << "set datafile separator ','\n"
        << "set key autotitle columnhead\n"
        << "set termoption noenhanced\n"
        << script << "\n";
  }
  // Run from the PNG's folder: the script names its files relative to it, so it can be
  // kept beside the results and rerun anywhere.
  const std::filesystem::path dir = png.has_parent_path() ? png.parent_path() : ".";
  const std::string cmd =
      "cd '" + dir.string() + "' && gnuplot '" + gp.filename().string() + "' 2>&1";
  const int status = std::system(cmd.c_str());
  if (status != 0) {
    std::fprintf(stderr,
                 "dop-bench: no PNG for %s: gnuplot failed or is missing "
                 "(apt-get install gnuplot-nox); the CSV is written\n",
                 png.c_str());
    return false;
  }
  return true;
}

}  // namespace dop::bench
