"""Applies automatic-stop rules to the measured runs (stop.csv): for each rule and case,
the iteration it would stop at and the composed result's PSNR there, against the
whole run (2,200 iterations).
usage: /usr/bin/python3 docs/results/stop/rules.py stop.csv [--detail RULE]"""
import csv
import sys
from collections import defaultdict

rows = defaultdict(list)
for r in csv.DictReader(open(sys.argv[1])):
    rows[r["case"]].append(r)
for case in rows:
    rows[case].sort(key=lambda r: int(r["iteration"]))


def number(r, column):
    return float(r[column]) if r[column] != "nan" else float("nan")


def quiet_for(column, tolerance, patience, minimum):
    """Below `tolerance` for `patience` windows in a row, after `minimum`."""
    def rule(runs):
        quiet = 0
        for r in runs:
            change = number(r, column)
            if change == change:  # not NaN
                quiet = quiet + 1 if change < tolerance else 0
            if quiet >= patience and int(r["iteration"]) >= minimum:
                return r
        return runs[-1]
    return rule


def settled_by(tolerance, by, then):
    """The composed result below `tolerance` in every window up to `by`: stop there;
    otherwise the rule `then`."""
    def rule(runs):
        early = [r for r in runs if int(r["iteration"]) <= by]
        changes = [number(r, "change_composed") for r in early[1:]]
        if all(c < tolerance for c in changes):
            return early[-1]
        return then(runs)
    return rule


output_rule = quiet_for("change_network", 0.0025, 3, 1000)
rules = {"output: < 0.0025 for 3 windows after 1,000 (the stop before)": output_rule}
for tolerance in (0.002, 0.003, 0.004):
    for minimum in (300, 500):
        rules[f"composed: < {tolerance} for 3 windows after {minimum}"] = quiet_for(
            "change_composed", tolerance, 3, minimum)
for tolerance in (0.0015, 0.002, 0.0025, 0.003, 0.004, 0.005, 0.007):
    for by in (300, 400, 500):
        rules[f"settled: composed < {tolerance} in every window to {by}, else output"] = \
            settled_by(tolerance, by, output_rule)

detail = sys.argv[sys.argv.index("--detail") + 1] if "--detail" in sys.argv else None
if detail:
    print("| case | stops at | composed PSNR there | whole run | difference |")
    print("|---|---|---|---|---|")
    for case, runs in sorted(rows.items()):
        r = rules[detail](runs)
        there, whole = number(r, "psnr_composed"), number(runs[-1], "psnr_composed")
        print(f"| {case} | {r['iteration']} | {there:.2f} | {whole:.2f} | {there - whole:+.2f} |")
    sys.exit()
print("| rule | mean iterations | mean difference (dB) | worst (dB) | worst case | cases below −0.2 dB |")
print("|---|---|---|---|---|---|")
for name, rule in rules.items():
    its, diffs = [], []
    for case, runs in sorted(rows.items()):
        r = rule(runs)
        its.append(int(r["iteration"]))
        diffs.append((number(r, "psnr_composed") - number(runs[-1], "psnr_composed"), case))
    worst = min(diffs)
    losing = sum(d < -0.2 for d, _ in diffs)
    print(f"| {name} | {sum(its) / len(its):.0f} | {sum(d for d, _ in diffs) / len(diffs):+.2f} "
          f"| {worst[0]:+.2f} | {worst[1]} | {losing} |")
