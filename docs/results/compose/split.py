#!/usr/bin/python3
"""Where the no-early-stopping change comes from: f or S.

For every case of no-early-stopping.sh (its snapshots at 2,200 and 6,600 iterations in
nes/<case>/), composes the network output f of one iteration with DOP's sparse estimate
S = g*g - h*h of the other, with the tool's composition (`dop-bench compose`), and counts
against the known damage (the samples where noisy.png differs from clean.png) the damaged
samples the detection missed and the intact ones it took for damage (weight >= 0.5), and
the mean |S| over the intact samples; and composes each iteration's own pair with the
detection started from the residual |y - f| alone (`--start residual`), which does not read
S. Writes split.csv; the mixed snapshots and the
composed maps go to nes/<case>/split/ (not kept).

    DOP_BENCH=build/tools/bench/dop-bench /usr/bin/python3 docs/results/compose/split.py

Needs the snapshots (no-early-stopping.sh, about two hours) and /usr/bin/python3 with
python3-torch and python3-opencv.
"""
import csv
import glob
import os
import subprocess
import sys

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
BENCH = os.environ.get('DOP_BENCH', os.path.join(ROOT, 'build', 'tools', 'bench', 'dop-bench'))
ITERATIONS = ('2200', '6600')


def read(path):
    """An image as float H x W x C in [0, 1], channels in the file's order (as OpenCV reads)."""
    im = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if im is None:
        sys.exit(f'split.py: cannot read {path}')
    if im.ndim == 2:
        im = im[:, :, None]
    scale = 255.0 if im.dtype == np.uint8 else 65535.0 if im.dtype == np.uint16 else 1.0
    return im.astype(np.float64) / scale


def as_file_order(t):
    """A C x H x W tensor (RGB) as H x W x C in OpenCV's channel order (BGR)."""
    a = t.double().numpy().transpose(1, 2, 0)
    return a[:, :, ::-1] if a.shape[2] >= 3 else a


def compose(case_dir, snapshot, save, start='sparse'):
    out = subprocess.run([BENCH, 'compose', os.path.join(case_dir, 'clean.png'),
                          os.path.join(case_dir, 'noisy.png'), snapshot, '--save', save,
                          '--start', start],
                         check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[1].split(',')[2])


def main():
    rows = []
    for case_dir in sorted(glob.glob(os.path.join(HERE, 'nes', '*', ''))):
        case = os.path.basename(os.path.dirname(case_dir))
        if not all(os.path.exists(os.path.join(case_dir, f'{i}.pt')) for i in ITERATIONS):
            continue
        clean = read(os.path.join(case_dir, 'clean.png'))
        noisy = read(os.path.join(case_dir, 'noisy.png'))
        damaged = clean != noisy
        snaps = {i: torch.load(os.path.join(case_dir, f'{i}.pt')) for i in ITERATIONS}
        work = os.path.join(case_dir, 'split')
        os.makedirs(work, exist_ok=True)
        row = {'case': case}
        for fi in ITERATIONS:
            for si in ITERATIONS:
                mixed = dict(snaps[fi])
                mixed['s'] = snaps[si]['s']
                name = f'f{fi}-s{si}'
                path = os.path.join(work, f'{name}.pt')
                torch.save(mixed, path)
                row[f'composed_{name}'] = round(compose(case_dir, path, work), 4)
                if fi == si:
                    found = read(os.path.join(work, f'{name}-w.tiff')) >= 0.5
                    row[f'missed_{fi}'] = int((damaged & ~found).sum())
                    row[f'false_{fi}'] = int((~damaged & found).sum())
                    s = np.abs(as_file_order(snaps[si]['s']))
                    row[f'intact_abs_s_{fi}'] = round(float(s[~damaged].mean()), 5)
        for i in ITERATIONS:
            row[f'residual_start_{i}'] = round(
                compose(case_dir, os.path.join(case_dir, f'{i}.pt'), work, 'residual'), 4)
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
