#!/usr/bin/env python3
"""Summarizes PIT mutation reports for docs/mutation-testing.md.

    python3 docs/pit/summary.py [--list] [--src DIR] REPORT.xml ...   (e.g. target/pit-reports/mutations.xml)

Reports given later replace earlier ones class by class (a run split into parts with -Dpit.targets,
-Dpit.exclude). Every surviving mutant is sorted into a category of equivalent mutants by the rules
below, read off its source line (src/main/java), or else left 'unjudged', which counts as a real miss.
Prints a markdown table; --list adds one line per surviving or uncovered mutant."""
import collections
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'src', 'main', 'java')
KILLS = ('KILLED', 'TIMED_OUT', 'MEMORY_ERROR', 'RUN_ERROR')


def load(path):
    text = open(path).read()
    out = []
    for m in re.finditer(r"<mutation [^>]*status='([A-Z_]+)'[^>]*>(.*?)</mutation>", text, re.S):
        body = m.group(2)

        def tag(t):
            found = re.search(f"<{t}>(.*?)</{t}>", body, re.S)
            return found.group(1) if found else ''
        out.append(dict(status=m.group(1), fqcn=tag('mutatedClass'), cls=tag('mutatedClass').split('.')[-1],
                        line=int(tag('lineNumber')), method=tag('mutatedMethod').replace('&lt;', '<').replace('&gt;', '>'),
                        mut=tag('mutator').split('.')[-1], desc=tag('description').replace('&quot;', '"'),
                        file=tag('sourceFile')))
    return out


_lines = {}


def source(m):
    path = os.path.join(ROOT, *m['fqcn'].split('.')[:-1], m['file'])
    if path not in _lines:
        _lines[path] = open(path).read().split('\n') if os.path.exists(path) else []
    lines = _lines[path]
    return lines[m['line'] - 1].strip() if m['line'] <= len(lines) else ''


BOUNDARY = ('ConditionalsBoundaryMutator', 'NegateConditionalsMutator')

# (category, why it is equivalent, predicate(mutant, source line)); the first match wins
RULES = [
    ("route", "chooses the serial or the chunked (parallel) path; Kure's results are identical for every "
              "chunking and thread count, and ChunkedConformanceTest runs both paths against the oracle",
     lambda m, l: m['mut'] in BOUNDARY and re.search(
         r"chunks\(.*\) <= 1|chunks <= 1|chunks\(.*\) > 1|threads <= 1|tasks <= 1", l)),
    ("schedule", "which thread runs a task, or how many helpers are asked: the same tasks run and merge in "
                 "chunk order",
     lambda m, l: m['cls'] == 'Parallel' and (m['method'].startswith('forEach') or m['method'].startswith('lambda$forEach'))),
    ("vector-bound", "a vector loop's bound or stride: the lanes it no longer takes go to the scalar tail, which "
                     "computes the same bits (a reduction: the same sum in another order, within the documented "
                     "tolerance)",
     lambda m, l: (m['mut'] in BOUNDARY and re.search(r"\+ ?(\d+ ?\* ?)?[A-Z][A-Z0-9]* ?<= ?|\+ run <= ", l))
                  or (re.search(r"= [a-z]+ & -[A-Z]\b|Math\.min\(bound, i \+ RUN \* N\)", l)
                      and m['mut'] in ('InvertNegsMutator', 'MathMutator'))),
    ("empty-block", "a block loop's bound b < len becomes b <= len: one more block of zero elements, which "
                    "changes nothing",
     lambda m, l: m['mut'] == 'ConditionalsBoundaryMutator' and re.search(
         r"for \(.*; *[a-z]+ < [a-zA-Z.()]+; *[a-z]+ \+= [A-Za-z.]*BLOCK", l)),
    ("fast-path", "a fused fast path skipped: the general path computes the same bits, only slower",
     lambda m, l: m['mut'] == 'BooleanFalseReturnValsMutator' and m['method'] == 'core'),
    ("nan", "adds NaN either way (a NaN input makes the gradient NaN)",
     lambda m, l: 'Double.NaN' in l and m['mut'] == 'MathMutator' and '+=' in l),
    ("outside-only", "a comparison with qmin/qmax reached only for codes outside the grid, where < and <= (> and >=) "
                     "agree",
     lambda m, l: m['mut'] == 'ConditionalsBoundaryMutator' and re.search(
         r"(\} else if|if) \((c|code) < (c\.)?qmin( \|\| (c|code) > (c\.)?qmax)?\)|\} else if \(c > qmax\)|code < c\.qmin \? c\.lo", l)),
    ("same-bytes", "the byte-vector store and the per-lane store of int8 codes write the same bytes",
     lambda m, l: m['cls'] == 'SimdFakeQuant' and 'Mode.INT8 && B != null' in l),
    ("spare-words", "generates one more batch of random words than the block uses; the spare words are never read",
     lambda m, l: m['cls'] == 'SimdFakeQuant' and m['method'] == 'philox' and m['mut'] == 'ConditionalsBoundaryMutator'),
    ("shift-mod", "Java masks long shift counts to 6 bits: 1L << (b + count + 64) equals 1L << (b + count - 64)",
     lambda m, l: 'spill = b + count - 64' in l),
    ("signed-zero", "(q − z) + 0f and (q − z) − 0f agree: q − z of two integers is never −0",
     lambda m, l: '((q - zf) + 0f)' in l),
    ("zero-either-way", "y < 0 becomes y <= 0 before ceil/floor: at y = ±0 both give the same zero",
     lambda m, l: m['mut'] == 'ConditionalsBoundaryMutator' and 'y < 0 ? Math.ceil(y) : Math.floor(y)' in l),
    ("grid-edge", "q >= qmin && q <= qmax at a grid edge: the in-grid branch and the overflow policy both give q there",
     lambda m, l: m['mut'] == 'ConditionalsBoundaryMutator' and 'if (q >= qmin && q <= qmax)' in l),
    ("same-power", "k >= -126 becomes k > -126: at k = -126 both branches give 2^-126",
     lambda m, l: m['mut'] == 'ConditionalsBoundaryMutator' and 'k >= -126 ?' in l),
    ("exact-at-1", "both branches are exact at |y| = 1, where the mutant changes which one runs",
     lambda m, l: m['cls'] == 'QuantMath' and m['method'] in ('atLeast', 'greater') and 'Math.abs(y) >= 1' in l),
]


