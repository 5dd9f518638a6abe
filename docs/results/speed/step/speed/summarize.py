#!/usr/bin/env python3
"""Time to quality of the candidate (tau 2, alpha 300) in this folder, against the
reference's PSNR at 15 minutes and the time it needed to reach it, as `dop-bench speed`
defines them, from the reference curves of ../../speed.csv (the same inputs,
../../runs/*/clean.png and noisy.png, measured earlier)."""
import csv, json, os

here = os.path.dirname(os.path.abspath(__file__))
REFERENCE_SECONDS = 900.0

curves = {}
with open(os.path.join(here, "..", "..", "speed.csv")) as f:
    for row in csv.DictReader(f):
        if row["side"] == "reference":
            curves.setdefault(row["workload"], []).append((float(row["seconds"]), float(row["psnr"])))
TARGETS = {}  # workload -> (the reference's PSNR at 15 minutes, when it first reached it)
for w in ("128-sp50", "128-rv30"):
    target = [p for t, p in curves[w] if t <= REFERENCE_SECONDS][-1]
    TARGETS[w] = (target, next(t for t, p in curves[w] if p >= target))

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
        print(f"| {w} ({target:.2f} dB) | {preset} | {d['iterations'] / d['seconds']:.2f} | {at(60):.2f} | "
              f"{at(120):.2f} | {h[-1]['psnr']:.2f} | {reach} | {ratio} |")
