#!/usr/bin/python3
"""The composition variants measured against each other on the study's cases.

Reads cases/<case>/{clean,noisy}.png and the 2,200-iteration snapshot (f and S) that
run.sh saves, and prints, per case and on average, the PSNR of the network output and of
each variant of the composition x = (1 - w) y' + w m (docs/algorithm.md, section 3).
Variants build on each other; the last one is what src/compose.cpp does (its numbers
match dop-bench compose to about 0.05 dB). Rejected ideas are listed after it.

    /usr/bin/python3 docs/results/compose/variants.py docs/results/compose/cases
"""
import math
import os
import sys

import cv2
import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)


def imread(path):
    """An image as float C x H x W in [0, 1], channels as the tool has them: 8-bit scaled by
    1/255, float (the TIFFs of `dop-bench compose --save`) as they are."""
    a = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    a = a[None] if a.ndim == 2 else a[:, :, ::-1].transpose(2, 0, 1)
    scale = 255.0 if a.dtype == np.uint8 else 1.0
    return torch.from_numpy(np.ascontiguousarray(a.astype(np.float32) / scale))


def psnr(a, x):
    mse = float(((a.clamp(0, 1) - x) ** 2).mean())
    return float('inf') if mse == 0 else 10 * math.log10(1 / mse)


