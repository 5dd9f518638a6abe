"""How far a DOP step is from what this CPU can do: the floating-point work of one step of
the network at a given size and width, the speed of a large matrix product (sgemm), and,
for every 3x3 convolution of the network, forward and backward through oneDNN (what
dop_core and the Python reference use) against im2col + one matrix product.
usage: /usr/bin/python3 docs/results/speed/floor/floor.py [--size 256] [--width 64]
       [--threads 2] [--repeats 5]"""
import argparse
import time

import torch
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--size", type=int, default=256)
parser.add_argument("--width", type=int, default=64)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--repeats", type=int, default=5)
parser.add_argument("--input-channels", type=int, default=32)
parser.add_argument("--skip", type=int, default=4)
parser.add_argument("--scales", type=int, default=5)
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)


def best_of(fn, repeats=args.repeats):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


# The layers of the skip network (include/dop/skip_net.hpp), as
# (name, kind, in, out, side of the input, stride); the 1x1 ones are matrix products.
layers = []
w, side, cin = args.width, args.size, args.input_channels
for level in range(args.scales):
    layers.append((f"L{level} skip 1x1", "1x1", cin, args.skip, side, 1))
    layers.append((f"L{level} down 3x3/2", "3x3", cin, w, side, 2))
    layers.append((f"L{level} down 3x3", "3x3", w, w, side // 2, 1))
    layers.append((f"L{level} join 3x3", "3x3", w + args.skip, w, side, 1))
    layers.append((f"L{level} join 1x1", "1x1", w, w, side, 1))
    cin, side = w, side // 2
layers.append(("head 1x1", "1x1", w, 3, args.size, 1))


def flops(kind, cin, cout, side, stride):
    out = (side // stride) ** 2
    return 2 * (9 if kind == "3x3" else 1) * cin * cout * out


def reads_input(name):
    """The layers that read z, whose gradient no step needs."""
    return name.startswith("L0 ") and ("skip" in name or "3x3/2" in name)


def step_flops(kind, cin, cout, side, stride, first):
    # forward, the gradient of the weights, and (not for the first layer) of the input
    return flops(kind, cin, cout, side, stride) * (2 if first else 3)


total = sum(step_flops(k, i, o, s, st, reads_input(n)) for n, k, i, o, s, st in layers)

n = 4096
a, b = torch.randn(n, n), torch.randn(n, n)
sgemm = 2 * n ** 3 / best_of(lambda: torch.mm(a, b), 3) / 1e9

print(f"# {args.size}x{args.size}, width {args.width}, {args.threads} thread(s), torch {torch.__version__}")
print(f"one step of the network: {total / 1e9:.1f} GFLOP (forward, weight and input gradients)")
print(f"sgemm {n}x{n}: {sgemm:.0f} GFLOP/s; the step at that speed: {total / sgemm / 1e9 * 1e3:.0f} ms")
print()
print("| layer | GFLOP fwd+bwd | oneDNN ms | oneDNN GFLOP/s | im2col+mm ms | im2col+mm GFLOP/s |")
print("|---|---|---|---|---|---|")
sum_onednn = sum_im2col = sum_best = sum_pointwise = 0.0
for name, kind, cin, cout, side, stride in layers:
    first = reads_input(name)
    work = step_flops(kind, cin, cout, side, stride, first)
    x = torch.randn(1, cin, side, side, requires_grad=not first)
    if kind == "1x1":
        weight = torch.randn(cout, cin, requires_grad=True)

        def pointwise():
            y = torch.mm(weight, x.reshape(cin, -1))
            y.backward(torch.ones_like(y))
        t = best_of(pointwise)
        sum_pointwise += t
        print(f"| {name} {cin}→{cout} at {side}² | {work / 1e9:.2f} | (matrix product) {t * 1e3:.1f} | {work / t / 1e9:.0f} | | |")
        continue
    weight = torch.randn(cout, cin, 3, 3, requires_grad=True)
    padded = F.pad(x.detach(), (1, 1, 1, 1), mode="reflect").requires_grad_(not first)

    def onednn():
        y = F.conv2d(padded, weight, stride=stride)
        y.backward(torch.ones_like(y))

    def im2col():
        cols = F.unfold(padded, 3, stride=stride)  # 1 x cin*9 x out
        y = torch.matmul(weight.reshape(cout, -1), cols)
        y.backward(torch.ones_like(y))
    t1, t2 = best_of(onednn), best_of(im2col)
    sum_onednn += t1
    sum_im2col += t2
    sum_best += min(t1, t2)
    print(f"| {name} {cin}→{cout} at {side}² | {work / 1e9:.2f} | {t1 * 1e3:.1f} | {work / t1 / 1e9:.0f} "
          f"| {t2 * 1e3:.1f} | {work / t2 / 1e9:.0f} |")
print()
print(f"3x3 convolutions: oneDNN {sum_onednn * 1e3:.0f} ms, im2col+mm {sum_im2col * 1e3:.0f} ms, "
      f"the faster of the two per layer {sum_best * 1e3:.0f} ms; 1x1 as matrix products {sum_pointwise * 1e3:.0f} ms")
