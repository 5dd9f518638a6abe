#!/usr/bin/env python3
"""Tables of docs/results/speed/average/README.md from the CSVs in this folder.

Each CSV is one DOP run (the balanced preset's tau, alpha rule and g,h start, 128x128, one
thread; width 32 unless the name says `-w48`): the PSNR of the last output and of moving
averages of it with weights 0.9 ... 0.995, every 50 iterations (`-lrdecay2000`: steps
decaying as 2000/t after iteration 2000, `dop-bench average --lr-decay-after 2000`); the
6000-iteration runs also have the RMS change per 100 iterations of the last output and of
the 0.95 average (`change_*`)."""
import csv, glob, math, os

here = os.path.dirname(os.path.abspath(__file__))
TOL, PATIENCE, MIN_IT, BETA = 0.0025, 3, 1000, "0.95"  # the automatic stop since session 7 (0.004 in session 6, 0.005 before)


def load(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    # Both header spellings: this study's driver (raw, ema0.95, change_ema0.95) and
    # `dop-bench average` (psnr_last, psnr_avg0.95, change_avg0.95).
    norm = []
    for r in rows:
        n = {}
        for k, v in r.items():
            k = k.replace("psnr_last", "raw").replace("psnr_avg", "ema").replace("change_last", "change_raw").replace("change_avg", "change_ema")
            n[k] = float(v) if v not in ("", "nan") else math.nan
        norm.append(n)
    return {int(r["iteration"]): r for r in norm}


def name(path):
    return os.path.basename(path)[:-len(".csv")].replace("-w32", "")


def auto_stop(run, last):
    quiet = 0
    for it in sorted(run):
        if it % 100 or it > last:
            continue
        c = run[it].get("change_ema" + BETA, math.nan)
        quiet = quiet + 1 if c < TOL else 0
        if quiet >= PATIENCE and it >= MIN_IT and it < last:
            return it
    return last


betas = ["0.9", "0.95", "0.98", "0.99", "0.995"]
print("## Gain of the average over the last output (dB)\n")
print("| run | at | last output | " + " | ".join("β " + b for b in betas) + " |")
print("|---|---|---|" + "---|" * len(betas))
for path in sorted(glob.glob(os.path.join(here, "*.csv"))):
    run = load(path)
    for at in (1000, 2000):
        r = run[at]
        print(f"| {name(path)} ({max(run)} it) | {at} | {r['raw']:.2f} | " +
              " | ".join(f"{r['ema' + b] - r['raw']:+.2f}" for b in betas) + " |")

print("\n## No early stopping: the default (β 0.95, automatic stop, at most 2000) against 3×\n")
print("| run | stops at | PSNR there | at 2000 | at 6000 (3×) | 3× − default | within 0.3 dB |")
print("|---|---|---|---|---|---|---|")
for path in sorted(glob.glob(os.path.join(here, "*it6000.csv"))):
    run = load(path)
    stop = auto_stop(run, 2000)
    e = "ema" + BETA
    d = run[6000][e] - run[stop][e]
    print(f"| {name(path)} | {stop} | {run[stop][e]:.2f} | {run[2000][e]:.2f} | {run[6000][e]:.2f} | "
          f"{d:+.2f} | {'yes' if abs(d) <= 0.3 else '**no** (' + ('declines' if d < 0 else 'not yet converged') + ')'} |")
