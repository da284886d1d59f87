#!/usr/bin/env python3
"""PyTorch baselines for the Kure GPU benchmarks, on the same GPU and sizes as GpuBench.java.

Usage: torch_bench.py OUT.json [floats]      (default 2**28 floats = 1 GiB per tensor)
Times with CUDA events: median over rounds of (reps calls) / reps, after warm-up.
  copy_dtod               y.copy_(x)                                         (reference)
  fake_quant_per_tensor   torch.fake_quantize_per_tensor_affine(x, 0.05, 0, -128, 127)
  learnable_backward      aten._fake_quantize_learnable_per_tensor_affine_backward(dy, x, s, z, -128, 127, 1.0)
  kure_resnet50           the KURE reference formula over ResNet-50's 53 conv weight shapes:
                          K_i = mean(((W - mean) / std)^4) (std unbiased), loss = mean((K_i - 1.8)^2),
                          loss.backward() (forward + backward per call, grads accumulate)
"""
import json
import math
import sys

import torch


def resnet50_conv_shapes():
    s = [(64, 3, 7, 7)]
    inp = 64
    for planes, blocks in ((64, 3), (128, 4), (256, 6), (512, 3)):
        out = planes * 4
        for b in range(blocks):
            s += [(planes, inp, 1, 1), (planes, planes, 3, 3), (out, planes, 1, 1)]
            if b == 0:
                s.append((out, inp, 1, 1))
            inp = out
    return s


def timed(fn, warmup=3, reps=10, rounds=5):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(rounds):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        for _ in range(reps):
            fn()
        b.record()
        b.synchronize()
        ts.append(a.elapsed_time(b) / reps)  # ms
    ts.sort()
    return ts[len(ts) // 2]


def entry(ms, nbytes):
    return {"ms": ms, "GBps": nbytes / (ms * 1e-3) / 1e9}


def main():
    out_path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1 << 28
    dev = torch.device("cuda")
    res = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "cuda": torch.version.cuda,
           "floats": n, "timing": "CUDA events, median of rounds"}
    g = torch.Generator(device=dev).manual_seed(1)
    x = torch.randn(n, device=dev, generator=g)
    y = torch.empty_like(x)
    nbytes = 4.0 * n
    res["copy_dtod"] = entry(timed(lambda: y.copy_(x)), 2 * nbytes)
    res["fake_quant_per_tensor"] = entry(
        timed(lambda: torch.fake_quantize_per_tensor_affine(x, 0.05, 0, -128, 127)), 2 * nbytes)
    del y
    dy = torch.randn(n, device=dev, generator=g)
    scale = torch.tensor([0.05], device=dev)
    zp = torch.tensor([0.0], device=dev)
    bw = torch.ops.aten._fake_quantize_learnable_per_tensor_affine_backward
    res["learnable_backward"] = entry(timed(lambda: bw(dy, x, scale, zp, -128, 127, 1.0), reps=5), 3 * nbytes)
    del x, dy
    torch.cuda.empty_cache()

    shapes = resnet50_conv_shapes()
    assert len(shapes) == 53
    ws = []
    params = 0
    for i, s in enumerate(shapes):
        fan_in = s[1] * s[2] * s[3]
        w = torch.randn(s, device=dev, generator=g) * math.sqrt(2.0 / fan_in)
        ws.append(w.requires_grad_())
        params += w.numel()

    def kure():
        ks = []
        for w in ws:
            f = w.flatten()
            m, sd = f.mean(), f.std()
            ks.append((((f - m) / sd) ** 4).mean())
        loss = torch.stack([(k - 1.8) ** 2 for k in ks]).mean()
        loss.backward()
        return loss

    res["kure_resnet50"] = entry(timed(kure, warmup=10, reps=50), 4.0 * params * 3)
    res["kure_check"] = {"tensors": len(shapes), "params": params, "loss": float(kure().item())}
    with open(out_path, "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
