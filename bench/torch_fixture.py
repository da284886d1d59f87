#!/usr/bin/python3
"""Writes the PyTorch parity fixture used by TorchParityTest: inputs and PyTorch's own
fake_quantize_per_tensor_affine / fake_quantize_per_channel_affine outputs, as raw little-endian
float32 files under src/test/resources/dev/kure/torch/. Run with Debian's python3-torch:
    /usr/bin/python3 bench/torch_fixture.py
Finite inputs only: PyTorch's CPU kernel casts NaN/Inf to int64 (undefined behaviour)."""
import os, sys
import numpy as np
import torch

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "dev", "kure", "torch")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(20201207)
n = 8192

def inputs(scale, qmin, qmax, z):
    k = rng.integers(qmin - z - 4, qmax - z + 4, size=n)
    parts = [
        (k + 0.5) * scale,                       # ties in real arithmetic (x * (1/s) may round off them)
        k * scale,                               # levels and bounds
        rng.normal(0, (qmax - qmin) * scale / 4, size=n),
        np.nextafter((k + 0.5) * scale, np.inf),
    ]
    x = np.concatenate(parts).astype(np.float32)
    return x

configs = [(0.03, 0, -128, 127), (0.1, 3, -128, 127), (0.0173, 128, 0, 255), (0.25, -2, -8, 7), (1e-3, 7, -20, 13)]
with open(os.path.join(out, "configs.txt"), "w") as f:
    f.write("# name scale zero_point qmin qmax (per tensor); torch " + torch.__version__ + "\n")
    for i, (s, z, lo, hi) in enumerate(configs):
        x = inputs(np.float32(s), lo, hi, z)
        y = torch.fake_quantize_per_tensor_affine(torch.from_numpy(x), float(np.float32(s)), z, lo, hi).numpy()
        x.astype("<f4").tofile(os.path.join(out, f"t{i}.x.f32"))
        y.astype("<f4").tofile(os.path.join(out, f"t{i}.y.f32"))
        f.write(f"t{i} {repr(float(np.float32(s)))} {z} {lo} {hi}\n")
    # per channel along axis 1 of [16, 4, 64]
    scales = np.array([0.01, 0.05, 0.1, 0.3], dtype=np.float32)
    zps = np.array([0, 5, -3, 100], dtype=np.int32)
    x = rng.normal(0, 4, size=(16, 4, 64)).astype(np.float32)
    x[0, :, :8] = (np.arange(8) + 0.5)[None, :] * scales[:, None]
    y = torch.fake_quantize_per_channel_affine(torch.from_numpy(x), torch.from_numpy(scales),
                                               torch.from_numpy(zps), 1, -128, 127).numpy()
    x.astype("<f4").tofile(os.path.join(out, "c0.x.f32"))
    y.astype("<f4").tofile(os.path.join(out, "c0.y.f32"))
    f.write("c0 axis=1 shape=16,4,64 scales=" + ",".join(repr(float(v)) for v in scales)
            + " zero_points=" + ",".join(str(int(v)) for v in zps) + " qmin=-128 qmax=127\n")
print("wrote", out)
