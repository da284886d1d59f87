#!/usr/bin/python3
"""PyTorch on this machine's CPU, one thread, as a peer of the JMH kernels (same sizes, same data
distribution): torch.fake_quantize_per_tensor_affine (read x + write out: 8 B/element) and
torch.var_mean (read x: 4 B/element). Run with Debian's python3-torch:
    /usr/bin/python3 bench/torch_cpu.py [OUT_PREFIX]      (default bench/results/torch-cpu)
Writes OUT_PREFIX.json and OUT_PREFIX.md. Timing: best and median of repeated calls after warm-up."""
import json, os, platform, statistics, sys, time
import torch

torch.set_num_threads(1)
sizes = [4096, 262144, 4194304, 16777216]
if os.environ.get("KURE_DRAM"):
    sizes.append(268435456)
prefix = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "torch-cpu")
rows = []
g = torch.Generator().manual_seed(0x6B757265)
for n in sizes:
    x = torch.randn(n, generator=g, dtype=torch.float32)
    cases = {
        "fake_quantize_per_tensor_affine": (lambda: torch.fake_quantize_per_tensor_affine(x, 0.03, 0, -128, 127), 8),
        "var_mean": (lambda: torch.var_mean(x, unbiased=False), 4),
    }
    for name, (fn, bpe) in cases.items():
        reps = max(3, int(2e8 // (n * bpe)))
        for _ in range(max(2, reps // 4)):
            fn()
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(reps):
                fn()
            times.append((time.perf_counter() - t0) / reps)
        best, med = min(times), statistics.median(times)
        rows.append({"op": name, "size": n, "bytes_per_element": bpe, "seconds_best": best, "seconds_median": med,
                     "gbps_best": n * bpe / best / 1e9, "gbps_median": n * bpe / med / 1e9})
        print(f"{name:34s} n={n:>10d}  {n * bpe / med / 1e9:7.2f} GB/s (median)  {n * bpe / best / 1e9:7.2f} (best)", flush=True)
meta = {"torch": torch.__version__, "threads": torch.get_num_threads(), "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(), "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
with open(prefix + ".json", "w") as f:
    json.dump({"meta": meta, "rows": rows}, f, indent=1)
with open(prefix + ".md", "w") as f:
    f.write(f"# PyTorch {meta['torch']} on the CPU, {meta['threads']} thread ({meta['date']})\n\n")
    f.write("| op | size (floats) | GB/s median | GB/s best |\n|---|---:|---:|---:|\n")
    for r in rows:
        f.write(f"| {r['op']} | {r['size']} | {r['gbps_median']:.2f} | {r['gbps_best']:.2f} |\n")
print("wrote", prefix + ".json", prefix + ".md")
