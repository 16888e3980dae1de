#!/usr/bin/python3
"""How close OpenBLAS comes to one core's peak on raftsim's own GEMM shapes.

The transformer's generation and training are sgemm calls on small
shapes (experiments/bench.ini: d 64, ff 256, 16 tokens; 256 rows per
generation chunk, 480 rows per training shard). This measures each shape
on one thread through numpy, which calls the same libblas.so.3 (OpenBLAS)
as raftsim, against a large square sgemm on the same thread:

    /usr/bin/python3 scripts/bench/gemm_shapes.py [--d 64 --ff 256 --vocab 16 --rows 256 --train-rows 480]

Best of 5 repeats per shape; a number to read, not a test.
"""
import argparse
import os
import time

os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before numpy loads OpenBLAS
os.environ["OMP_NUM_THREADS"] = "1"
import numpy as np  # noqa: E402


def gflops(product, flop, seconds_wanted=0.05):
    """Best of 5 GFLOP/s of product() doing `flop` each call."""
    calls = 1
    while True:  # enough calls per repeat to last about seconds_wanted
        start = time.perf_counter()
        for _ in range(calls):
            product()
        if time.perf_counter() - start > seconds_wanted / 4:
            break
        calls *= 2
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            product()
        best = min(best, (time.perf_counter() - start) / calls)
    return flop / best / 1e9


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--ff", type=int, default=256)
    ap.add_argument("--vocab", type=int, default=16)
    ap.add_argument("--rows", type=int, default=256, help="rows of a generation step")
    ap.add_argument("--train-rows", type=int, default=480, help="rows of a training shard")
    args = ap.parse_args()
    rng = np.random.default_rng(1)

    def mat(rows, cols):
        return rng.standard_normal((rows, cols), dtype=np.float32)

    big = 1536
    a, b, c = mat(big, big), mat(big, big), mat(big, big)
    peak = gflops(lambda: np.matmul(a, b, out=c), 2.0 * big**3, 0.5)
    print(f"one core, sgemm {big}^3: {peak:.1f} GFLOP/s (the peak below)")
    d, ff, V = args.d, args.ff, args.vocab
    # (name, rows, in, out): y = x W^T as the decoder and the training pass call it.
    layers = [("qkv", d, 3 * d), ("proj", d, d), ("fc1", d, ff), ("fc2", ff, d), ("head", d, V)]
    print("| shape | rows × in × out | GFLOP/s | share of the peak |")
    print("|---|---|---|---|")
    for phase, rows in (("generation", args.rows), ("training", args.train_rows)):
        for name, k, n in layers:
            x, w, y = mat(rows, k), mat(n, k), mat(rows, n)
            flop = 2.0 * rows * k * n
            rate = gflops(lambda: np.matmul(x, w.T, out=y), flop)
            print(f"| {phase} {name}, y = x W^T | {rows} × {k} × {n} | {rate:.1f} | {rate / peak:.0%} |")
            if phase == "training":  # the backward pass: dW = dy^T x and dx = dy W
                dw, dx = mat(n, k), mat(rows, k)
                rate = gflops(lambda: np.matmul(y.T, x, out=dw), flop)
                print(f"| training {name}, dW = dy^T x | {rows} × {k} × {n} | {rate:.1f} | {rate / peak:.0%} |")
                rate = gflops(lambda: np.matmul(y, w, out=dx), flop)
                print(f"| training {name}, dx = dy W | {rows} × {k} × {n} | {rate:.1f} | {rate / peak:.0%} |")


if __name__ == "__main__":
    main()
