#!/usr/bin/env python3
"""DOP image restoration in plain PyTorch: the yardstick dop-bench measures dop-restore against.

The paper's algorithm (You, Zhu, Qu, Ma, NeurIPS 2020) written directly on torch.nn, as
a Python user would write it: the Deep Image Prior "skip" generator f(theta; z), the
sparse term g*g - h*h, the mean squared error, and plain SGD with step tau for the
network and alpha*tau for g, h. No composition, no output average, no step rule: the
published schedule, so that `dop-bench speed` compares the tool with what a user of the
paper's method would otherwise run. docs/algorithm.md section 1 describes the model.

Prints one JSON object on stdout: final_psnr, iters, seconds, sec_per_iter, params,
input_psnr, history [{iter, loss, psnr, t}]. Progress goes to stderr.
Needs /usr/bin/python3 with python3-torch and python3-opencv (tools/install-deps.sh --bench).
"""
import argparse
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def block(cin, cout, kernel, stride=1):
    """Reflection-padded convolution, BatchNorm, LeakyReLU(0.2)."""
    pad = [nn.ReflectionPad2d(kernel // 2)] if kernel > 1 else []
    return nn.Sequential(*pad, nn.Conv2d(cin, cout, kernel, stride), nn.BatchNorm2d(cout),
                         nn.LeakyReLU(0.2))


class Level(nn.Module):
    """One level of the U-Net: skip branch, down branch (and the levels below), join."""

    def __init__(self, cin, width, skip, inner):
        super().__init__()
        self.skip = block(cin, skip, 1)
        self.down = nn.Sequential(block(cin, width, 3, 2), block(width, width, 3))
        self.inner = inner
        self.join_norm = nn.BatchNorm2d(skip + width)
        self.join = nn.Sequential(block(skip + width, width, 3), block(width, width, 1))

    def forward(self, x):
        d = self.down(x)
        if self.inner is not None:
            d = self.inner(d)
        d = F.interpolate(d, scale_factor=2, mode="bilinear", align_corners=False)
        return self.join(self.join_norm(torch.cat([self.skip(x), d], 1)))


class SkipNet(nn.Module):
    def __init__(self, channels_in=32, channels_out=3, width=128, skip=4, levels=5):
        super().__init__()
        level = None
        for i in reversed(range(levels)):
            level = Level(channels_in if i == 0 else width, width, skip, level)
        self.levels = level
        self.head = nn.Conv2d(width, channels_out, 1)

    def forward(self, z):
        return torch.sigmoid(self.head(self.levels(z)))


def python_name(name):
    """The name in SkipNet here of a parameter named `name` in dop::SkipNet (dop_core):
    level K is K times nested, and dop_core numbers each block's layers without the
    padding and activation modules."""
    if name.startswith("head.0."):
        return "head." + name.split(".")[-1]
    kind, layer, what = name.split(".")
    level = int(kind.lstrip("skipdownj"))
    kind = kind.rstrip("0123456789")
    layers = {"skip": {0: "skip.0", 1: "skip.1"},
              "down": {0: "down.0.1", 1: "down.0.2", 3: "down.1.1", 4: "down.1.2"},
              "join": {0: "join_norm", 1: "join.0.1", 2: "join.0.2", 4: "join.1.0",
                       5: "join.1.1"}}[kind]
    return "levels." + "inner." * level + layers[int(layer)] + "." + what


def load_start(folder, net):
    """The starting point dop-bench agree wrote: the network's parameters (dop_core's
    names), z, g, h and the padded observation y, as float32 in state.bin, indexed by
    state.json."""
    with open(folder + "/state.json") as f:
        index = json.load(f)["tensors"]
    blob = np.fromfile(folder + "/state.bin", dtype=np.float32)
    tensors = {e["name"]: torch.from_numpy(
        blob[e["offset"]:e["offset"] + int(np.prod(e["shape"]))].reshape(e["shape"]).copy())
        for e in index}
    params = dict(net.named_parameters())
    with torch.no_grad():
        for name, value in tensors.items():
            if name not in ("z", "g", "h", "y"):
                params[python_name(name)].copy_(value)
    return tensors["z"], tensors["g"], tensors["h"], tensors["y"]


def read_image(path):
    """C x H x W float32 in [0, 1], RGB order; alpha is left out."""
    import cv2
    im = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if im is None:
        sys.exit(f"cannot read {path}")
    im = im.astype(np.float32) / (65535.0 if im.dtype == np.uint16 else 255.0)
    im = im[:, :, None] if im.ndim == 2 else im[:, :, 2::-1]
    return np.ascontiguousarray(im.transpose(2, 0, 1))


def centre_crop(path, side):
    import cv2
    im = cv2.imread(path, cv2.IMREAD_COLOR)[:, :, ::-1].astype(np.float32) / 255.0
    h, w = im.shape[:2]
    s = min(h, w)
    im = im[(h - s) // 2:(h - s) // 2 + s, (w - s) // 2:(w - s) // 2 + s]
    if s != side:
        im = cv2.resize(im, (side, side), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(im.transpose(2, 0, 1))


def corrupt(clean, kind, amount, rng):
    noisy = clean.copy()
    u = rng.random(clean.shape)
    if kind == "sp":
        noisy[u < amount / 2] = 0.0
        noisy[(u >= amount / 2) & (u < amount)] = 1.0
    else:
        hit = u < amount
        noisy[hit] = rng.random(int(hit.sum()))
    return noisy.astype(np.float32)


def psnr(a, b):
    mse = float(np.mean((a - b) ** 2))
    return 10.0 * math.log10(1.0 / mse) if mse > 0 else float("inf")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--noisy", help="the damaged image; --image is then its clean version")
    p.add_argument("--image", help="clean image: centre-cropped to --size and damaged here "
                   "(without --noisy); a synthetic image when absent")
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--noise", choices=["sp", "rv"], default="sp")
    p.add_argument("--nlevel", type=float, default=0.5, help="damaged fraction")
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--iters", type=int, default=200)
    p.add_argument("--lr", type=float, default=1.0, help="network step tau")
    p.add_argument("--alpha", type=float, default=500.0, help="g, h step = alpha * tau")
    p.add_argument("--plain", action="store_true", help="DIP: no g, h")
    p.add_argument("--l1", action="store_true", help="DIP-L1: no g, h; L1 loss")
    p.add_argument("--adam", action="store_true", help="Adam for the network (the DIP baselines)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--every", type=int, default=50, help="iterations between PSNR samples")
    p.add_argument("--time-limit", type=float, default=0.0, help="seconds; 0 = none")
    p.add_argument("--timing-only", action="store_true", help="no PSNR samples")
    p.add_argument("--jitter", type=float, default=1.0 / 30.0,
                   help="standard deviation of the noise added to z at each step")
    p.add_argument("--start", help="folder with the starting point written by dop-bench agree "
                   "(network, z, g, h, y); the output then also lists every step's loss "
                   "and the norms of g and h after it")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    if a.noisy:
        noisy = read_image(a.noisy)
        clean = read_image(a.image) if a.image else noisy
    else:
        if a.image:
            clean = centre_crop(a.image, a.size)
        else:
            yy, xx = np.mgrid[0:a.size, 0:a.size] / a.size
            clean = np.stack([0.5 + 0.4 * np.sin(6 * xx), 0.5 + 0.4 * np.cos(5 * yy),
                              (xx + yy) / 2]).astype(np.float32)
        noisy = corrupt(clean, a.noise, a.nlevel, rng)

    device = torch.device(a.device)
    channels, height, width = clean.shape
    pad = ((-width) % 32, (-height) % 32)  # the network needs multiples of 32
    y = F.pad(torch.from_numpy(noisy)[None], (0, pad[0], 0, pad[1]), mode="reflect")
    if a.start:
        with open(a.start + "/state.json") as f:
            channels = [e["shape"][1] for e in json.load(f)["tensors"] if e["name"] == "y"][0]
    net = SkipNet(channels_out=channels, width=a.width)
    z = torch.rand(1, 32, y.shape[2], y.shape[3]) * 0.1
    g = torch.randn_like(y) * 1e-5
    h = torch.randn_like(y) * 1e-5
    if a.start:
        z, g, h, y = load_start(a.start, net)
        height, width = y.shape[2], y.shape[3]
        clean = noisy = y[0].numpy()
    net, y, z = net.to(device), y.to(device), z.to(device)
    g, h = g.to(device).requires_grad_(), h.to(device).requires_grad_()
    sparse = not (a.plain or a.l1)
    step = torch.optim.Adam if a.adam else torch.optim.SGD
    net_opt = step(net.parameters(), lr=a.lr)
    sparse_opt = torch.optim.SGD([g, h], lr=a.lr * a.alpha)

    history = []
    losses = []
    norms = []  # of g and h after each step (with --start)
    start = time.perf_counter()
    for it in range(a.iters):
        net_opt.zero_grad()
        sparse_opt.zero_grad()
        x = net(z + torch.randn_like(z) * a.jitter if a.jitter > 0 else z)
        fit = x + g * g - h * h if sparse else x
        loss = F.l1_loss(fit, y) if a.l1 else F.mse_loss(fit, y)
        if a.start:
            losses.append(loss.item())
        loss.backward()
        net_opt.step()
        if sparse:
            sparse_opt.step()
        if a.start:
            norms.append([g.norm().item(), h.norm().item()])
        late = a.time_limit > 0 and time.perf_counter() - start > a.time_limit
        if not a.timing_only and (it % a.every == 0 or it == a.iters - 1 or late):
            out = x.detach()[0, :, :height, :width].cpu().numpy()
            history.append({"iter": it, "loss": loss.item(), "psnr": psnr(out, clean),
                            "t": time.perf_counter() - start})
            print(json.dumps(history[-1]), file=sys.stderr, flush=True)
        if late:
            break
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    done = it + 1
    result = x.detach()[0, :, :height, :width].clamp(0, 1).cpu().numpy()
    print(json.dumps({"final_psnr": psnr(result, clean), "iters": done, "seconds": seconds,
                      "sec_per_iter": seconds / done, "size": [height, width],
                      "width": a.width, "params": sum(t.numel() for t in net.parameters()),
                      "input_psnr": None if a.start else psnr(noisy, clean), "history": history,
                      "losses": losses, "gh_norms": norms}))


if __name__ == "__main__":
    main()
