"""Where the time of a DOP step goes, by operator: the Python reference's step (the same
network and LibTorch kernels as dop_core, without dop_core's fused BatchNorm + LeakyReLU,
strided reflection padding and 1x1 convolutions as matrix products) under torch.profiler,
self CPU time per operator summed over forward and backward.
usage: /usr/bin/python3 docs/results/speed/floor/profile.py [--size 256] [--width 64]
       [--threads 2] [--steps 10]"""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../../tools/reference"))
from dop_reference import SkipNet  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--size", type=int, default=256)
parser.add_argument("--width", type=int, default=64)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--steps", type=int, default=10)
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)
net = SkipNet(width=args.width)
z = torch.rand(1, 32, args.size, args.size) * 0.1
y = torch.rand(1, 3, args.size, args.size)
g = (torch.randn_like(y) * 1e-5).requires_grad_()
h = (torch.randn_like(y) * 1e-5).requires_grad_()
params = list(net.parameters())


def step():
    x = net(z + torch.randn_like(z) / 30)
    loss = F.mse_loss(x + g * g - h * h, y)
    grads = torch.autograd.grad(loss, params + [g, h])
    with torch.no_grad():
        for p, d in zip(params, grads[:-2]):
            p.sub_(d)
        g.sub_(grads[-2], alpha=500)
        h.sub_(grads[-1], alpha=500)


for _ in range(3):
    step()
start = time.perf_counter()
for _ in range(args.steps):
    step()
wall = (time.perf_counter() - start) / args.steps
with profile(activities=[ProfilerActivity.CPU]) as prof:
    for _ in range(args.steps):
        step()
events = prof.key_averages()
total = sum(e.self_cpu_time_total for e in events)
groups = {}
for e in events:
    name = e.key
    group = ("convolution" if "conv" in name or "mkldnn" in name else
             "batch norm" if "batch_norm" in name else
             "leaky relu" if "leaky" in name else
             "reflection pad" if "reflection" in name else
             "upsample" if "upsample" in name else
             "matrix product" if name in ("aten::mm", "aten::addmm", "aten::bmm") else
             "copy, cat, fill, add (memory)" if name in (
                 "aten::copy_", "aten::cat", "aten::fill_", "aten::zero_", "aten::add_",
                 "aten::add", "aten::empty", "aten::zeros_like", "aten::clone", "aten::sub_",
                 "aten::mul", "aten::sub", "aten::mul_", "aten::sum", "aten::narrow",
                 "aten::slice", "aten::randn_like", "aten::normal_", "aten::_to_copy") else
             "other")
    groups[group] = groups.get(group, 0) + e.self_cpu_time_total
print(f"# reference step, {args.size}x{args.size}, width {args.width}, {args.threads} thread(s), "
      f"torch {torch.__version__}: {wall * 1e3:.0f} ms per step without the profiler; the "
      f"operators' own time under it: {total / args.steps / 1e3:.0f} ms")
print("| operators | ms per step | share |")
print("|---|---|---|")
for group, t in sorted(groups.items(), key=lambda kv: -kv[1]):
    print(f"| {group} | {t / args.steps / 1e3:.1f} | {100 * t / total:.0f}% |")
print()
print(events.table(sort_by="self_cpu_time_total", row_limit=15))
