#!/usr/bin/python3
"""scripts/bench/compare_builds.py reads `raftsim bench`'s text: a short
real bench (2 iterations, 1 repeat) must yield every measure it tabulates,
each a positive number, so that a change to bench's output fails here and
not silently in a README table.

  tests/scripts/test_compare_builds.py SOURCE_DIR RAFTSIM
"""
import importlib.util
import os
import sys


def main():
    source, raftsim = sys.argv[1], sys.argv[2]
    spec = importlib.util.spec_from_file_location(
        "compare_builds", os.path.join(source, "scripts", "bench", "compare_builds.py"))
    compare_builds = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compare_builds)
    row = compare_builds.bench(raftsim, "experiments/bench.ini",
                               ["--set", "iterations=2", "--repeats", "1", "--lengths", "8"])
    wanted = ["samples_auto", "train_s_1", "train_s_2", "rss_mb_1", "rss_mb_2",
              "peak_share", "ceiling"]
    missing = [k for k in wanted if k not in row]
    if missing:
        print(f"test_compare_builds: no {missing} in what raftsim bench printed: {row}")
        return 1
    bad = {k: row[k] for k in wanted if not row[k] > 0}
    if bad:
        print(f"test_compare_builds: not positive: {bad}")
        return 1
    print(f"test_compare_builds: ok {row}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
