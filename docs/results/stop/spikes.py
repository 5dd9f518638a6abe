#!/usr/bin/python3
"""Spikes of the damaged values: variants of the damaged-value law on the study's snapshots.

The detection's damaged-value law is a histogram of the values of the samples deemed
damaged, half of it smoothed (Gaussian, 2 bins). Salt, pepper, a dead pixel's 0 and a
scratch's grey are single values: smoothing them gives likelihood of damage to intact
samples a few levels away (a dark field next to pepper, a bright one next to salt). A spike
is a bin holding at least 0.5% of the damaged mass and 5 times the mean of the 3 bins on
either side. Variants, each with the intact law's tail as the tool has it:

  smoothed      the law before: the whole histogram half smoothed
  sharp         spikes kept as they are, the rest half smoothed (the tool's)
  sharp-2%      the same with spikes from 2% of the mass (a short scratch's grey is not one)
  only-spikes   where spikes hold 90% of the mass, nothing but the spikes (and a 0.01%
                floor): the switching median's rule, "damaged only at those values"
  spikes+flat   spikes kept, the rest spread evenly over all values
  less-intact   spikes kept, the rest less its least-squares share shaped like the intact
                samples' values (false alarms look like the image, impulses do not)

Prints per case and iteration the composed PSNR of each, the fraction found damaged with
the first two, and the true fraction.

    /usr/bin/python3 docs/results/stop/spikes.py docs/results/stop/cases 400 2200 > spikes.csv
    /usr/bin/python3 docs/results/stop/spikes.py docs/results/compose/unseen 2200
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'compose'))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from variants import gauss, imread, psnr  # noqa: E402
from tail import compose, detect  # noqa: E402

torch.set_num_threads(1)
FLOOR = 0.01


def spike_bins(h, share=0.005, ratio=5.0, reach=3):
    k = 2 * reach + 1
    around = F.pad(h.view(1, 1, -1), (reach, reach)).view(-1).unfold(0, k, 1).sum(1) - h
    count = F.pad(torch.ones(1, 1, h.numel()), (reach, reach)).view(-1).unfold(0, k, 1).sum(1) - 1
    return (h > 0) & (h >= share * h.sum()) & (h >= ratio * around / count)


def smoothed(h):
    return 0.5 * h + 0.5 * gauss(h.view(1, 1, -1), 2.0).view(-1)


def law(mode):
    def density(y, p):
        idx = (y.clamp(0, 1) * 255).round().long().flatten()
        h = torch.zeros(256).index_add_(0, idx, p.flatten())
        h = h / max(float(h.sum()), 1e-6) * 256
        spike = spike_bins(h, share=0.02) if mode == 'sharp-2%' else spike_bins(h)
        spikes = torch.where(spike, h, torch.zeros_like(h))
        rest = h - spikes
        floor = FLOOR
        if mode == 'smoothed':
            u = smoothed(h)
        elif mode in ('sharp', 'sharp-2%'):
            u = spikes + smoothed(rest)
        elif mode == 'only-spikes':
            u = smoothed(h)
            if float(spikes.sum()) >= 0.9 * float(h.sum()):
                u, floor = spikes / max(float(spikes.sum()), 1e-6) * 256, 1e-4
        elif mode == 'spikes+flat':
            u = spikes + float(rest.mean())
        else:  # 'less-intact'
            intact = torch.zeros(256).index_add_(0, idx, (1 - p).flatten())
            intact = intact / max(float(intact.sum()), 1e-6) * 256
            a = torch.stack([torch.ones(256), intact], 1)
            sol = torch.linalg.lstsq(a, rest.view(-1, 1)).solution.view(-1)
            c = float(sol[1]) if float(sol[0]) >= 0 else float((rest * intact).sum() / (intact * intact).sum())
            u = spikes + smoothed((rest - max(c, 0.0) * intact).clamp_min(0))
        return (u * (1 - floor) + floor)[idx].view_as(y)
    return density


VARIANTS = ['smoothed', 'sharp', 'sharp-2%', 'only-spikes', 'spikes+flat', 'less-intact']


def main(folder, iterations):
    names = sorted(c for c in os.listdir(folder)
                   if os.path.exists(f'{folder}/{c}/{iterations[-1]}.pt'))
    print('case,iteration,' + ','.join(VARIANTS) + ',found smoothed,found sharp,true')
    for c in names:
        y, x = imread(f'{folder}/{c}/noisy.png'), imread(f'{folder}/{c}/clean.png')
        for it in iterations:
            snap = torch.load(f'{folder}/{c}/{it}.pt')
            f, s = snap['f'], snap['s']
            values, found = [], []
            for v in VARIANTS:
                p = detect(y, f, s, tail=0.05, where_rare=True, density=law(v))
                values.append(psnr(compose(y, f, p), x))
                found.append(float((p > 0.5).float().mean()))
            print(f'{c},{it},' + ','.join(f'{v:.2f}' for v in values) +
                  f',{found[0]:.4f},{found[1]:.4f},{float((y != x).float().mean()):.4f}', flush=True)


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'cases'),
         [int(a) for a in sys.argv[2:]] or [400, 2200])
