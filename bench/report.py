#!/usr/bin/env python3
"""Turn JMH JSON results into a Markdown table with GB/s and baseline ratios, and an SVG plot.

Usage:
    bench/report.py bench/results/NAME.json [MORE.json ...] [-o bench/results/OUT]

Writes OUT.md and OUT.svg (OUT defaults to the first input without .json). Standard library only.

GB/s: every benchmark declares the bytes one operation moves with @Traffic (see bench/README.md);
bench/run.sh dumps those declarations to NAME.traffic.json next to NAME.json. bytes/op is
`bytesPerOp`, or `bytesPerElement * params[sizeParam]`; GB/s = ops/s * bytes/op / 1e9 (decimal GB).
Benchmarks without a declaration are listed with their score only.

Ratios: GB/s divided by the GB/s of BaselineBench.read and BaselineBench.copy at the same `size`
*from the same JSON file* (the same run): ratios across runs on a shared, noisy machine would
mislead. Errors are JMH's 99.9 % confidence half-widths; a ratio's error combines the two relative
errors in quadrature.
"""

import argparse
import json
import math
import os
import re
import sys

READ_BASELINE = "BaselineBench.read"
COPY_BASELINE = "BaselineBench.copy"

# Seconds per unit, for converting JMH score units to operations per second.
TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "\u00b5s": 1e-6, "ns": 1e-9, "min": 60.0}


def ops_per_second(score, error, unit):
    """Convert a JMH score (throughput 'ops/X' or time 'X/op') and its error to ops/s."""
    m = re.fullmatch(r"ops/(\w+)", unit)
    if m and m.group(1) in TIME_UNITS:
        f = 1.0 / TIME_UNITS[m.group(1)]
        return score * f, error * f
    m = re.fullmatch(r"(\w+|\u00b5s)/op", unit)
    if m and m.group(1) in TIME_UNITS:
        t = score * TIME_UNITS[m.group(1)]
        et = error * TIME_UNITS[m.group(1)]
        if t <= 0:
            return float("nan"), float("nan")
        return 1.0 / t, et / (t * t)  # first-order propagation of 1/t
    return None, None


def num(x):
    """JMH writes "NaN" as a string when an error cannot be computed."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def load_traffic(results_path):
    stem = results_path[:-5] if results_path.endswith(".json") else results_path
    path = stem + ".traffic.json"
    if not os.path.exists(path):
        print(f"report: no {path}; GB/s only for the built-in baselines", file=sys.stderr)
        return {
            "dev.kure.bench.BaselineBench.read": {"bytesPerElement": 4, "bytesPerOp": 0,
                                                  "elementBytes": 4, "sizeParam": "size"},
            "dev.kure.bench.BaselineBench.copy": {"bytesPerElement": 8, "bytesPerOp": 0,
                                                  "elementBytes": 4, "sizeParam": "size"},
            "dev.kure.bench.BaselineBench.scalarRead": {"bytesPerElement": 4, "bytesPerOp": 0,
                                                        "elementBytes": 4, "sizeParam": "size"},
        }
    with open(path) as f:
        return json.load(f)


def load_rows(results_path, run_label):
    with open(results_path) as f:
        data = json.load(f)
    traffic = load_traffic(results_path)
    rows = []
    for r in data:
        name = r["benchmark"]
        params = dict(r.get("params") or {})
        pm = r["primaryMetric"]
        score, err, unit = num(pm["score"]), num(pm["scoreError"]), pm["scoreUnit"]
        row = {
            "run": run_label, "name": name, "short": short_name(name), "mode": r["mode"],
            "params": params, "score": score, "error": err, "unit": unit,
            "forks": r.get("forks"), "threads": r.get("threads"),
            "bytes_op": None, "input_bytes": None, "size": None, "gbps": None, "gbps_err": None,
            "alloc": None,
        }
        sec = r.get("secondaryMetrics") or {}
        if "gc.alloc.rate.norm" in sec:
            row["alloc"] = num(sec["gc.alloc.rate.norm"]["score"])
        t = traffic.get(name)
        if t:
            size_param = t.get("sizeParam", "size")
            size = int(params[size_param]) if size_param in params else None
            row["size"] = size
            if t.get("bytesPerOp"):
                row["bytes_op"] = float(t["bytesPerOp"])
            elif t.get("bytesPerElement") and size is not None:
                row["bytes_op"] = float(t["bytesPerElement"]) * size
            if size is not None:
                row["input_bytes"] = size * int(t.get("elementBytes", 4))
            ops, ops_err = ops_per_second(score, err, unit)
            if row["bytes_op"] is not None and ops is not None:
                row["gbps"] = ops * row["bytes_op"] / 1e9
                row["gbps_err"] = ops_err * row["bytes_op"] / 1e9
        elif "size" in params:
            row["size"] = int(params["size"])
        rows.append(row)
    return data, rows


def short_name(name):
    parts = name.split(".")
    return ".".join(parts[-2:]) if len(parts) >= 2 else name


def add_ratios(rows):
    base = {}
    for r in rows:
        if r["short"] in (READ_BASELINE, COPY_BASELINE) and r["gbps"] and r["size"] is not None:
            base[(r["run"], r["short"], r["size"])] = (r["gbps"], r["gbps_err"])
    for r in rows:
        for key, col in ((READ_BASELINE, "x_read"), (COPY_BASELINE, "x_copy")):
            r[col] = None
            b = base.get((r["run"], key, r["size"]))
            if r["short"] == key and b:
                r[col] = (1.0, 0.0)  # the baseline itself
            elif b and r["gbps"]:
                ratio = r["gbps"] / b[0]
                rel = math.hypot(rel_err(r["gbps"], r["gbps_err"]), rel_err(*b))
                r[col] = (ratio, ratio * rel)  # NaN error when either error is unknown


def rel_err(v, e):
    if v is None or e is None or v == 0:
        return float("nan")
    return e / v


def fmt_sig(x, digits=3):
    """Format x with about `digits` significant digits, without scientific notation."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "?"
    if x == 0:
        return "0"
    mag = math.floor(math.log10(abs(x)))
    decimals = max(0, digits - 1 - mag)
    return f"{x:,.{decimals}f}"


