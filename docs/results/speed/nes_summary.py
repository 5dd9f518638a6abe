#!/usr/bin/env python3
"""Table of the no-early-stopping check from the curves no-early-stopping.sh wrote:
PSNR at 1,000 iterations, at the balanced preset's 2,000, at 3x (6,000), the
difference, and the best PSNR on the curve (sampled every 100 iterations)."""
import csv, glob, os, sys
here = os.path.dirname(os.path.abspath(__file__))
rows = []
for f in sorted(glob.glob(os.path.join(here, "nes", "*", "*-curves.csv"))):
    curve = {}
    for r in csv.DictReader(open(f)):
        if r["method"] == "dop":
            curve.setdefault(r["case"], {})[int(r["iteration"])] = float(r["psnr"])
    for case, c in curve.items():
        if 2000 in c and 6000 in c:
            rows.append((case, c[1000], c[2000], c[6000], max(c.values())))
print("| case | PSNR @1000 | PSNR @2000 (balanced) | PSNR @6000 (3x) | 3x − 1x | best on the curve | within 0.3 dB |")
print("|---|---|---|---|---|---|---|")
for case, a, b, c, best in rows:
    print(f"| {case} | {a:.2f} | {b:.2f} | {c:.2f} | {c - b:+.2f} | {best:.2f} | {'yes' if abs(c - b) <= 0.3 else '**no**'} |")
