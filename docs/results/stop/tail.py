#!/usr/bin/python3
"""The intact law's tail: detection variants on the stop study's snapshots.

Reads cases/<case>/{clean,noisy}.png and the 700- and 2,200-iteration snapshots that
run.sh saves, and prints per case the composed PSNR with the detection as it was (a Laplace
intact law) and with each variant, then the mean over the damaged cases. The fill is the
tool's (held-out beta, other channels); the composition follows ../compose/variants.py.
Also prints, for the detection before and after, the intact samples taken for damage
(w > 0.5 where the true mask is clean) at 2,200 iterations.

    /usr/bin/python3 docs/results/stop/tail.py docs/results/stop/cases
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'compose'))
from variants import (cross_channel, imread, leak_fill, loo_mean, neighbour_prior,  # noqa: E402
                      neighbours, psnr, value_density, wiener)

torch.set_num_threads(1)
SHARES = [0.0, 0.25, 0.5, 0.75, 1.0]


def detect(y, f, s, floor=0.01, hard=False, tail=0.0, wide=10.0, where_rare=False, density=None):
    """EM detection; `density(y, p)` replaces the damaged values' law when given."""
    p = (s.abs() / ((y - f).abs() + 1e-6)).clamp(0, 1)
    for it in range(8):
        dev = (y - leak_fill(y, f, p)).abs()
        b = loo_mean(dev, 1 - p, 1.0).clamp_min(1e-3)
        u = density(y, p) if density else value_density(y, (p > 0.5).float() if hard else p, floor)
        t = tail * (1 - u).clamp(0, 1) if where_rare else torch.full_like(u, tail)
        intact = (1 - t) * torch.exp(-dev / b) / (2 * b) + t * torch.exp(-dev / (wide * b)) / (2 * wide * b)
        rho = float(p.mean().clamp(1e-4, 0.999))
        prior = neighbour_prior(p, rho) if it >= 4 else torch.full_like(p, rho)
        damaged = prior * u
        p = damaged / (damaged + (1 - prior) * intact)
    return p


def hold_out(like):
    c, i, j = (torch.arange(n) for n in like.shape)
    return (((c.view(-1, 1, 1) * 5 + i.view(1, -1, 1) * 7 + j.view(1, 1, -1) * 3) % 16) == 0).float()


def final_fill(y, f, p):
    """The tool's final fill: beta chosen on held-out intact samples, at most the leak test's."""
    first = (1 - p) * y + p * leak_fill(y, f, p)
    my, fb = neighbours(y, p, first, f), neighbours(f, p, first, f)
    leak = float((p * (f - fb) * (y - my)).sum() /
                 ((p * (y - my) ** 2).sum() + 100 * ((y - my) ** 2).mean()))
    unleaked = min(max(1 - min(max(leak, 0.0), 1.0) / 0.1, 0.0), 1.0)
    held = hold_out(y) * (p < 0.5).float()
    wo = torch.maximum(p, held)
    g = (1 - wo) * y + wo * leak_fill(y, f, wo)
    hy, hf = neighbours(y, wo, g, f), neighbours(f, wo, g, f)
    err = [float((held * (y - cross_channel(y, hy + b * (f - hf), wo)) ** 2).sum()) for b in SHARES]
    k = min(range(len(SHARES)), key=lambda i: err[i])
    share = SHARES[k]
    if 0 < k < len(SHARES) - 1:
        curvature = err[k - 1] - 2 * err[k] + err[k + 1]
        if curvature > 0:
            share += max(-0.25, min(0.25, 0.125 * (err[k - 1] - err[k + 1]) / curvature))
    return cross_channel(y, my + min(share, unleaked) * (f - fb), p)


def compose(y, f, p):
    m = final_fill(y, f, p)
    return (1 - p) * wiener(y, f, p, m) + p * m


VARIANTS = [
    ('Laplace (before)', dict()),
    ('floor 0.1%', dict(floor=0.001)),
    ('histogram from w>0.5', dict(hard=True)),
    ('tail 5% x10 everywhere', dict(tail=0.05)),
    ('tail 2% x5 where rare', dict(tail=0.02, wide=5.0, where_rare=True)),
    ('tail 5% x10 where rare (the tool)', dict(tail=0.05, where_rare=True)),
]
ITERATIONS = (700, 2200)


def main(folder):
    names = sorted(c for c in os.listdir(folder) if os.path.exists(f'{folder}/{c}/2200.pt'))
    print('case,' + ','.join(f'{v} @{i}' for v, _ in VARIANTS for i in ITERATIONS) +
          ',taken for damage before,after')
    sums, damaged_cases = [0.0] * (len(VARIANTS) * len(ITERATIONS)), 0
    for c in names:
        y, x = imread(f'{folder}/{c}/noisy.png'), imread(f'{folder}/{c}/clean.png')
        row, taken = [], []
        for it in ITERATIONS:
            snap = torch.load(f'{folder}/{c}/{it}.pt')
            f, s = snap['f'], snap['s']
            for k, (_, kw) in enumerate(VARIANTS):
                p = detect(y, f, s, **kw)
                row.append((k, it, psnr(compose(y, f, p), x)))
                if it == 2200 and k in (0, len(VARIANTS) - 1):
                    taken.append(int(((p > 0.5) & (y == x)).sum()))
        row.sort()
        values = [v for _, _, v in row]
        print(c + ',' + ','.join(f'{v:.2f}' for v in values) + f',{taken[0]},{taken[1]}', flush=True)
        if bool((y != x).any()):
            sums = [a + b for a, b in zip(sums, values)]
            damaged_cases += 1
    print(f'mean of the {damaged_cases} damaged cases,' +
          ','.join(f'{v / damaged_cases:.2f}' for v in sums) + ',,')


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'cases'))