def fmt_pm(v, e, digits=3):
    if v is None:
        return "\u2014"
    if e is None or math.isnan(e):
        return f"{fmt_sig(v, digits)} \u00b1 ?"
    # Print the value to the precision of its error (two significant digits of the error).
    if e > 0:
        mag = math.floor(math.log10(e)) - 1
        decimals = max(0, -mag)
        return f"{v:,.{decimals}f} \u00b1 {e:,.{decimals}f}"
    return fmt_sig(v, digits)


def fmt_bytes(b):
    if b is None:
        return "\u2014"
    for unit, f in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= f:
            v = b / f
            return f"{v:g} {unit}" if v == int(v) else f"{v:.3g} {unit}"
    return f"{int(b)} B"


def params_text(params, size_param_hide=False):
    items = [(k, v) for k, v in sorted(params.items()) if not (size_param_hide and k == "size")]
    return ", ".join(f"{k}={v}" for k, v in items) if items else "\u2014"


def sort_key(r):
    baseline_rank = {READ_BASELINE: 0, COPY_BASELINE: 1}.get(r["short"], 2)
    return (r["run"], baseline_rank, r["name"],
            sorted((k, v) for k, v in r["params"].items() if k != "size"),
            r["size"] if r["size"] is not None else -1)


# ---------------------------------------------------------------- machine file

def read_machine(results_path):
    stem = results_path[:-5] if results_path.endswith(".json") else results_path
    path = stem + ".machine.txt"
    if not os.path.exists(path):
        return None, []
    with open(path) as f:
        text = f.read()
    caches = []
    for m in re.finditer(r"^cache cpu0 (L\d) (Data|Unified): (\d+)([KMG]?)", text, re.M):
        mult = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(4)]
        caches.append((m.group(1), int(m.group(3)) * mult))
    return text, caches


# ---------------------------------------------------------------- markdown

