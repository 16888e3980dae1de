#!/usr/bin/python3
"""The layer check (scripts/checks/check_layers.py) catches what a review found it
missed. In a scratch copy of the sources, configured as its own build, the
unchanged copy must pass; then each of five violations is planted alone,
and the check must fail naming the planted file and include:
  1. a CAF header included from runfile/resume.h (the run file's library is
     CAF-free);
  2. a header that includes CAF without being named caf/... (the node
     protocol), from the CAF-free loop (loop/schedule.h);
  3. <torch/torch.h> included in core/;
  4. an angle-bracket include of a later layer (<run/engine.h> in sweep/);
  5. analysis/ including "run/engine.h";
and a sixth, in CMakeLists.txt: a second library in one folder (loop/).

  tests/scripts/test_layers.py SOURCE_DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile

PLANTS = [
    ("runfile/resume.h", "#include <caf/all.hpp>", "does not link CAF"),
    ("loop/schedule.h", '#include "actors/node_protocol.h"', "does not link"),
    ("core/rng.h", "#include <torch/torch.h>", "does not link LibTorch"),
    ("sweep/grid.cc", "#include <run/engine.h>", "does not link"),
    ("analysis/summary.cc", '#include "run/engine.h"', "does not link"),
]
# (file, text replaced, its replacement, what the check must print)
SPLIT_FOLDER = ("CMakeLists.txt", "  loop/divergence.cc\n",
                "  loop/run_status.cc)\nadd_library(raftsim_loop_extra STATIC\n"
                "  loop/divergence.cc\n",
                "loop/ holds 2 libraries")


def copy_sources(source, dest):
    try:
        files = subprocess.run(["git", "-C", source, "ls-files", "--cached", "--others",
                                "--exclude-standard"], capture_output=True, text=True)
        names = files.stdout.split() if files.returncode == 0 else None
    except OSError:  # no git at all (the container image has none)
        names = None
    if not names:  # not a git checkout (a container's copy): every file but builds
        names = []
        for root, dirs, fs in os.walk(source):
            dirs[:] = [d for d in dirs if not d.startswith(("build", ".", "runs"))]
            names += [os.path.relpath(os.path.join(root, f), source) for f in fs]
    for n in names:
        if not os.path.isfile(os.path.join(source, n)):
            continue  # deleted in the working tree
        os.makedirs(os.path.join(dest, os.path.dirname(n)), exist_ok=True)
        shutil.copy2(os.path.join(source, n), os.path.join(dest, n))


def check(copy, build):
    r = subprocess.run(["/usr/bin/python3", os.path.join(copy, "scripts", "checks", "check_layers.py"),
                        copy, build], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def main(argv):
    source = os.path.abspath(argv[1])
    failures = 0
    with tempfile.TemporaryDirectory(prefix="raftsim-layers-") as tmp:
        copy, build = os.path.join(tmp, "src"), os.path.join(tmp, "build")
        copy_sources(source, copy)
        code, out = check(copy, build)
        if code != 0:
            print(f"FAIL: the unchanged sources do not pass (exit {code}):\n{out}")
            return 1
        print("unchanged: " + out.strip())
        plants = [(path, None, include, (f"{path} ", include.split(" ", 1)[1], expect))
                  for path, include, expect in PLANTS]
        plants.append((SPLIT_FOLDER[0], SPLIT_FOLDER[1], SPLIT_FOLDER[2], (SPLIT_FOLDER[3],)))
        for path, old, new, expect in plants:
            full = os.path.join(copy, path)
            with open(full) as f:
                original = f.read()
            if old is None:  # an include, before the first one: an ordinary line
                at = original.index("#include")
                planted = original[:at] + new + "\n" + original[at:]
            else:
                assert old in original, f"{path} no longer has {old!r}"
                planted = original.replace(old, new, 1)
            with open(full, "w") as f:
                f.write(planted)
            code, out = check(copy, build)
            with open(full, "w") as f:
                f.write(original)
            shown = new.splitlines()[-1].strip() if old is None else expect[0]
            if code == 1 and all(e in out for e in expect):
                print(f"caught: {path}: {shown}")
            else:
                failures += 1
                print(f"FAIL: {path}: {shown} was not caught as expected "
                      f"(exit {code}):\n{out}")
    print(f"{len(plants) - failures} of {len(plants)} planted violations caught")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
