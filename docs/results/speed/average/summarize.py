#!/usr/bin/env python3
"""Tables of docs/results/speed/average/README.md from the CSVs in this folder.

Each CSV is one DOP run (the balanced preset's tau, alpha rule and g,h start, 128x128, one
thread; width 32 unless the name says `-w48`): the PSNR of the last output and of moving
averages of it with weights 0.9 ... 0.995, every 50 iterations (`-lrdecay2000`: steps
decaying as 2000/t after iteration 2000, `dop-bench average --lr-decay-after 2000`); the
6000-iteration runs also have the RMS change per 100 iterations of the last output and of
the 0.95 average (`change_*`)."""
import glob, os, sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
from curves import load, three_times  # noqa: E402


def name(path):
    return os.path.basename(path)[:-len(".csv")].replace("-w32", "")


betas = ["0.9", "0.95", "0.98", "0.99", "0.995"]
print("## Gain of the average over the last output (dB)\n")
print("| run | at | last output | " + " | ".join("β " + b for b in betas) + " |")
print("|---|---|---|" + "---|" * len(betas))
for path in sorted(glob.glob(os.path.join(here, "*.csv"))):
    run = load(path)
    for at in (1000, 2000):
        r = run[at]
        print(f"| {name(path)} ({max(run)} it) | {at} | {r['psnr_last']:.2f} | " +
              " | ".join(f"{r['psnr_avg' + b] - r['psnr_last']:+.2f}" for b in betas) + " |")

print("\n## No early stopping: the default (β 0.95, automatic stop, at most 2000) against 3×\n")
print("| run | stops at | PSNR there | at 2000 | at 6000 (3×) | 3× − default | within 0.3 dB |")
print("|---|---|---|---|---|---|---|")
for path in sorted(glob.glob(os.path.join(here, "*it6000.csv"))):
    run = load(path)
    stop, d, verdict = three_times(run)
    e = "psnr_avg0.95"
    print(f"| {name(path)} | {stop} | {run[stop][e]:.2f} | {run[2000][e]:.2f} | {run[6000][e]:.2f} | "
          f"{d:+.2f} | {verdict} |")
