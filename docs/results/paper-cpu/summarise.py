#!/usr/bin/python3
"""Writes summary.md next to this script from the CSV files that run.sh made: per image
and corruption level, DOP's PSNR and its margin over each peer (positive: DOP is ahead),
and the no-early-stopping check (final PSNR against the peak of the learning curve)."""
import csv
import os
import sys
from collections import defaultdict

here = os.path.dirname(os.path.abspath(__file__))
rows = []
seen = set()
for fig in ("figure3", "figure4", "impulse", "figure5"):
    path = os.path.join(here, fig, fig + ".csv")
    if not os.path.exists(path):
        sys.exit(f"missing {path}: run run.sh first")
    for r in csv.DictReader(open(path)):
        key = (r["case"], r["method"], r["seed"])
        if key not in seen:  # figure5 repeats the cases of the others
            seen.add(key)
            rows.append(r)

psnr = defaultdict(list)
ssim = defaultdict(list)
drop = defaultdict(list)
cases = []
for r in rows:
    c = (r["image"], r["noise"], float(r["level"]))
    if c not in cases:
        cases.append(c)
    psnr[c, r["method"]].append(float(r["psnr"]))
    ssim[c, r["method"]].append(float(r["ssim"]))
    if r["peak_psnr"]:
        drop[r["method"]].append(float(r["peak_psnr"]) - float(r["psnr"]))

mean = lambda v: sum(v) / len(v)
peers = ["switching-median", "median", "dip-l1", "dip"]
name = {"sp": "salt-and-pepper", "rv": "random-valued impulse"}
out = ["| image | corruption | DOP (dB) | " + " | ".join(f"vs {p}" for p in peers) + " |",
       "|---|---|---|" + "---|" * len(peers)]
beats = defaultdict(int)
for c in sorted(cases, key=lambda c: (c[1], c[0], c[2])):
    d = mean(psnr[c, "dop"])
    cells = []
    for p in peers:
        m = d - mean(psnr[c, p])
        beats[p] += m > 0
        cells.append(f"{'ahead' if m > 0 else 'behind'} {m:+.2f}")
    out.append(f"| {c[0]} | {name[c[1]]} {c[2] * 100:.0f}% | {d:.2f} | " + " | ".join(cells) + " |")
out.append("")
out.append("DOP is ahead of: " + ", ".join(f"{p} in {beats[p]} of {len(cases)}" for p in peers) +
           " image/level pairs.")
out.append("")
out.append("Drop from the learning curve's peak to the final PSNR (what early stopping would "
           "have to catch), over all runs:")
out.append("")
out.append("| method | runs | mean drop (dB) | largest drop (dB) | runs within 0.5 dB of their peak |")
out.append("|---|---|---|---|---|")
for m in ("dop", "dip", "dip-l1"):
    v = drop[m]
    out.append(f"| {m} | {len(v)} | {mean(v):.2f} | {max(v):.2f} | {sum(x <= 0.5 for x in v)} |")
open(os.path.join(here, "summary.md"), "w").write("\n".join(out) + "\n")
print("\n".join(out))
