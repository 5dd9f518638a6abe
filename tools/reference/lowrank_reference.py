#!/usr/bin/env python3
"""Low-rank DOP in plain PyTorch: the yardstick for `dop-bench lowrank curves`.

Y = X* + S* (X* = V V^T of rank r, S* symmetric and sparse, values in [-10, 10]) is
fitted as X = U U^T with U n-by-n (no rank given) plus S = g*g - h*h, by gradient descent
on 1/4 ||U U^T + g*g - h*h - Y||_F^2 with step tau for U and alpha*tau for g, h
(alpha = sqrt(n)); compared with convex robust PCA (inexact augmented Lagrangian,
lambda = 1/alpha) and the l1-loss factorisation at r' = r and r' = n. Its own random
draw: the numbers agree with dop-bench's in distribution, not digit for digit.
Prints one JSON object. Needs /usr/bin/python3 with python3-torch.
"""
import argparse
import json
import math
import time

import torch


def problem(n, r, p, seed):
    gen = torch.Generator().manual_seed(seed)
    v = torch.randn(n, r, generator=gen, dtype=torch.float64)
    low_rank = v @ v.T
    hit = torch.triu(torch.rand(n, n, generator=gen, dtype=torch.float64) < p)
    values = torch.triu((torch.rand(n, n, generator=gen, dtype=torch.float64) * 2 - 1) * 10)
    sparse = torch.where(hit | hit.T, values + torch.triu(values, 1).T, torch.zeros(n, n,
                                                                                   dtype=torch.float64))
    return low_rank, low_rank + sparse


def solve_dop(y, alpha, tau, iters, eps, seed):
    n = y.shape[0]
    gen = torch.Generator().manual_seed(seed + 1)
    u = eps * torch.randn(n, n, generator=gen, dtype=torch.float64) / math.sqrt(n)
    g = torch.full_like(y, eps)
    h = torch.full_like(y, eps)
    for _ in range(iters):
        residual = u @ u.T + g * g - h * h - y
        u = u - tau * residual @ u
        g, h = g - alpha * tau * residual * g, h + alpha * tau * residual * h
    return u @ u.T


def solve_rpca(y, lam, iters=1000, tol=1e-9):
    spectral = torch.linalg.matrix_norm(y, 2)
    mu, rho = 1.25 / spectral, 1.5
    dual = y / max(spectral, y.abs().max() / lam)
    s = torch.zeros_like(y)
    for _ in range(iters):
        a, sv, bt = torch.linalg.svd(y - s + dual / mu, full_matrices=False)
        x = a @ torch.diag(torch.clamp(sv - 1 / mu, min=0)) @ bt
        t = y - x + dual / mu
        s = torch.sign(t) * torch.clamp(t.abs() - lam / mu, min=0)
        gap = y - x - s
        dual = dual + mu * gap
        mu = min(mu * rho, 1e7)
        if torch.linalg.norm(gap) / torch.linalg.norm(y) < tol:
            break
    return x


def solve_l1(y, rank, iters, lr, seed):
    n = y.shape[0]
    gen = torch.Generator().manual_seed(seed + 2)
    u = torch.randn(n, rank, generator=gen, dtype=torch.float64) / math.sqrt(n)
    for k in range(iters):
        sign = torch.sign(u @ u.T - y)
        u = u - lr * 0.99 ** (k // 100) * (sign + sign.T) @ u / n
    return u @ u.T


def relative(a, b):
    return float(torch.linalg.norm(a - b) / torch.linalg.norm(b))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=50)
    p.add_argument("--r", type=int, default=3)
    p.add_argument("--p", type=float, default=0.1)
    p.add_argument("--iters", type=int, default=20000)
    p.add_argument("--eps", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(1)
    truth, y = problem(a.n, a.r, a.p, a.seed)
    alpha = math.sqrt(a.n)
    tau = 0.25 / float(torch.linalg.matrix_norm(y, 2))
    start = time.perf_counter()
    x_dop = solve_dop(y, alpha, tau, a.iters, a.eps, a.seed)
    seconds = time.perf_counter() - start
    x_rpca = solve_rpca(y, 1 / alpha)
    print(json.dumps({
        "n": a.n, "r": a.r, "p": a.p, "alpha": alpha, "tau": tau, "iters": a.iters,
        "dop_seconds": seconds, "dop_rel_err_X": relative(x_dop, truth),
        "rpca_rel_err_X": relative(x_rpca, truth), "dop_vs_rpca": relative(x_dop, x_rpca),
        "l1_rank_r_rel_err": relative(solve_l1(y, a.r, 5000, 0.05, a.seed), truth),
        "l1_rank_n_rel_err": relative(solve_l1(y, a.n, 5000, 0.05, a.seed), truth)}))


if __name__ == "__main__":
    main()
