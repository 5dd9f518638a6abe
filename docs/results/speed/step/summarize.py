#!/usr/bin/env python3
"""Tables of docs/results/speed/step/README.md from the CSVs in this folder.

Each CSV is one `dop-bench average` run at 64x64 to 256x256 (width 48, g,h from 1e-5, seed 0,
one thread, steps decaying as 2000/t after 2000: the balanced preset's settings), named
CASE-tTAU-aALPHA-itN after the network's step tau and the ratio alpha given on the command
line (-log: steps decaying as 2000/(t(1 + ln(t/2000))) instead, the current default,
run to 3 x 2200 or 3 x 2400): t1-a500 is the first size rule's at 128x128 RGB, t1-a288.7 its value for a gray image
(alpha 500/sqrt(3)). The first size rule's 6000-iteration runs of ../average are read as
well. The PSNR is that of the output's 0.95 moving average, the presets' result."""
import glob, math, os, re, sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
from curves import load, three_times, value  # noqa: E402

AT = [500, 1000, 1500, 2000, 3000, 6000]
NAME = re.compile(r"(?P<case>.+)-t(?P<tau>[\d.]+)-a(?P<alpha>[\d.]+)(?P<log>-log)?-it(?P<its>\d+)$")

runs = {}  # steps decaying as 2000/t after 2000
log_runs = {}  # as 2000/(t(1 + ln(t/2000))) after 2000 (-log in the name), in the current default
for path in sorted(glob.glob(os.path.join(here, "*.csv"))):
    m = NAME.match(os.path.basename(path)[:-4])
    (log_runs if m["log"] else runs)[(m["case"], float(m["tau"]), float(m["alpha"]))] = load(path)
# The default's runs to 6000 iterations from the output-average study (same settings) and,
# at 256x256, from the size study.
for path in glob.glob(os.path.join(here, "..", "average", "*-128-*-w48-lrdecay2000-it6000.csv")):
    runs[(os.path.basename(path).split("-w48")[0], 1.0, 500.0)] = load(path)
runs[("F16-256-sp50", 2.0, 1000.0)] = load(os.path.join(here, "..", "size", "F16-256-sp50-t2-it6000.csv"))
GRAY = {"camera"}  # the one gray image here


def size_factor(case):
    image, side = case.split("-")[:2]
    return math.sqrt((1 if image in GRAY else 3) * int(side) ** 2 / (3 * 128 * 128))


def default_settings(case):
    """The automatic tau and alpha of the presets of the first size rule for the case's image."""
    s = size_factor(case)
    return max(1.0, s), 500.0 * s


def new_settings(case):
    """The automatic tau and alpha in the current default: tau = max(1, 2s), alpha*tau = max(500s, 600s^2)."""
    s = size_factor(case)
    tau = max(1.0, 2 * s)
    return tau, max(500 * s, 600 * s * s) / tau


def label(case, tau, alpha):
    """The case's name, with a * where tau and alpha are the current default."""
    t, a = new_settings(case)
    return case + (" *" if abs(tau - t) < 0.01 * t and abs(alpha - a) < 0.01 * a else "")


def default_of(case):
    tau, alpha = default_settings(case)
    return next((r for (c, t, a), r in runs.items()
                 if c == case and t == tau and abs(a - alpha) < 0.05 * alpha), None)


print("## PSNR of the 0.95 average along the run (dB); at 2000 against the first size rule;"
      " * = the current default\n")
print("| case | τ | α | α·τ | " + " | ".join(str(i) for i in AT) + " | vs the first size rule at 2000 |")
print("|---|---|---|---|" + "---|" * len(AT) + "---|")
for (case, tau, alpha), run in sorted(runs.items()):
    base = default_of(case)
    gain = "" if base is None or base is run else f"{value(run, 2000) - value(base, 2000):+.2f}"
    cells = " | ".join("" if math.isnan(value(run, i)) else f"{value(run, i):.2f}" for i in AT)
    print(f"| {label(case, tau, alpha)} | {tau:g} | {alpha:g} | {tau * alpha:.4g} | {cells} | {gain} |")

print("\n## No early stopping: the automatic stop (at most 2000) against 3x\n")
print("| case | τ | α | stops at | PSNR there | at 6000 (3x) | 3x - stop | within 0.3 dB |")
print("|---|---|---|---|---|---|---|---|")
for (case, tau, alpha), run in sorted(runs.items()):
    if max(run) < 6000:
        continue
    stop, d, verdict = three_times(run)
    print(f"| {label(case, tau, alpha)} | {tau:g} | {alpha:g} | {stop} | {value(run, stop):.2f} | {value(run, 6000):.2f} | "
          f"{d:+.2f} | {verdict} |")

print("\n## The log-form decay: the automatic stop (at most 2200, or 2400) against 3x;"
      " the same case with 2000/t (at most 2000) for comparison\n")
print("| case | τ | α | 2000/t: 3x - stop | stops at | PSNR there | at 6600 (3x) | 3x - stop | within 0.3 dB "
      "| with 2400: 3x - stop |")
print("|---|---|---|---|---|---|---|---|---|---|")
for (case, tau, alpha), run in sorted(log_runs.items()):
    old = runs.get((case, tau, alpha))
    before = f"{three_times(old)[1]:+.2f}" if old and max(old) >= 6000 else ""
    stop, d, verdict = three_times(run, 2200)
    longer = f"{three_times(run, 2400)[1]:+.2f}" if max(run) >= 7200 else ""
    print(f"| {case} | {tau:g} | {alpha:g} | {before} | {stop} | {value(run, stop):.2f} | "
          f"{value(run, 6600):.2f} | {d:+.2f} | {verdict} | {longer} |")
