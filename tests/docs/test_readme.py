#!/usr/bin/env python3
"""Runs every command of the README's ```sh blocks, as written, in a fresh
directory that looks like a clone (experiments/, analysis/, scripts/,
examples/ and build/ linked in; no runs/), at a small size: `raftsim run`
and `sweep` get `--set iterations=2` (an extension `--set iterations=60`
becomes 4), the examples `--small`.
Commands that need what a test cannot have here are skipped, each with its
reason (below); they are covered elsewhere. Fails, naming the command and
its output, when a command exits otherwise than the README implies.

  tests/docs/test_readme.py SOURCE_DIR BUILD_DIR
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

# (pattern, reason): commands not run here.
SKIP = [
    (r"^bash scripts/(quickstart|test)\.sh", "the README's two commands: CI runs them"),
    (r"^bash scripts/checks/(sanitizers|fuzz)\.sh", "slow checks, run by hand"),
    (r"--executor slurm|slurm-local\.sh", "needs a Slurm; tests/sweep/test_slurm.cc runs one"),
    (r"make-test-ca\.sh|raftsim node |actors\.nodes=A:",
     "needs hosts A and B; tests/nodes/test_nodes.cc runs nodes on loopback"),
    (r"^docker ", "no Docker engine here; scripts/checks/container-test.sh builds the Dockerfile"),
    (r"examples/cpp|cpp-example/", "needs the installed library; tests/scripts/test_find_package.sh "
                                   "installs it into a scratch prefix and builds examples/cpp"),
]


def commands(readme):
    """The commands of the ```sh blocks: continuations joined, comments cut."""
    out, block = [], None
    for line in open(readme, encoding="utf-8"):
        line = line.rstrip("\n")
        if block is None:
            if line.strip() == "```sh":
                block = []
            continue
        if line.strip() == "```":
            text = "\n".join(block).replace("\\\n", " ")
            for cmd in text.split("\n"):
                cmd = re.sub(r"\s+#.*$", "", cmd).strip()
                if cmd and not cmd.startswith("#"):
                    out.append(cmd)
            block = None
        else:
            block.append(line)
    return out


def small(cmd):
    """`cmd` at a small size."""
    if re.search(r"examples/\w+\.py", cmd):
        return re.sub(r"--trials \d+", "", cmd) + " --small"
    if re.search(r"raftsim (run|sweep) ", cmd) and "--help" not in cmd:
        if "iterations=" in cmd:
            return re.sub(r"iterations=\d+", "iterations=4", cmd)
        return cmd + " --set iterations=2"
    return cmd


def main():
    source, build = sys.argv[1], sys.argv[2]
    cmds = commands(os.path.join(source, "README.md"))
    assert len(cmds) > 20, f"found only {len(cmds)} commands in README.md"
    ran = skipped = 0
    with tempfile.TemporaryDirectory(prefix="raftsim-readme-") as clone:
        for name in ("experiments", "analysis", "scripts", "examples"):
            os.symlink(os.path.join(source, name), os.path.join(clone, name))
        os.symlink(build, os.path.join(clone, "build"))
        resumed = False
        # The package as this build assembled it (a user's comes from
        # scripts/setup/build.sh's install).
        env = dict(os.environ, PYTHONPATH=os.path.join(build, "python"))
        for cmd in cmds:
            reason = next((why for pat, why in SKIP if re.search(pat, cmd)), None)
            if reason:
                print(f"skip: {cmd}\n      ({reason})")
                skipped += 1
                continue
            if "--resume runs/q.h5" in cmd and not resumed:
                # "continue a killed, interrupted or failed run": make q.h5 one.
                subprocess.run(["/usr/bin/python3", "-c",
                                "import h5py, sys; h5py.File(sys.argv[1], 'r+')"
                                ".attrs['status'] = 'interrupted'", "runs/q.h5"],
                               cwd=clone, check=True)
                resumed = True
            run = small(cmd)
            # --help exits 0; everything else too.
            p = subprocess.run(["bash", "-c", run], cwd=clone, capture_output=True, text=True,
                               env=env)
            if p.returncode != 0:
                print(f"FAILED (exit {p.returncode}): {run}\n{p.stdout}{p.stderr}")
                return 1
            print(f"ok: {run}")
            ran += 1
    print(f"test_readme: {ran} README commands ran as written (small size), {skipped} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
