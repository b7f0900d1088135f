#!/usr/bin/env python3
"""PyTorch reference for bench/e2e.sh: the whole training loop of
`phasespace train --sde cld` (defaults: HSM, mixed score, eps weighting)
and the SSCS sampling loop of `phasespace sample --sampler sscs`, written
from docs/method.md and docs/samplers.md (CLD: Dockhorn, Vahdat & Kreis,
ICLR 2022, §3 and App. B.1; SSCS: §3.3), with the networks of
bench/torch_ref.py.

Training step (one per optimiser update):
  data      8gaussians (8 isotropic Gaussians, means 4/1.414·(cos, sin)(kπ/4),
            std 0.5/1.414) or MNIST-shaped uint8 images (an IDX directory or
            random pixels) in a seeded per-epoch order, dequantised
            2(p + u)/256 − 1;
  time      t ~ U[loss_eps, 1], one per sample;
  kernel    per sample, in float64 (as phasespace): B = β₀t + β₁t²/2,
            Φ = e^{Bτ/2}(I + B(A − τ/2·I)) (critical damping, Δ = 0),
            Σ_t = ΦΣ₀Φᵀ + D·I₀ + (ND + DNᵀ)·I₁ + NDNᵀ·I₂ + eps·I (HSM
            Σ₀ = diag(0, γM), N = A − τ/2·I, I_k = ∫₀ᴮ r^k e^{τr} dr;
            docs/method.md), L = chol(Σ_t), ℓ_t = 1/L₂₂;
  perturb   (x_t, v_t) = Φ(x₀, 0) + L(εˣ, εᵛ);
  target    mixed score s_v = −ℓ_t·o − v_t/Σᵛᵛ, conditional score
            s* = −L⁻ᵀε, so o* = (s*_v + v_t/Σᵛᵛ)/(−ℓ_t) = εᵛ − v_t/(Σᵛᵛℓ_t);
  loss      eps weighting: batch mean of Σ_coords (o − o*)², in float64;
  update    backward, global-norm clip (1.0), Adam (lr 1e-3), EMA with decay
            min(0.999, (1 + n)/(10 + n)), one loss/grad-norm row logged.

Sampling (SSCS, uniform grid t_k = 1 − k(1 − ε)/(N − 1), score at the step
start, both half-steps over the first half's ∫β, one Euler denoising step
of the reverse-SDE drift from ε to 0; N = NFE):
  prior     x ~ N(0, 1), v ~ N(0, M);
  A(h)      u ← e^{hA_S}u + chol(Σ_S(h))ξ, A_S = −A − DΣ∞⁻¹, Σ_S(h) =
            ∫₀ʰ e^{rA_S} D e^{rA_Sᵀ} dr (Van Loan's block exponential);
  S(Δ)      v ← v + β·2Γ·(s_v + v/M)·Δ (x unchanged: D = diag(0, 2Γ)).

Modes (one line each):
  --task train-mlp|train-unet  → "train-<model> torch THREADS ms/step steps/s params"
  --task sample-mlp|sample-unet → "sample-<model> torch THREADS samples/s NFE N"
  --check-kernel FILE...        compares this script's kernel with
                                `phasespace kernel -t T --json` outputs.
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_ref import EMA, MLP, UNet  # noqa: E402  (same networks as bench/engine.sh)


class CLD:
    """CLD with constant-or-linear β, critical damping, HSM, numerical eps."""

    def __init__(self, beta0=4.0, beta1=0.0, m_inv=4.0, gamma=0.04, eps=1e-9):
        self.beta0, self.beta1, self.m_inv, self.gam, self.eps = beta0, beta1, m_inv, gamma, eps
        self.M = 1 / m_inv
        self.Gamma = 2 / math.sqrt(m_inv)  # critical damping
        self.A = torch.tensor([[0.0, m_inv], [-1.0, -self.Gamma * m_inv]], dtype=torch.float64)
        self.D = torch.tensor([[0.0, 0.0], [0.0, 2 * self.Gamma]], dtype=torch.float64)
        self.sinf = torch.tensor([[1.0, 0.0], [0.0, self.M]], dtype=torch.float64)

    def beta(self, t):
        return self.beta0 + self.beta1 * t

    def B(self, t):
        return self.beta0 * t + 0.5 * self.beta1 * t * t

    def kernel(self, t):
        """Per-sample kernel entries for a float64 tensor t: Φ (4 tensors),
        Σ with eps (3), L (3)."""
        B = self.B(t)
        tau = -self.Gamma * self.m_inv  # trace A; Δ = τ²/4 − det A = 0
        e = torch.exp(B * tau / 2)
        # Φ = e^{Bτ/2}(I + B(A − τ/2 I))
        pxx = e * (1 + B * (0 - tau / 2))
        pxv = e * B * self.m_inv
        pvx = e * B * (-1.0)
        pvv = e * (1 + B * (-self.Gamma * self.m_inv - tau / 2))
        # Σ = ΦΣ₀Φᵀ + ∫₀ᴮ e^{rA} D e^{rAᵀ} dr with e^{rA} = e^{−μr}(I + rN),
        # μ = −τ/2, N = A + μI nilpotent: the integral is D·I₀ + (ND + DNᵀ)·I₁
        # + NDNᵀ·I₂, I_k = ∫₀ᴮ r^k e^{−2μr} dr (docs/method.md), which keeps
        # full precision as t → 0 where Σ∞ + Φ(Σ₀ − Σ∞)Φᵀ cancels.
        mu, G, mi, gm = -tau / 2, self.Gamma, self.m_inv, self.gam * self.M
        i0, i1, i2 = (self._ik(k, 2 * mu, B) for k in range(3))
        sxx = gm * pxv * pxv + 2 * G * mi * mi * i2 + self.eps
        sxv = gm * pxv * pvv + 2 * G * mi * i1 - 2 * G * mi * mu * i2
        svv = gm * pvv * pvv + 2 * G * i0 - 4 * G * mu * i1 + 2 * G * mu * mu * i2 + self.eps
        l11 = torch.sqrt(sxx)
        l21 = sxv / l11
        l22 = torch.sqrt(svv - l21 * l21)
        return (pxx, pxv, pvx, pvv), (sxx, sxv, svv), (l11, l21, l22)

    @staticmethod
    def _ik(k, a, B):
        """I_k = ∫₀ᴮ r^k e^{−ar} dr: the series Σ_j (−a)^j B^{k+j+1}/(j!(k+j+1))
        for aB ≤ 1, else k!/a^{k+1}·(1 − e^{−aB}Σ_{j≤k}(aB)^j/j!)."""
        x = a * B
        series = torch.zeros_like(B)
        term = B ** (k + 1)  # (−a)^j B^{k+j+1}/j!
        for j in range(30):
            series = series + term / (k + j + 1)
            term = term * (-x) / (j + 1)
        part = sum(x ** j / math.factorial(j) for j in range(k + 1))
        closed = math.factorial(k) / a ** (k + 1) * (1 - torch.exp(-x) * part)
        return torch.where(x <= 1, series, closed)

    def split_step(self, h):
        """Mean map and Cholesky factor of SSCS's A half-step over ∫β = h."""
        AS = -self.A - self.D @ torch.linalg.inv(self.sinf)
        C = torch.zeros(4, 4, dtype=torch.float64)
        C[:2, :2], C[:2, 2:], C[2:, 2:] = AS * h, self.D * h, -AS.T * h
        E = torch.linalg.matrix_exp(C)
        mean = E[:2, :2]
        cov = E[:2, 2:] @ mean.T
        cov = (cov + cov.T) / 2
        return mean, torch.linalg.cholesky(cov)