def write_markdown(path, inputs, rows, svg_name):
    multi = len(inputs) > 1
    out = []
    title = os.path.basename(path)[:-3]
    out.append(f"# JMH results: {title}\n")
    out.append("Generated by `bench/report.py` from " +
               ", ".join(f"`{os.path.basename(p)}`" for p, _, _ in inputs) + ".\n")
    out.append("- **GB/s** = ops/s \u00d7 bytes/op / 1e9, bytes/op from each benchmark's `@Traffic` "
               "declaration (bytes read + bytes written, each counted once; a copy of n floats is "
               "2 \u00d7 4 \u00d7 n bytes).")
    out.append("- **\u00b1** is JMH's 99.9 % confidence half-width over all forks and iterations; "
               "\u201c?\u201d where JMH could not compute one (a single iteration).")
    out.append("- **\u00d7 read / \u00d7 copy**: GB/s divided by `BaselineBench.read` / "
               "`BaselineBench.copy` at the same size, measured in the same run (the same JSON file).")
    out.append("- **Noise**: the machine is shared with other engineers compiling on the same cores; "
               "the load averages before and after the run are in the machine file. Compare within a run, "
               "with the error column.\n")
    for p, data, _ in inputs:
        if not data:
            continue
        d = data[0]
        out.append(f"**Run `{os.path.basename(p)}`**: JMH {d.get('jmhVersion', '?')}, "
                   f"{d.get('vmName', '?')} {d.get('vmVersion', '?')} (JDK {d.get('jdkVersion', '?')}), "
                   f"forks {d.get('forks')}, threads {d.get('threads')}, "
                   f"warmup {d.get('warmupIterations')} \u00d7 {d.get('warmupTime')}, "
                   f"measurement {d.get('measurementIterations')} \u00d7 {d.get('measurementTime')}, "
                   f"fork JVM args `{' '.join(d.get('jvmArgs') or [])}`.\n")
    out.append(f"![GB/s versus size]({svg_name})\n")
    head = (["run"] if multi else []) + ["benchmark", "params", "input bytes", "bytes/op", "mode",
                                         "score \u00b1 error", "GB/s \u00b1 error", "\u00d7 read", "\u00d7 copy"]
    has_alloc = any(r["alloc"] is not None for r in rows)
    if has_alloc:
        head.append("alloc B/op")
    out.append("| " + " | ".join(head) + " |")
    right = {"input bytes", "bytes/op", "score \u00b1 error", "GB/s \u00b1 error", "\u00d7 read",
             "\u00d7 copy", "alloc B/op"}
    out.append("|" + "|".join("---:" if h in right else "---" for h in head) + "|")
    for r in sorted(rows, key=sort_key):
        cells = ([r["run"]] if multi else []) + [
            f"`{r['short']}`",
            params_text(r["params"]),
            fmt_bytes(r["input_bytes"]),
            fmt_bytes(r["bytes_op"]),
            r["mode"],
            f"{fmt_pm(r['score'], r['error'])} {r['unit']}",
            fmt_pm(r["gbps"], r["gbps_err"]),
            fmt_pm(*r["x_read"]) if r["x_read"] else "\u2014",
            fmt_pm(*r["x_copy"]) if r["x_copy"] else "\u2014",
        ]
        if has_alloc:
            cells.append(fmt_sig(r["alloc"]) if r["alloc"] is not None else "\u2014")
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    for p, _, machine in inputs:
        if machine:
            out.append(f"## Machine (`{os.path.basename(p)[:-5]}.machine.txt`)\n")
            out.append("```")
            out.append(machine.rstrip())
            out.append("```\n")
    with open(path, "w") as f:
        f.write("\n".join(out))


