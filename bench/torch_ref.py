#!/usr/bin/env python3
"""PyTorch reference for bench/engine.sh: the same toy MLP and 28x28 U-Net
as phasespace/nn (same layer sizes and parameter counts), timed over full
training steps (forward, MSE, backward, Adam, EMA).

Prints one line: model torch threads ms/step steps/s params

With --check DIR it instead reads DIR/<model>.safetensors and
DIR/<model>-io.safetensors written by `enginebench -dump DIR`, with a strict
reader that applies the reference safetensors validation (header length,
dtype, shape/offset agreement, contiguous non-overlapping data), loads the
weights into the PyTorch model in parameter order (checking every shape),
and compares the inference outputs with the Go engine's.
"""
import json
import struct
import argparse
import math
import time

import torch
import torch.nn as tnn
import torch.nn.functional as F


def sinusoidal(t, dim, scale=1000.0):
    h = dim // 2
    freq = scale * torch.exp(-math.log(10000.0) * torch.arange(h, dtype=torch.float32) / h)
    a = t[:, None] * freq[None, :]
    return torch.cat([torch.sin(a), torch.cos(a)], dim=1)


class MLP(tnn.Module):
    def __init__(self, in_dim=4, out_dim=2, hidden=256, depth=4, tdim=128):
        super().__init__()
        self.tdim = tdim
        layers, d = [], in_dim + tdim
        for _ in range(depth):
            layers += [tnn.Linear(d, hidden), tnn.SiLU()]
            d = hidden
        layers.append(tnn.Linear(d, out_dim))
        self.net = tnn.Sequential(*layers)

    def forward(self, x, t):
        return self.net(torch.cat([x, sinusoidal(t, self.tdim)], dim=1))


class ResBlock(tnn.Module):
    def __init__(self, cin, cout, tdim, groups, dropout):
        super().__init__()
        self.norm1 = tnn.GroupNorm(groups, cin)
        self.conv1 = tnn.Conv2d(cin, cout, 3, padding=1)
        self.temb = tnn.Linear(tdim, cout)
        self.norm2 = tnn.GroupNorm(groups, cout)
        self.drop = tnn.Dropout(dropout)
        self.conv2 = tnn.Conv2d(cout, cout, 3, padding=1)
        self.skip = tnn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, st):
        h = self.conv1(F.silu(self.norm1(x))) + self.temb(st)[:, :, None, None]
        h = self.conv2(self.drop(F.silu(self.norm2(h))))
        return (x if self.skip is None else self.skip(x)) + h


class Attention(tnn.Module):
    def __init__(self, c, groups):
        super().__init__()
        self.norm = tnn.GroupNorm(groups, c)
        self.qkv = tnn.Conv2d(c, 3 * c, 1)
        self.proj = tnn.Conv2d(c, c, 1)

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, c, h * w).unbind(1)
        a = torch.softmax(torch.bmm(q.transpose(1, 2), k) / math.sqrt(c), dim=-1)  # b, hw, hw
        o = torch.bmm(v, a.transpose(1, 2)).reshape(b, c, h, w)
        return x + self.proj(o)


class UNet(tnn.Module):
    def __init__(self, cin=2, cout=2, ch=(32, 64, 128), num_res=2, groups=8, dropout=0.1, tdim=128):
        super().__init__()
        self.tdim = tdim
        self.time = tnn.Sequential(tnn.Linear(tdim, tdim), tnn.SiLU(), tnn.Linear(tdim, tdim), tnn.SiLU())
        self.conv_in = tnn.Conv2d(cin, ch[0], 3, padding=1)
        L = len(ch)
        self.down = tnn.ModuleList()
        cur = ch[0]
        for i in range(L):
            blocks = tnn.ModuleList()
            for _ in range(num_res):
                blocks.append(ResBlock(cur, ch[i], tdim, groups, dropout))
                cur = ch[i]
                if i == L - 1:
                    blocks.append(Attention(cur, groups))
            if i < L - 1:
                blocks.append(tnn.Conv2d(cur, cur, 3, stride=2, padding=1))
            self.down.append(blocks)
        self.mid = tnn.ModuleList([ResBlock(cur, cur, tdim, groups, dropout), Attention(cur, groups),
                                   ResBlock(cur, cur, tdim, groups, dropout)])
        self.up = tnn.ModuleList()
        for i in reversed(range(L)):
            blocks = tnn.ModuleList()
            cur += ch[i]
            for _ in range(num_res):
                blocks.append(ResBlock(cur, ch[i], tdim, groups, dropout))
                cur = ch[i]
                if i == L - 1:
                    blocks.append(Attention(cur, groups))
            if i > 0:
                blocks.append(tnn.Upsample(scale_factor=2, mode="nearest"))
                blocks.append(tnn.Conv2d(cur, cur, 3, padding=1))
            self.up.append(blocks)
        self.out_norm = tnn.GroupNorm(groups, cur)
        self.out_conv = tnn.Conv2d(cur, cout, 3, padding=1)

    def run(self, blocks, h, st, skips=None):
        for blk in blocks:
            h = blk(h, st) if isinstance(blk, ResBlock) else blk(h)
        return h

    def forward(self, x, t):
        st = self.time(sinusoidal(t, self.tdim))
        h = self.conv_in(x)
        skips = []
        L = len(self.down)
        for i, blocks in enumerate(self.down):
            for blk in blocks:
                if isinstance(blk, tnn.Conv2d):  # down-sampling after the skip
                    skips.append(h)
                h = blk(h, st) if isinstance(blk, ResBlock) else blk(h)
            if i == L - 1:
                skips.append(h)
        h = self.run(self.mid, h, st)
        for blocks in self.up:
            h = torch.cat([h, skips.pop()], dim=1)
            h = self.run(blocks, h, st)
        return self.out_conv(F.silu(self.out_norm(h)))