def sample_8gaussians(n, gen):
    k = torch.randint(0, 8, (n,), generator=gen)
    a = k.double() * math.pi / 4
    means = torch.stack([4 * torch.cos(a) / 1.414, 4 * torch.sin(a) / 1.414], 1)
    return means + (0.5 / 1.414) * torch.randn(n, 2, generator=gen, dtype=torch.float64)


def read_idx_images(d):
    for stem in ("train-images-idx3-ubyte",):
        p = os.path.join(d, stem)
        if os.path.exists(p):
            raw = open(p, "rb").read()
            n, h, w = struct.unpack(">III", raw[4:16])
            return torch.frombuffer(bytearray(raw[16:16 + n * h * w]), dtype=torch.uint8).reshape(n, h * w)
    raise SystemExit(f"{d}: no train-images-idx3-ubyte")


class ImageSource:
    """Seeded per-epoch permutation, uniform dequantisation to [−1, 1]."""

    def __init__(self, pixels, gen):
        self.pix, self.gen, self.perm, self.epoch = pixels, gen, None, -1

    def batch(self, n, step):
        N = self.pix.shape[0]
        rows = torch.arange(step * n, step * n + n)
        idx = torch.empty(n, dtype=torch.long)
        for e in torch.unique(rows // N).tolist():
            if e != self.epoch:
                self.perm, self.epoch = torch.randperm(N, generator=self.gen), e
            sel = rows // N == e
            idx[sel] = self.perm[rows[sel] % N]
        p = self.pix[idx].double()
        u = torch.rand(p.shape, generator=self.gen, dtype=torch.float64)
        return 2 * (p + u) / 256 - 1


def train(args):
    gen = torch.Generator().manual_seed(args.seed)
    torch.manual_seed(args.seed)
    sde = CLD(eps=args.numerical_eps)
    if args.task == "train-mlp":
        d, net, batch = 2, MLP(4, 2), args.batch or 512
        data = lambda step: sample_8gaussians(batch, gen)  # noqa: E731
    else:
        pix = read_idx_images(args.images) if args.images else \
            torch.randint(0, 256, (2048, 784), generator=gen, dtype=torch.uint8)
        side = int(round(math.sqrt(pix.shape[1])))
        d, batch = side * side, args.batch or 64
        chans = (32, 64, 128) if side % 4 == 0 else (32, 64)
        net = UNet(2, 1, chans, 2, 8, 0.1, 128)
        src = ImageSource(pix, gen)
        data = lambda step: src.batch(batch, step)  # noqa: E731
    params = list(net.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    ema = EMA(params)
    lo = args.loss_eps
    log = open(os.devnull, "w") if not args.log else open(args.log, "w")
    net.train()

    def step(k):
        x0 = data(k)  # batch × d, float64
        t = lo + (1 - lo) * torch.rand(batch, generator=gen, dtype=torch.float64)
        (pxx, _, pvx, _), (_, _, svv), (l11, l21, l22) = sde.kernel(t)
        ex = torch.randn(batch, d, generator=gen, dtype=torch.float64)
        ev = torch.randn(batch, d, generator=gen, dtype=torch.float64)
        c = lambda q: q[:, None]  # noqa: E731  per-sample scalar over coordinates
        xt = c(pxx) * x0 + c(l11) * ex
        vt = c(pvx) * x0 + c(l21) * ex + c(l22) * ev
        ell = 1 / l22
        s_star = -ev / c(l22)
        target = (s_star + vt / c(svv)) / (-c(ell))
        if args.task == "train-mlp":
            inp = torch.cat([xt, vt], 1).float()
        else:
            inp = torch.stack([xt, vt], 1).reshape(batch, 2, side, side).float()
        out = net(inp, t.float()).reshape(batch, d)
        loss = ((out.double() - target) ** 2).sum(1).mean()
        opt.zero_grad(set_to_none=False)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        ema.update()
        log.write(f"{k + 1},{loss.item():.8g},{gnorm.item():.6g}\n")

    for k in range(args.warmup):
        step(k)
    t0 = time.perf_counter()
    for k in range(args.warmup, args.warmup + args.steps):
        step(k)
    el = time.perf_counter() - t0
    nparams = sum(p.numel() for p in params)
    print(f"{args.task} torch {args.threads} {1000 * el / args.steps:.3f} {args.steps / el:.3f} {nparams}")


@torch.no_grad()
def sample(args):
    gen = torch.Generator().manual_seed(args.seed)
    torch.manual_seed(args.seed)
    sde = CLD(eps=args.numerical_eps)
    n, nfe, eps = args.n, args.nfe, 1e-3
    if args.task == "sample-mlp":
        d, net = 2, MLP(4, 2)
        shape = lambda x, v: torch.cat([x, v], 1)  # noqa: E731
    else:
        side = args.side
        d = side * side
        chans = (32, 64, 128) if side % 4 == 0 else (32, 64)
        net = UNet(2, 1, chans, 2, 8, 0.1, 128)
        shape = lambda x, v: torch.stack([x, v], 1).reshape(n, 2, side, side)  # noqa: E731
    net.eval()

    def score_v(x, v, t):
        tt = torch.tensor([t], dtype=torch.float64)
        _, (_, _, svv), (_, _, l22) = sde.kernel(tt)
        o = net(shape(x, v).float(), torch.full((n,), t, dtype=torch.float32)).reshape(n, d).double()
        return -o / l22.item() - v / svv.item()

    def half(x, v, h):
        mean, ch = sde.split_step(h)
        xi = torch.randn(2, n, d, generator=gen, dtype=torch.float64)
        return (mean[0, 0] * x + mean[0, 1] * v + ch[0, 0] * xi[0],
                mean[1, 0] * x + mean[1, 1] * v + ch[1, 0] * xi[0] + ch[1, 1] * xi[1])

    def run():
        x = torch.randn(n, d, generator=gen, dtype=torch.float64)
        v = math.sqrt(sde.M) * torch.randn(n, d, generator=gen, dtype=torch.float64)
        ts = [1 - k * (1 - eps) / (nfe - 1) for k in range(nfe)]
        for t0, t1 in zip(ts[:-1], ts[1:]):
            dt = t0 - t1
            h = sde.B(t0) - sde.B(t0 - dt / 2)  # first half's ∫β, used twice
            x, v = half(x, v, h)
            s = score_v(x, v, t0)
            v = v + sde.beta(t0) * 2 * sde.Gamma * (s + v / sde.M) * dt
            x, v = half(x, v, h)
        # denoising: u ← u + β(ε)[−Au + D s(u, ε)]ε
        s = score_v(x, v, eps)
        b = sde.beta(eps) * eps
        x, v = x - b * sde.m_inv * v, v + b * (x + sde.Gamma * sde.m_inv * v + 2 * sde.Gamma * s)
        return x

    for _ in range(args.warmup):
        run()
    t0 = time.perf_counter()
    for _ in range(max(1, args.steps)):
        x = run()
    el = (time.perf_counter() - t0) / max(1, args.steps)
    assert torch.isfinite(x).all()
    print(f"{args.task} torch {args.threads} {n / el:.2f} {nfe} {n}")


def check_kernel(files):
    """Max relative differences against `phasespace kernel --json` outputs."""
    worst = 0.0
    for path in files:
        k = json.load(open(path))
        pr = k["process"]
        sde = CLD(pr["beta0"], pr["beta1"], pr["m_inv"], pr["gamma"], pr["numerical_eps"])
        (pxx, pxv, pvx, pvv), (sxx, sxv, svv), (l11, l21, l22) = sde.kernel(torch.tensor([k["t"]], dtype=torch.float64))
        pairs = [(pxx, k["phi"][0][0]), (pxv, k["phi"][0][1]), (pvx, k["phi"][1][0]), (pvv, k["phi"][1][1]),
                 (sxx, k["sigma"][0][0]), (sxv, k["sigma"][0][1]), (svv, k["sigma"][1][1]),
                 (l11, k["L"][0][0]), (l21, k["L"][1][0]), (l22, k["L"][1][1]), (1 / l22, k["ell"])]
        rel = max(abs(a.item() - b) / max(abs(b), 1e-300) for a, b in pairs)
        worst = max(worst, rel)
        print(f"kernel t = {k['t']}: max relative |torch − phasespace| over Φ, Σ, L, ℓ = {rel:.2e}")
    # SSCS half-step against docs/method.md (TestSplitStepVectors, h = 0.04).
    mean, ch = CLD().split_step(0.04)
    cov = ch @ ch.T
    ref_m = [[0.9969656541, -0.1476986154], [0.0369246539, 0.8492670387]]
    ref_c = [6.057643004e-4, -5.453720249e-3, 6.832294419e-2]
    rs = max(max(abs(mean[i][j].item() - ref_m[i][j]) / abs(ref_m[i][j]) for i in range(2) for j in range(2)),
             max(abs(a - b) / abs(b) for a, b in zip([cov[0, 0].item(), cov[0, 1].item(), cov[1, 1].item()], ref_c)))
    print(f"SSCS half-step h = 0.04: max relative difference from docs/method.md's values = {rs:.2e}")
    if worst > 1e-9 or rs > 1e-8:
        raise SystemExit("torch_e2e: the kernel maths differ from phasespace's")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", choices=["train-mlp", "train-unet", "sample-mlp", "sample-unet"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=50, help="timed training steps, or timed sampling runs")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--batch", type=int, default=0)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--nfe", type=int, default=200)
    ap.add_argument("--side", type=int, default=14, help="sample-unet: image side")
    ap.add_argument("--images", help="train-unet: directory with train-images-idx3-ubyte (default: random pixels)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--loss-eps", type=float, default=1e-5)
    ap.add_argument("--numerical-eps", type=float, default=1e-9)
    ap.add_argument("--log", help="write step,loss,grad_norm rows here")
    ap.add_argument("--check-kernel", nargs="+", metavar="JSON")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.check_kernel:
        check_kernel(args.check_kernel)
    elif args.task.startswith("train"):
        train(args)
    elif args.task:
        sample(args)


if __name__ == "__main__":
    main()
