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
        << "set output '" << png.string() << "'\n"
        << "set datafile separator ','\n"
        << "set key autotitle columnhead\n"
        << "set termoption noenhanced\n"
        << script << "\n";
  }
  const std::string cmd = "gnuplot '" + gp.string() + "' 2>&1";
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
