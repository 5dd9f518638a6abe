#!/usr/bin/env python3
"""Tables of docs/results/speed/size/README.md from the CSVs in this folder.

Each CSV is one `dop-bench average` run (width 48, g,h from 1e-5, seed 0, one thread, steps
decaying as 2000/t after 2000 unless the name says `-d1000`): the PSNR of the 0.95 moving
average of the output every 50 iterations and its RMS change per 100. Names: `-t1-a1000`
tau 1 and alpha 1000 (the automatic alpha at 256x256, with the paper's tau: the default
before this study), `-t2` tau 2 with the automatic alpha (the rule adopted here), `-a2000`
tau 1 with alpha 2000, `-auto` the adopted rule at 512x512 (tau 4, alpha 2000)."""
import glob, math, os, sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
from curves import load, three_times, value  # noqa: E402

AT = [50, 250, 500, 750, 1000, 1500, 2000, 3000, 4000, 5000, 6000]

runs = {os.path.basename(p)[:-4]: load(p) for p in sorted(glob.glob(os.path.join(here, "*.csv")))}
# The default before this study, measured for the output-average study.
runs["F16-256-sp50-t1-a1000-it6000"] = load(
    os.path.join(here, "..", "average", "F16-256-sp50-w48-lrdecay2000-it6000.csv"))
runs = dict(sorted(runs.items()))
print("## PSNR of the 0.95 average along the run (dB)\n")
print("| run | " + " | ".join(str(i) for i in AT) + " |")
print("|---|" + "---|" * len(AT))
for name, run in runs.items():
    print(f"| {name} | " + " | ".join("" if math.isnan(value(run, i)) else f"{value(run, i):.2f}"
                                      for i in AT) + " |")

print("\n## No early stopping: the default (automatic stop, at most 2000) against 3x\n")
print("| run | stops at | PSNR there | at 6000 (3x) | 3x - default | within 0.3 dB |")
print("|---|---|---|---|---|---|")
for name, run in runs.items():
    if max(run) < 6000:
        continue
    stop, d, verdict = three_times(run)
    print(f"| {name} | {stop} | {value(run, stop):.2f} | {value(run, 6000):.2f} | {d:+.2f} | {verdict} |")