def gauss(t, sigma):
    r = max(1, int(math.ceil(3 * sigma)))
    g = torch.exp(-torch.arange(-r, r + 1, dtype=torch.float32) ** 2 / (2 * sigma ** 2))
    g /= g.sum()
    c = t.shape[0]
    t = F.pad(t[None], (r, r, r, r), mode='replicate')
    t = F.conv2d(t, g.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    return F.conv2d(t, g.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)[0]


def loo_mean(v, w, sigma):
    """Leave-one-out Gaussian-weighted local mean of v with weights w."""
    r = max(1, int(math.ceil(3 * sigma)))
    g = torch.exp(-torch.arange(-r, r + 1, dtype=torch.float32) ** 2 / (2 * sigma ** 2))
    c0 = float((g[r] / g.sum()) ** 2)
    return (gauss(w * v, sigma) - c0 * w * v) / (gauss(w, sigma) - c0 * w).clamp_min(1e-6)


def unfold(t, r):
    c, h, w = t.shape
    return F.unfold(F.pad(t[None], (r, r, r, r), mode='replicate'), 2 * r + 1).view(
        c, (2 * r + 1) ** 2, h, w)


def neighbours(v, p, guide=None, fallback=None, r=2, sr=0.05):
    """Leave-one-out average of v over the 5x5 neighbours weighted by (1 - p), Gaussian
    distance (sigma 1) and, with a guide, likeness in the guide's channel mean; where no
    intact neighbour is near it leans to `fallback` (0 when None)."""
    k = 2 * r + 1
    ys, xs = torch.meshgrid(torch.arange(k) - r, torch.arange(k) - r, indexing='ij')
    w = torch.exp(-(ys ** 2 + xs ** 2).float() / 2).view(1, -1, 1, 1).clone()
    w[0, k * k // 2] = 0
    if guide is not None:
        gm = guide.mean(0, keepdim=True)
        w = w * torch.exp(-((unfold(gm, r) - gm[:, None]) ** 2) / (2 * sr * sr))
    q = unfold(1 - p, r)
    base = torch.zeros_like(v) if fallback is None else fallback
    return ((w * q * unfold(v, r)).sum(1) + 0.01 * base) / ((w * q).sum(1) + 0.01)


def residual_fill(y, f, p, guide):
    """f plus the neighbours' residuals y - f (the first fill)."""
    return f + neighbours(y - f, p, guide)


def leak_fill(y, f, p, guide=None):
    """The neighbours' y plus beta times f's own detail; beta from the leak test."""
    my, fb = neighbours(y, p, guide, f), neighbours(f, p, guide, f)
    detail, damage = f - fb, y - my
    leak = float((p * detail * damage).sum() / ((p * damage ** 2).sum() + 100 * (damage ** 2).mean()))
    beta = min(max(1 - min(max(leak, 0.0), 1.0) / 0.1, 0.0), 1.0)
    return my + beta * detail


def value_density(y, p, floor=0.01):
    idx = (y.clamp(0, 1) * 255).round().long().flatten()
    h = torch.zeros(256).index_add_(0, idx, p.flatten())
    h = h / max(float(h.sum()), 1e-6) * 256
    hb = gauss(h.view(1, 1, 256), 2.0).view(256)
    return ((0.5 * h + 0.5 * hb) * (1 - floor) + floor)[idx].view_as(y)


def neighbour_prior(p, rho):
    nb = loo_mean(p, torch.ones_like(p), 1.0).clamp(0, 1)
    idx = (nb * 9).round().long().flatten()
    num = torch.zeros(10).index_add_(0, idx, p.flatten())
    cnt = torch.zeros(10).index_add_(0, idx, torch.ones(idx.numel()))
    return ((num + 10 * rho) / (cnt + 10))[idx].view_as(p).clamp(1e-4, 0.999)


def cross_channel(y, m, p):
    if y.shape[0] < 2:
        return m
    q, r = 1 - p, y - m
    oq = q.sum(0, keepdim=True) - q
    orr = ((q * r).sum(0, keepdim=True) - q * r) / oq.clamp_min(1e-6)
    share = oq / (y.shape[0] - 1)
    lam = float((q * share * r * orr).sum() / (q * share * orr ** 2).sum().clamp_min(1e-12))
    return m + lam * share * orr


def wiener(y, f, p, m):
    q, d = 1 - p, y - f
    local = gauss(q * (y - m) ** 2, 2.0) / gauss(q, 2.0).clamp_min(1e-6)
    sn2 = float(local.flatten().kthvalue(max(1, int(0.1 * local.numel()))).values)
    v = gauss(q * d * d, 2.0) / gauss(q, 2.0).clamp_min(1e-6)
    return f + (v - sn2).clamp_min(0) / v.clamp_min(1e-12) * d


def compose(y, f, s, spatial_detection=True, leak=True, prior_from=4, xchan=True,
            dense=True, oracle=None):
    """The composition with switches for each of its parts (all on: src/compose.cpp)."""
    p = (s.abs() / ((y - f).abs() + 1e-6)).clamp(0, 1)
    for it in range(8):
        if oracle is not None:
            p = oracle
            break
        if leak:
            m = leak_fill(y, f, p, None if spatial_detection else f)
        else:
            m = residual_fill(y, f, p, None if spatial_detection else f)
        dev = (y - m).abs()
        b = loo_mean(dev, 1 - p, 1.0).clamp_min(1e-3)
        intact = torch.exp(-dev / b) / (2 * b)
        rho = float(p.mean().clamp(1e-4, 0.999))
        prior = neighbour_prior(p, rho) if 0 <= prior_from <= it else torch.full_like(p, rho)
        damaged = prior * value_density(y, p)
        p = damaged / (damaged + (1 - prior) * intact)
    if leak:
        first = (1 - p) * y + p * leak_fill(y, f, p)
        m = leak_fill(y, f, p, first)
    else:
        m = residual_fill(y, f, p, f)
    if xchan:
        m = cross_channel(y, m, p)
    kept = wiener(y, f, p, m) if dense else y
    return (1 - p) * kept + p * m


VARIANTS = [
    ('B blend |S|/0.02', None),
    ('C EM, residual fill', dict(spatial_detection=False, leak=False, prior_from=-1, xchan=False)),
    ('D +leak test, spatial detection', dict(prior_from=-1, xchan=False)),
    ('E +neighbour prior', dict(xchan=False)),
    ('F +other channels (the tool)', dict()),
    ('  F without the dense-noise step', dict(dense=False)),
    ('  F with the neighbour prior from the start', dict(prior_from=0)),
    ('  F with detection guided by f', dict(spatial_detection=False)),
]


def main(folder):
    names = sorted(c for c in os.listdir(folder) if os.path.exists(f'{folder}/{c}/2200.pt'))
    header = ['case', 'A network f'] + [v[0] for v in VARIANTS] + ['oracle mask, F fill']
    print(','.join(header))
    sums = np.zeros(len(header) - 1)
    finite = 0
    for c in names:
        snap = torch.load(f'{folder}/{c}/2200.pt')
        f, s = snap['f'], snap['s']
        y, x = imread(f'{folder}/{c}/noisy.png'), imread(f'{folder}/{c}/clean.png')
        row = [psnr(f, x), psnr((1 - (s.abs() / 0.02).clamp(max=1)) * y +
                                (s.abs() / 0.02).clamp(max=1) * f, x)]
        row += [psnr(compose(y, f, s, **kw), x) for _, kw in VARIANTS[1:]]
        # Detection's upper bound: the true mask (meaningless under dense noise, where
        # every sample differs from the clean one, and on the clean image).
        damaged = (y != x).float()
        sparse_only = c.endswith('-g0') and float(damaged.mean()) > 0
        row.append(psnr(compose(y, f, s, oracle=damaged), x) if sparse_only else float('nan'))
        print(c + ',' + ','.join(f'{v:.2f}' for v in row), flush=True)
        if all(math.isfinite(v) for v in row):
            sums += row
            finite += 1
    print('mean of the ' + str(finite) + ' sparse-only cases,' +
          ','.join(f'{v / finite:.2f}' for v in sums))


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'cases'))
