#!/usr/bin/python3
"""Where the no-early-stopping change comes from: f or S.

For every case of no-early-stopping.sh (its snapshots at 2,200 and 6,600 iterations in
nes/<case>/), composes the network output f of one iteration with DOP's sparse estimate
S = g*g - h*h of the other, with the tool's composition (`dop-bench compose`), and counts
against the known damage (the samples where noisy.png differs from clean.png) the damaged
samples the detection missed and the intact ones it took for damage (weight >= 0.5), and
the mean |S| over the intact samples; and composes each iteration's own pair with the
detection started from the residual |y - f| alone (`--start residual`), which does not read
S. Writes split.csv; the mixed snapshots and the weight maps go to nes/<case>/split/ (not
kept).

    DOP_BENCH=build/tools/bench/dop-bench /usr/bin/python3 docs/results/compose/split.py

Needs the snapshots (no-early-stopping.sh, about three hours) and /usr/bin/python3 with
python3-torch and python3-opencv.
"""
import csv
import glob
import os
import subprocess
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
BENCH = os.environ.get('DOP_BENCH', os.path.join(ROOT, 'build', 'tools', 'bench', 'dop-bench'))
ITERATIONS = ('2200', '6600')

sys.path.insert(0, HERE)
from variants import imread  # noqa: E402


def compose(case_dir, snapshots, start, save=None):
    """The composed PSNR of each snapshot, in one `dop-bench compose` call."""
    command = [BENCH, 'compose', os.path.join(case_dir, 'clean.png'),
               os.path.join(case_dir, 'noisy.png'), *snapshots, '--start', start]
    if save:
        command += ['--save', save]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return [float(line.split(',')[2]) for line in out.strip().splitlines()[1:]]


def main():
    rows = []
    for case_dir in sorted(glob.glob(os.path.join(HERE, 'nes', '*', ''))):
        case = os.path.basename(os.path.dirname(case_dir))
        if not all(os.path.exists(os.path.join(case_dir, f'{i}.pt')) for i in ITERATIONS):
            continue
        clean = imread(os.path.join(case_dir, 'clean.png'))
        damaged = imread(os.path.join(case_dir, 'noisy.png')) != clean
        snapshot = {i: os.path.join(case_dir, f'{i}.pt') for i in ITERATIONS}
        loaded = {i: torch.load(snapshot[i]) for i in ITERATIONS}
        s = {i: loaded[i]['s'] for i in ITERATIONS}
        work = os.path.join(case_dir, 'split')
        os.makedirs(work, exist_ok=True)
        # Each iteration's own pair as saved; the other two with S swapped in.
        pairs = {}
        for fi in ITERATIONS:
            for si in ITERATIONS:
                if fi == si:
                    pairs[fi, si] = snapshot[fi]
                    continue
                mixed = dict(loaded[fi], s=s[si])
                pairs[fi, si] = os.path.join(work, f'f{fi}-s{si}.pt')
                torch.save(mixed, pairs[fi, si])
        row = {'case': case}
        for (fi, si), psnr in zip(pairs, compose(case_dir, pairs.values(), 'sparse', work)):
            row[f'composed_f{fi}-s{si}'] = round(psnr, 4)
        for i in ITERATIONS:
            found = imread(os.path.join(work, f'{i}-w.tiff')) >= 0.5
            row[f'missed_{i}'] = int((damaged & ~found).sum())
            row[f'false_{i}'] = int((~damaged & found).sum())
            row[f'intact_abs_s_{i}'] = round(float(s[i].abs()[~damaged].double().mean()), 5)
        residual = compose(case_dir, snapshot.values(), 'residual')
        for i, psnr in zip(ITERATIONS, residual):
            row[f'residual_start_{i}'] = round(psnr, 4)
        row['damaged'] = int(damaged.sum())
        rows.append(row)
    if not rows:
        sys.exit('split.py: no snapshots in nes/: run no-early-stopping.sh first')
    with open(os.path.join(HERE, 'split.csv'), 'w', newline='') as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f'wrote {os.path.join(HERE, "split.csv")}')


if __name__ == '__main__':
    main()
