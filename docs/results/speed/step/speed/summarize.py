#!/usr/bin/env python3
"""Time to quality of the candidate (tau 2, alpha 300) in this folder, against the
reference's PSNR at 15 minutes and the time it needed to reach it (../../speed.md: the
same inputs, ../../runs/*/clean.png and noisy.png, measured in session 5)."""
import json, os

here = os.path.dirname(os.path.abspath(__file__))
TARGETS = {"128-sp50": (22.95, 897.0), "128-rv30": (25.25, 859.0)}  # dB, reference seconds

print("| workload | preset | it/s | PSNR @1 min | @2 min | final | reaches the target at | sooner than the reference |")
print("|---|---|---|---|---|---|---|---|")
for w, (target, ref_s) in TARGETS.items():
    for preset in ("balanced", "fast"):
        d = json.load(open(os.path.join(here, w, f"dop-restore-{preset}.json")))
        h = d["history"]
        at = lambda s: [x for x in h if x["seconds"] <= s][-1]["psnr"]
        hit = next((x for x in h if x["psnr"] >= target), None)
        reach = f"{hit['seconds']:.1f} s (iteration {hit['iteration']})" if hit else "never"
        ratio = f"{ref_s / hit['seconds']:.1f}x" if hit else ""
        print(f"| {w} ({target} dB) | {preset} | {d['iterations'] / d['seconds']:.2f} | {at(60):.2f} | "
              f"{at(120):.2f} | {h[-1]['psnr']:.2f} | {reach} | {ratio} |")
