#!/usr/bin/env python3
"""Fit the GEMM shape model (docs/models/gemm.md) to data/kernels/gemm.csv.

Plain Python (no numpy): a seeded random local search on the mean squared log error, then a
leave-one-row-out refit for the out-of-sample error. Prints the parameters that
src/perf/gemm_model.cc carries in GemmShapeParams::Fitted() and the errors its comment quotes.
Usage: scripts/fit-gemm-shape.py [data/kernels/gemm.csv]
"""
import csv
import math
import random
import sys

PEAK = {"h800-sxm": {"fp8": 1978.9e12, "bf16": 989.4e12}}
HBM = {"h800-sxm": 3.35e12}
UNITS = {"h800-sxm": 132}
IN_BYTES = {"fp8": 1.0, "bf16": 2.0}
WIDTHS = [32, 64, 96, 128, 160, 192, 224, 256]
NAMES = ["compute_eff", "memory_eff", "fixed_s", "k_overhead", "smoothing", "tile_n_overhead",
         "unit_bandwidth_gb_s"]


def predict(r, x):
    ec, em, t0, k0, p, b0, bw_unit = x
    g, m, n, k = (float(r[c]) for c in ("groups", "m", "n", "k"))
    units = UNITS[r["hardware"]]
    bm = 64.0 if m <= 64 else 128.0
    m_blocks = math.ceil(m / bm)
    best, active = 0.0, units
    for bn in WIDTHS:
        blocks = g * m_blocks * math.ceil(n / bn)
        e = blocks / (math.ceil(blocks / units) * units) * bn / (bn + b0)
        if e > best:
            best, active = e, min(units, blocks)
    main = best * m / (m_blocks * bm) * k / (k + k0)
    flops = 2 * g * m * n * k
    tc = flops / (PEAK[r["hardware"]][r["precision"]] * ec * main)
    nbytes = g * (m * k + n * k) * IN_BYTES[r["precision"]] + g * m * n * 2
    tm = nbytes / min(HBM[r["hardware"]] * em, active * bw_unit * 1e9)
    return flops / (t0 + (tc ** p + tm ** p) ** (1 / p)) / 1e12


def loss(x, rows):
    return sum(math.log(predict(r, x) / float(r["tflops"])) ** 2 for r in rows) / len(rows)


STEP = [0.1, 0.1, 2e-6, 200, 1, 16, 20]
LO = [0.2, 0.2, 0, 0, 1, 0, 5]
HI = [1, 1, 1e-4, 1e5, 20, 1e3, 1e3]


def fit(rows, x0, iters):
    rnd = random.Random(1)
    best, best_loss = list(x0), loss(x0, rows)
    for i in range(iters):
        shrink = 0.9995 ** i
        c = [min(hi, max(lo, b + rnd.gauss(0, 1) * s * shrink))
             for b, s, lo, hi in zip(best, STEP, LO, HI)]
        l = loss(c, rows)
        if l < best_loss:
            best, best_loss = c, l
    return best


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "data/kernels/gemm.csv"
    with open(path) as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    x = fit(rows, [0.8, 0.85, 3e-6, 256, 3, 32, 50], 20000)
    for name, v in zip(NAMES, x):
        print(f"{name:22s} {v:.6g}")
    errs = sorted(abs(predict(r, x) / float(r["tflops"]) - 1) for r in rows)
    print(f"rows {len(rows)}: median |error| {errs[len(errs) // 2]:.1%}, max {errs[-1]:.1%}")
    loo = sorted(abs(predict(r, fit(rows[:i] + rows[i + 1:], x, 3000)) / float(r["tflops"]) - 1)
                 for i, r in enumerate(rows))
    print(f"leave-one-out: median |error| {loo[len(loo) // 2]:.1%}, mean {sum(loo) / len(loo):.1%}")


if __name__ == "__main__":
    main()