class EMA:
    """phasespace's EMA of params (nn's warm-up rule): the k-th update
    (k = 0, 1, ...) uses the decay min(0.999, (1 + k) / (10 + k))."""

    def __init__(self, params):
        self.params = params
        self.avg = [p.detach().clone() for p in params]
        self.k = 0

    @torch.no_grad()
    def update(self):
        d = min(0.999, (1 + self.k) / (10 + self.k))
        torch._foreach_mul_(self.avg, d)
        torch._foreach_add_(self.avg, self.params, alpha=1 - d)
        self.k += 1


def read_safetensors(path):
    """Strict safetensors reader (the checks of the reference loader)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    assert 8 + n <= len(data), "header larger than file"
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items())
    body = data[8 + n:]
    end, out = 0, {}
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        assert e["dtype"] == "F32", e
        b, en = e["data_offsets"]
        assert b == end, f"{name}: hole or overlap"
        assert en - b == 4 * math.prod(e["shape"]), f"{name}: size mismatch"
        out[name] = torch.frombuffer(bytearray(body[b:en]), dtype=torch.float32).reshape(e["shape"])
        end = en
    assert end == len(body), "trailing bytes"
    order = [k for k, _ in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"])]
    return out, order, meta


def check(model, d):
    import os
    weights, order, meta = read_safetensors(os.path.join(d, model + ".safetensors"))
    io, _, _ = read_safetensors(os.path.join(d, model + "-io.safetensors"))
    spec = json.loads(meta["phasespace.nn.spec"])
    if model == "mlp":
        c = spec["mlp"]
        net = MLP(c["in_dim"], c["out_dim"], c["hidden"], c["depth"], c["time_dim"])
        x = io["x"]
    else:
        c = spec["unet"]
        net = UNet(c["in_channels"], c["out_channels"], tuple(c["channels"]), c["num_res"], c["groups"],
                   c["dropout"], c["time_dim"])
        x = io["x"].reshape(-1, c["in_channels"], c["size"], c["size"])
    params = list(net.parameters())
    assert len(params) == len(order), (len(params), len(order))
    with torch.no_grad():
        for p, name in zip(params, order):
            w = weights[name]
            assert tuple(p.shape) == tuple(w.shape), (name, p.shape, w.shape)
            p.copy_(w)
        net.eval()
        y = net(x, io["t"]).reshape(io["y"].shape)
    err = (y - io["y"]).abs().max().item()
    scale = io["y"].abs().max().item()
    print(f"{model}: {len(order)} tensors loaded, max |torch - go| = {err:.3g} (max |y| = {scale:.3g})")
    if not err <= 1e-4 * max(1.0, scale):
        raise SystemExit(f"{model}: outputs differ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="mlp", choices=["mlp", "unet"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=0)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--batch", type=int, default=0)
    ap.add_argument("--check", metavar="DIR", help="cross-check a model dumped by enginebench -dump DIR")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.check:
        check(args.model, args.check)
        return
    torch.manual_seed(0)
    if args.model == "mlp":
        net, b, steps = MLP(), args.batch or 512, args.steps or 50
        x = torch.randn(b, 4)
        y = torch.randn(b, 2)
    else:
        net, b, steps = UNet(), args.batch or 64, args.steps or 5
        x = torch.randn(b, 2, 28, 28)
        y = torch.randn(b, 2, 28, 28)
    t = torch.rand(b)
    params = list(net.parameters())
    nparams = sum(p.numel() for p in params)
    opt = torch.optim.Adam(params, lr=1e-4)
    ema = EMA(params)

    def step():
        out = net(x, t)
        loss = F.mse_loss(out, y)
        opt.zero_grad(set_to_none=False)
        loss.backward()
        opt.step()
        ema.update()

    net.train()
    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    med = times[len(times) // 2]
    print(f"{args.model} torch {args.threads} {med:.3f} {1000 / med:.2f} {nparams}")


if __name__ == "__main__":
    main()