def classify(m):
    line = source(m)
    for name, _, pred in RULES:
        if pred(m, line):
            return name
    return 'unjudged'


def main(args):
    global ROOT
    listing = '--list' in args
    args = [a for a in args if a != '--list']
    if '--src' in args:
        i = args.index('--src')
        ROOT = args[i + 1]
        del args[i:i + 2]
    paths = args
    merged = {}
    for p in paths:
        by = collections.defaultdict(list)
        for m in load(p):
            by[m['fqcn']].append(m)
        merged.update(by)
    total = collections.Counter()
    cats = collections.Counter()
    print("| class | mutants | killed | timed out | survived | no coverage | survivors judged equivalent | killed of non-equivalent |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for fq in sorted(merged):
        ms = merged[fq]
        c = collections.Counter(m['status'] for m in ms)
        eq = 0
        for m in ms:
            if m['status'] == 'SURVIVED':
                k = classify(m)
                cats[k] += 1
                eq += k != 'unjudged'
        n = sum(c.values()) - c['NON_VIABLE']
        killed = sum(c[k] for k in KILLS)
        ne = n - eq
        print(f"| {fq.replace('dev.kure.', '')} | {n} | {c['KILLED']} | {c['TIMED_OUT']} | {c['SURVIVED']} | "
              f"{c['NO_COVERAGE']} | {eq} | {100 * killed / ne if ne else 100:.0f} % |")
        total += c
        total['eq'] += eq
    n = sum(v for k, v in total.items() if k not in ('NON_VIABLE', 'eq'))
    killed = sum(total[k] for k in KILLS)
    ne = n - total['eq']
    print(f"| **all** | {n} | {total['KILLED']} | {total['TIMED_OUT']} | {total['SURVIVED']} | {total['NO_COVERAGE']} | "
          f"{total['eq']} | **{100 * killed / ne:.1f} %** |")
    print()
    print(f"Killed of all mutants, nothing judged equivalent: {100 * killed / n:.1f} %. Time-outs not counted as "
          f"kills: {100 * (killed - total['TIMED_OUT']) / ne:.1f} % of the non-equivalent.")
    print()
    print("Survivors by category:")
    print()
    for name, why, _ in RULES:
        print(f"- `{name}` ({cats[name]}): {why}.")
    print(f"- `unjudged` ({cats['unjudged']}): not shown equivalent; counted as missed.")
    if listing:
        print()
        print("| category | class:line | method | mutation | source line |")
        print("|---|---|---|---|---|")
        for fq in sorted(merged):
            for m in merged[fq]:
                if m['status'] in ('SURVIVED', 'NO_COVERAGE'):
                    k = classify(m) if m['status'] == 'SURVIVED' else 'no coverage'
                    line = source(m).replace('|', '\\|')
                    print(f"| {k} | {m['cls']}:{m['line']} | `{m['method']}` | {m['desc']} | `{line[:100]}` |")


if __name__ == '__main__':
    main(sys.argv[1:])