# ---------------------------------------------------------------- SVG

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#7f7f7f"]


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def write_svg(path, rows, caches):
    pts = [r for r in rows if r["gbps"] and r["input_bytes"] and r["gbps"] > 0]
    series = {}
    for r in pts:
        key = r["short"] + (" [" + params_text(r["params"], True) + "]"
                            if any(k != "size" for k in r["params"]) else "")
        if len({q["run"] for q in pts}) > 1:
            key += f" ({r['run']})"
        series.setdefault(key, []).append(r)
    W, H = 900, 540
    left, right, top, bottom = 70, 300, 40, 60
    pw, ph = W - left - right, H - top - bottom
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{left + pw / 2}" y="22" text-anchor="middle" font-size="15">'
           'Throughput (GB/s) versus input size</text>']
    if not pts:
        out.append(f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle">no GB/s data</text></svg>')
        with open(path, "w") as f:
            f.write("\n".join(out))
        return
    xs = [r["input_bytes"] for r in pts]
    def err(r):
        e = r["gbps_err"]
        return e if e is not None and not math.isnan(e) and e < r["gbps"] else 0.0
    ys = [r["gbps"] for r in pts] + [r["gbps"] - err(r) for r in pts] + \
         [r["gbps"] + err(r) for r in pts]
    x0, x1 = math.log2(min(xs)) - 1, math.log2(max(xs)) + 1
    y0 = math.floor(math.log10(max(min(ys), 1e-3)))
    y1 = math.ceil(math.log10(max(ys)))
    if y1 - y0 < 1:
        y1 = y0 + 1

    def X(b):
        return left + (math.log2(b) - x0) / (x1 - x0) * pw

    def Y(g):
        g = max(g, 10 ** y0)
        return top + ph - (math.log10(g) - y0) / (y1 - y0) * ph

    # grid and axes
    for e in range(y0, y1 + 1):
        for m in (1, 2, 5):
            g = m * 10 ** e
            if g > 10 ** y1 * 1.0001:
                continue
            y = Y(g)
            out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" '
                       f'stroke="{"#ccc" if m == 1 else "#eee"}"/>')
            out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{g:g}</text>')
    for e in range(math.ceil(x0), math.floor(x1) + 1):
        if e % 2:
            continue
        x = X(2 ** e)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{top + ph + 16}" text-anchor="middle">'
                   f'{esc(fmt_bytes(2 ** e))}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    out.append(f'<text x="{left + pw / 2}" y="{H - 18}" text-anchor="middle">'
               'input size (bytes, log scale)</text>')
    out.append(f'<text transform="translate(18,{top + ph / 2}) rotate(-90)" text-anchor="middle">'
               'GB/s (log scale)</text>')
    # cache sizes of the machine that ran it
    for label, b in caches:
        if 2 ** x0 < b < 2 ** x1:
            x = X(b)
            out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" '
                       'stroke="#999" stroke-dasharray="2,3"/>')
            out.append(f'<text x="{x + 3:.1f}" y="{top + 12}" fill="#666">{label} {esc(fmt_bytes(b))}</text>')
    # series: baselines first, thick and dashed in black/grey
    def order(k):
        return (0 if READ_BASELINE in k else 1 if COPY_BASELINE in k else 2, k)
    ly = top + 10
    ci = 0
    for key in sorted(series, key=order):
        rs = sorted(series[key], key=lambda r: r["input_bytes"])
        if READ_BASELINE in key:
            color, width, dash = "#000000", 3, ' stroke-dasharray="8,4"'
        elif COPY_BASELINE in key:
            color, width, dash = "#777777", 3, ' stroke-dasharray="8,4"'
        else:
            color, width, dash = PALETTE[ci % len(PALETTE)], 2, ""
            ci += 1
        pts_s = " ".join(f"{X(r['input_bytes']):.1f},{Y(r['gbps']):.1f}" for r in rs)
        out.append(f'<polyline points="{pts_s}" fill="none" stroke="{color}" '
                   f'stroke-width="{width}"{dash}/>')
        for r in rs:
            x, y = X(r["input_bytes"]), Y(r["gbps"])
            e = r["gbps_err"]
            if e and not math.isnan(e) and e > 0:
                ya, yb = Y(r["gbps"] + e), Y(max(r["gbps"] - e, 10 ** y0))
                out.append(f'<line x1="{x:.1f}" y1="{ya:.1f}" x2="{x:.1f}" y2="{yb:.1f}" '
                           f'stroke="{color}" stroke-width="1.5"/>')
                for yy in (ya, yb):
                    out.append(f'<line x1="{x - 4:.1f}" y1="{yy:.1f}" x2="{x + 4:.1f}" '
                               f'y2="{yy:.1f}" stroke="{color}" stroke-width="1.5"/>')
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}">'
                       f'<title>{esc(key)} {esc(fmt_bytes(r["input_bytes"]))}: '
                       f'{esc(fmt_pm(r["gbps"], r["gbps_err"]))} GB/s</title></circle>')
        lx = left + pw + 16
        out.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 26}" y2="{ly}" stroke="{color}" '
                   f'stroke-width="{width}"{dash}/>')
        out.append(f'<text x="{lx + 32}" y="{ly + 4}">{esc(key)}</text>')
        ly += 18
    out.append(f'<text x="{left + pw + 16}" y="{ly + 10}" fill="#666" font-size="11">'
               'dashed: baselines; bars: 99.9 % CI</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", nargs="+", help="JMH JSON result files (-rf json)")
    ap.add_argument("-o", "--out", help="output path without extension (default: first input)")
    args = ap.parse_args(argv)
    inputs, rows, caches = [], [], []
    for p in args.results:
        label = os.path.basename(p)[:-5] if p.endswith(".json") else os.path.basename(p)
        data, rs = load_rows(p, label)
        machine, cs = read_machine(p)
        caches = caches or cs
        inputs.append((p, data, machine))
        rows.extend(rs)
    add_ratios(rows)
    out = args.out or (args.results[0][:-5] if args.results[0].endswith(".json") else args.results[0])
    svg = out + ".svg"
    write_svg(svg, rows, caches)
    write_markdown(out + ".md", inputs, rows, os.path.basename(svg))
    print(f"report: wrote {out}.md and {svg}")


if __name__ == "__main__":
    main()
