// dop-bench lowrank: the paper's matrix experiments (docs/algorithm.md §1).
#include "lowrank_bench.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include <ATen/ATen.h>
#include <spdlog/fmt/fmt.h>
#include <nlohmann/json.hpp>

#include "dop/device.hpp"
#include "dop/error.hpp"
#include "dop/lowrank.hpp"
#include "plot.hpp"
#include "process.hpp"

namespace dop::bench {
namespace {

namespace fs = std::filesystem;
using lowrank::DopOptions;
using lowrank::L1Options;
using lowrank::ProblemOptions;
using lowrank::relative_error;

// What each subcommand runs, by preset.
struct Preset {
  ProblemOptions problem;  // curves and agree
  int64_t dop_iterations;  // curves
  int64_t l1_iterations;   // curves
  int64_t phase_n;         // phase: matrix side
  std::vector<int64_t> phase_ranks;
  std::vector<double> phase_fractions;
  int phase_trials;
  int64_t phase_iterations;           // DOP limit per phase cell (with a tolerance stop)
  std::vector<int64_t> alpha_ns;      // alpha: sides
  std::vector<double> alpha_factors;  // α = factor · √n
  int64_t alpha_iterations;
  std::vector<double> agree_scales;  // agree: ε values
  int64_t agree_iterations;
};

Preset preset(const std::string& name) {
  if (name == "smoke") {
    return {{20, 2, 0.1, 10.0, 0}, 3000, 1000,         16,  {1, 3}, {0.05, 0.2}, 1, 3000, {16},
            {0.5, 1, 2},           3000, {1e-3, 1e-4}, 3000};
  }
  if (name == "cpu") {
    return {{50, 3, 0.1, 10.0, 0},
            20000,
            5000,
            40,
            {1, 2, 3, 4, 6, 8, 10, 12},
            {0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3},
            3,
            20000,
            {20, 40, 80},
            {0.125, 0.25, 0.5, 1, 2, 4, 8},
            20000,
            {1e-2, 1e-3, 1e-4, 1e-5},
            40000};
  }
  throw UsageError("unknown preset '" + name + "': use smoke or cpu");
}

// Recovery counts as success below this relative error (the 1e-2: DOP with a
// finite step and ε reaches ~1e-3 where it works, and ≥ 0.1 where it does not).
constexpr double kSuccess = 1e-2;

void emit_json(const LowRankBenchOptions& o, const nlohmann::json& j) {
  if (o.json) std::printf("%s\n", j.dump().c_str());
}

int curves(const Preset& p, const LowRankBenchOptions& o) {
  const auto problem = lowrank::make_problem(p.problem);
  const int64_t n = p.problem.n;
  const int64_t r = p.problem.rank;
  std::map<int64_t, std::map<std::string, double>> rows;
  const std::vector<std::string> names{"l1_rank_r", "l1_rank_n", "dop_rank_r", "dop_rank_n"};
  std::map<std::string, double> final_error;
  auto observe = [&](const std::string& name) {
    return [&rows, name, &problem](int64_t k, const at::Tensor& x, const at::Tensor&) {
      rows[k][name] = relative_error(x, problem.low_rank);
    };
  };
  for (int64_t rank : {r, int64_t{0}}) {
    L1Options l1;
    l1.rank = rank;
    l1.iterations = p.l1_iterations;
    const std::string l1_name = rank == 0 ? "l1_rank_n" : "l1_rank_r";
    final_error[l1_name] = relative_error(
        lowrank::solve_l1(problem.observed, l1, observe(l1_name), 50).low_rank, problem.low_rank);
    DopOptions dop;
    dop.rank = rank;
    dop.max_iterations = p.dop_iterations;
    const std::string dop_name = rank == 0 ? "dop_rank_n" : "dop_rank_r";
    final_error[dop_name] =
        relative_error(lowrank::solve_dop(problem.observed, dop, observe(dop_name), 50).low_rank,
                       problem.low_rank);
  }
  fs::create_directories(o.out);
  const fs::path csv = fs::path(o.out) / "curves.csv";
  std::ofstream out(csv);
  out << "iteration";
  for (const auto& nm : names) out << "," << nm;
  out << "\n";
  for (const auto& [k, cols] : rows) {
    out << k;
    for (const auto& nm : names) {
      out << ",";
      if (auto it = cols.find(nm); it != cols.end()) out << it->second;
    }
    out << "\n";
  }
  out.close();
  render_png(
      fs::path(o.out) / "curves.png",
      fmt::format("set title 'n = {}, r = {}, p = {}: relative error of X against iteration'\n"
                  "set logscale y\nset xlabel 'iteration'\nset ylabel '||X - X*||_F / ||X*||_F'\n"
                  "plot for [c=2:5] '{}' using 1:c with lines lw 2",
                  n, r, p.problem.corruption, csv.filename().string()));
  std::printf("%-12s %14s\n", "method", "relative error");
  for (const auto& nm : names) std::printf("%-12s %14.3e\n", nm.c_str(), final_error[nm]);
  emit_json(o, {{"command", "curves"},
                {"n", n},
                {"rank", r},
                {"corruption", p.problem.corruption},
                {"dop_iterations", p.dop_iterations},
                {"l1_iterations", p.l1_iterations},
                {"relative_error", final_error}});

  if (!o.reference_script.empty() && fs::exists(o.reference_script)) {
    const std::string cmd =
        fmt::format("/usr/bin/python3 '{}' --n {} --r {} --p {} --iters {} 2>/dev/null",
                    o.reference_script, n, r, p.problem.corruption, p.dop_iterations);
    const CommandOutput run = run_command(cmd);
    if (run.ok) {
      const auto ref = nlohmann::json::parse(run.text, nullptr, false);
      if (!ref.is_discarded()) {
        std::printf(
            "python reference (same n, r, p, its own draw): dop %.3e, rpca %.3e, l1 r'=r %.3e, l1 "
            "r'=n %.3e\n",
            ref.value("dop_rel_err_X", NAN), ref.value("rpca_rel_err_X", NAN),
            ref.value("l1_rank_r_rel_err", NAN), ref.value("l1_rank_n_rel_err", NAN));
      }
    }
  }
  return 0;
}

int phase(const Preset& p, const LowRankBenchOptions& o) {
  fs::create_directories(o.out);
  const fs::path csv = fs::path(o.out) / "phase.csv";
  std::ofstream out(csv);
  out << "rank,corruption,rank_index,corruption_index,dop_success,rpca_success,dop_mean_error,"
         "rpca_mean_error\n";
  const int64_t n = p.phase_n;
  std::printf("success rate over %d trial(s), n = %lld (DOP | RPCA); rows: rank, columns: p\n",
              p.phase_trials, static_cast<long long>(n));
  std::printf("%6s", "r \\ p");
  for (double f : p.phase_fractions) std::printf("  %9.2f", f);
  std::printf("\n");
  for (size_t ri = 0; ri < p.phase_ranks.size(); ++ri) {
    const int64_t r = p.phase_ranks[ri];
    std::printf("%6lld", static_cast<long long>(r));
    for (size_t fi = 0; fi < p.phase_fractions.size(); ++fi) {
      const double f = p.phase_fractions[fi];
      int dop_ok = 0, rpca_ok = 0;
      double dop_err = 0, rpca_err = 0;
      for (int t = 0; t < p.phase_trials; ++t) {
        const auto problem =
            lowrank::make_problem({n, r, f, 10.0, static_cast<uint64_t>(1000 * r + t)});
        DopOptions dop;
        dop.max_iterations = p.phase_iterations;
        dop.tolerance = 1e-8;
        const double e1 =
            relative_error(lowrank::solve_dop(problem.observed, dop).low_rank, problem.low_rank);
        const double e2 =
            relative_error(lowrank::solve_rpca(problem.observed).low_rank, problem.low_rank);
        dop_ok += e1 < kSuccess;
        rpca_ok += e2 < kSuccess;
        dop_err += e1 / p.phase_trials;
        rpca_err += e2 / p.phase_trials;
        emit_json(o, {{"command", "phase"},
                      {"n", n},
                      {"rank", r},
                      {"corruption", f},
                      {"trial", t},
                      {"dop_relative_error", e1},
                      {"rpca_relative_error", e2}});
      }
      const double ds = static_cast<double>(dop_ok) / p.phase_trials;
      const double rs = static_cast<double>(rpca_ok) / p.phase_trials;
      out << r << "," << f << "," << ri << "," << fi << "," << ds << "," << rs << "," << dop_err
          << "," << rpca_err << "\n";
      std::printf("  %4.2f|%4.2f", ds, rs);
      std::fflush(stdout);
    }
    std::printf("\n");
  }
  out.close();
  std::string xtics, ytics;
  for (size_t i = 0; i < p.phase_fractions.size(); ++i) {
    xtics += fmt::format("{}\"{}\" {}", i ? ", " : "", p.phase_fractions[i], i);
  }
  for (size_t i = 0; i < p.phase_ranks.size(); ++i) {
    ytics += fmt::format("{}\"{}\" {}", i ? ", " : "", p.phase_ranks[i], i);
  }
  render_png(
      fs::path(o.out) / "phase.png",
      fmt::format("set multiplot layout 1,2 title 'Recovery rate (relative error < {}), n = {}, "
                  "{} trial(s) per cell; white = always'\n"
                  "set xlabel 'corruption fraction p'\nset ylabel 'rank r'\nset cbrange [0:1]\n"
                  "set palette gray\nunset key\nset xtics ({})\nset ytics ({})\n"
                  "set xrange [-0.5:{}]\nset yrange [-0.5:{}]\n"
                  "set title 'DOP, alpha = sqrt(n), no rank given'\n"
                  "plot '{}' using 4:3:5 with image\n"
                  "set title 'convex RPCA (inexact ALM), lambda = 1/sqrt(n)'\n"
                  "plot '{}' using 4:3:6 with image\nunset multiplot",
                  kSuccess, n, p.phase_trials, xtics, ytics, p.phase_fractions.size() - 0.5,
                  p.phase_ranks.size() - 0.5, csv.filename().string(), csv.filename().string()),
      1200, 520);
  return 0;
}

int alpha(const Preset& p, const LowRankBenchOptions& o) {
  fs::create_directories(o.out);
  const fs::path csv = fs::path(o.out) / "alpha.csv";
  std::ofstream out(csv);
  out << "alpha_over_sqrt_n";
  for (int64_t n : p.alpha_ns) out << ",n=" << n;
  out << "\n";
  std::vector<std::vector<double>> errors(p.alpha_factors.size());
  for (size_t i = 0; i < p.alpha_factors.size(); ++i) {
    for (int64_t n : p.alpha_ns) {
      const auto problem = lowrank::make_problem({n, 3, 0.1, 10.0, static_cast<uint64_t>(n)});
      DopOptions dop;
      dop.alpha = p.alpha_factors[i] * std::sqrt(static_cast<double>(n));
      dop.max_iterations = p.alpha_iterations;
      dop.tolerance = 1e-8;
      double e = NAN;  // NaN marks a diverged run: the step α·τ is too large
      try {
        e = relative_error(lowrank::solve_dop(problem.observed, dop).low_rank, problem.low_rank);
      } catch (const RuntimeError&) {
      }
      errors[i].push_back(e);
      emit_json(o, {{"command", "alpha"},
                    {"n", n},
                    {"alpha", dop.alpha},
                    {"relative_error", std::isfinite(e) ? nlohmann::json(e) : nlohmann::json()},
                    {"diverged", !std::isfinite(e)}});
    }
  }
  std::printf("%12s", "alpha/sqrt(n)");
  for (int64_t n : p.alpha_ns) std::printf("  %10s", fmt::format("n={}", n).c_str());
  std::printf("\n");
  for (size_t i = 0; i < p.alpha_factors.size(); ++i) {
    out << p.alpha_factors[i];
    std::printf("%12.3f", p.alpha_factors[i]);
    for (double e : errors[i]) {
      out << ",";  // an empty cell for a diverged run
      if (std::isfinite(e)) {
        out << e;
        std::printf("  %10.3e", e);
      } else {
        std::printf("  %10s", "diverged");
      }
    }
    out << "\n";
    std::printf("\n");
  }
  out.close();
  render_png(fs::path(o.out) / "alpha.png",
             fmt::format(
                 "set title 'DOP (r = 3, p = 0.1): relative error against alpha'\n"
                 "set logscale xy\nset xlabel 'alpha / sqrt(n)'\nset ylabel 'relative error of X'\n"
                 "set arrow from 1, graph 0 to 1, graph 1 nohead dt 2\n"
                 "plot for [c=2:{}] '{}' using 1:c with linespoints lw 2",
                 p.alpha_ns.size() + 1, csv.filename().string()));
  return 0;
}

int agree(const Preset& p, const LowRankBenchOptions& o) {
  const auto problem = lowrank::make_problem(p.problem);
  const int64_t n = p.problem.n;
  lowrank::RpcaOptions rpca_options;
  rpca_options.lambda = 1.0 / std::sqrt(static_cast<double>(n));
  const auto rpca = lowrank::solve_rpca(problem.observed, rpca_options);
  fs::create_directories(o.out);
  const fs::path csv = fs::path(o.out) / "agree.csv";
  std::ofstream out(csv);
  out << "init_scale,step_factor,dop_vs_rpca,dop_vs_truth\n";
  std::printf("%10s %10s %14s %14s\n", "epsilon", "step", "DOP vs RPCA", "DOP vs X*");
  const double tau0 = 0.25 / at::linalg_matrix_norm(problem.observed, 2).item<double>();
  for (double step_factor : {1.0, 0.5}) {
    for (double eps : p.agree_scales) {
      DopOptions dop;
      dop.init_scale = eps;
      dop.step = tau0 * step_factor;
      dop.max_iterations = static_cast<int64_t>(p.agree_iterations / step_factor);
      dop.tolerance = 1e-10;
      const auto s = lowrank::solve_dop(problem.observed, dop);
      const double d = relative_error(s.low_rank, rpca.low_rank);
      const double t = relative_error(s.low_rank, problem.low_rank);
      out << eps << "," << step_factor << "," << d << "," << t << "\n";
      std::printf("%10.0e %10s %14.3e %14.3e\n", eps, fmt::format("{}x", step_factor).c_str(), d,
                  t);
      emit_json(o, {{"command", "agree"},
                    {"n", n},
                    {"init_scale", eps},
                    {"step", dop.step},
                    {"dop_vs_rpca", d},
                    {"dop_vs_truth", t}});
    }
  }
  out.close();
  render_png(
      fs::path(o.out) / "agree.png",
      fmt::format(
          "set title 'Distance between the DOP and RPCA solutions (n = {}, r = {}, p = {})'\n"
          "set logscale xy\nset xlabel 'initial scale epsilon'\nset ylabel '||X_DOP - X_RPCA|| / "
          "||X_RPCA||'\n"
          "plot '{}' using 1:($2==1?$3:1/0) with linespoints lw 2 title 'step 0.25/||Y||', "
          "'' using 1:($2==0.5?$3:1/0) with linespoints lw 2 title 'half the step'",
          n, p.problem.rank, p.problem.corruption, csv.filename().string()));
  return 0;
}

}  // namespace

CLI::App* add_lowrank_command(CLI::App& app, LowRankBenchOptions& o) {
  auto* cmd = app.add_subcommand(
      "lowrank", "Low-rank DOP (robust PCA without the rank): the paper's matrix experiments");
  cmd->require_subcommand(1);
  // The experiments (below) inherit this: their options may follow them, as users type
  // `dop-bench lowrank curves --preset cpu`.
  cmd->fallthrough();
  cmd->add_option("--preset", o.preset, "smoke (seconds) or cpu (minutes)")->capture_default_str();
  cmd->add_option("--out", o.out, "Folder for CSV and PNG files")->capture_default_str();
  cmd->add_flag("--json", o.json, "One JSON line per run on standard output");
  cmd->add_option("--threads", o.threads, "CPU threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--reference-script", o.reference_script,
                  "lowrank_reference.py to run beside 'curves' (skipped when absent)")
      ->capture_default_str();
  cmd->add_option("--n", o.n, "Matrix side for curves and agree (0 = the preset's)");
  cmd->add_option("--rank", o.rank, "True rank r for curves and agree (0 = the preset's)");
  cmd->add_option("--corruption", o.corruption, "Corrupted fraction p for curves and agree");
  cmd->add_option("--seed", o.seed, "Seed of the problem for curves and agree")
      ->capture_default_str();
  cmd->add_subcommand("curves", "Relative error against iteration: l1 and DOP, r' = r and r' = n");
  cmd->add_subcommand("phase", "Success rate over rank x corruption: DOP and convex RPCA");
  cmd->add_subcommand("alpha", "Relative error against alpha for a few n");
  cmd->add_subcommand("agree", "Distance between the DOP and RPCA solutions for several epsilon");
  return cmd;
}

int run_lowrank(const CLI::App& command, const LowRankBenchOptions& o) {
  Preset p = preset(o.preset);
  if (o.n > 0) p.problem.n = o.n;
  if (o.rank > 0) p.problem.rank = o.rank;
  if (o.corruption >= 0) p.problem.corruption = o.corruption;
  p.problem.seed = o.seed;
  configure_threads(o.threads);
  const auto* sub = command.get_subcommands().front();
  const std::string name = sub->get_name();
  if (name == "curves") return curves(p, o);
  if (name == "phase") return phase(p, o);
  if (name == "alpha") return alpha(p, o);
  return agree(p, o);
}

}  // namespace dop::bench
