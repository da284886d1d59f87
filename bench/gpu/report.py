#!/usr/bin/env python3
"""Merges GpuBench (Java) and torch_bench.py JSON into a markdown table with the issue's targets.

Usage: report.py KURE.json TORCH.json OUT.md [JUNIT_SUMMARY.txt]
Targets (issue 4): fake-quant >= 0.85x copy and >= 1.3x PyTorch; learnable backward >= 2x PyTorch;
moments >= 0.85x the read baseline; KURE over ResNet-50 >= 5x PyTorch autograd.
"""
import json
import sys


def main():
    k = json.load(open(sys.argv[1]))
    t = json.load(open(sys.argv[2])) if sys.argv[2] != "-" else {}
    rows = []

    def ratio(name, ours, base, base_name, target):
        if ours is None or base is None:
            rows.append((name, base_name, "n/a", f">= {target}", "not measured"))
            return
        r = base["ms"] / ours["ms"]
        rows.append((name, base_name, f"{r:.2f}x", f">= {target}x", "PASS" if r >= target else "MISS"))

    ratio("fake-quant per tensor", k.get("fake_quant_per_tensor"), k.get("copy_dtod"), "Kure cuMemcpyDtoD", 0.85)
    ratio("fake-quant per tensor", k.get("fake_quant_per_tensor"), t.get("fake_quant_per_tensor"),
          "torch.fake_quantize_per_tensor_affine", 1.3)
    ratio("learnable backward", k.get("learnable_backward"), t.get("learnable_backward"),
          "torch _fake_quantize_learnable_per_tensor_affine_backward", 2.0)
    ratio("moments", k.get("moments"), k.get("read_reduce"), "Kure read-only reduction", 0.85)
    ratio("KURE ResNet-50 (53 tensors)", k.get("kure_resnet50"), t.get("kure_resnet50"), "torch autograd", 5.0)

    lines = [f"# Kure GPU benchmarks", "",
             f"- Kure: {k.get('device')}", f"- PyTorch: {t.get('torch')} (CUDA {t.get('cuda')}) on {t.get('device')}",
             f"- {k.get('floats')} floats per streaming tensor; Kure: {k.get('timing')}; PyTorch: {t.get('timing')}", "",
             "| kernel | Kure ms | Kure GB/s | PyTorch ms | PyTorch GB/s |", "|---|---:|---:|---:|---:|"]
    for name in ("copy_dtod", "read_reduce", "fake_quant_per_tensor", "learnable_backward", "moments",
                 "kure_resnet50", "kure_resnet50_unprepared"):
        a, b = k.get(name), t.get(name)
        f = lambda e, key: f"{e[key]:.4f}" if e and key == "ms" else (f"{e[key]:.1f}" if e else "")
        lines.append(f"| {name} | {f(a, 'ms')} | {f(a, 'GBps')} | {f(b, 'ms')} | {f(b, 'GBps')} |")
    lines += ["", "| target | baseline | ratio (baseline time / Kure time) | target | verdict |", "|---|---|---:|---:|---|"]
    lines += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows]
    if len(sys.argv) > 4:
        lines += ["", "## GPU tests", "", "```", open(sys.argv[4]).read().strip(), "```"]
    open(sys.argv[3], "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
