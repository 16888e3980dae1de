#!/usr/bin/python3
"""How deep the dynamic linker searches when raftsim starts.

At start-up ld.so binds every symbol a library needs by walking the global
scope (the executable, then its DT_NEEDED libraries breadth-first, 293 of
them with Debian's LibTorch) until a library defines it. The walk's length
is the defining library's position in the scope, so its cost is the sum of
those positions over the ~150,000 bindings. This script measures that sum
from `LD_DEBUG=scopes,bindings` of `BINARY --version`:

    startup_bindings.py BINARY                 # depth, and the deepest heavy libraries
    startup_bindings.py BINARY --rank 20       # the sonames for cmake/startup-libraries.txt,
                                               # from a build with -DRAFTSIM_STARTUP_ORDER=OFF
    startup_bindings.py BINARY --compare OTHER # which bindings differ between two builds
    startup_bindings.py BINARY --check cmake/startup-libraries.txt

--rank lists the libraries behind the executable's own DT_NEEDED entries
that the most lookups reach, which cmake/startup_order.cmake names right
after them. --compare checks that a reordering bound every symbol to the
same library as before, apart from the executable's own path. --check
needs one build only: it rebuilds the scope the binary would have without
the listed libraries and checks that no library before a binding's target
there defines the symbol, matching versions as ld.so does (a lookup that
names a version stops only at that version; one that names none, at an
unversioned or default definition).
"""
import argparse
import collections
import functools
import os
import re
import subprocess
import sys
import tempfile

BINDING = re.compile(r"binding file (\S+) \[\d+\] to (\S+) \[\d+\]: \S+ symbol `([^']*)'(?: \[([^\]]*)\])?")


def trace(binary):
    """The global scope and the (from, to, symbol, version) bindings of one start."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, LD_DEBUG="scopes,bindings", LD_DEBUG_OUTPUT=os.path.join(tmp, "ld"))
        subprocess.run([binary, "--version"], env=env, stdout=subprocess.DEVNULL, check=True)
        [name] = os.listdir(tmp)  # one process: one file, ld.PID
        scope, bindings = None, []
        with open(os.path.join(tmp, name), errors="replace") as f:
            for line in f:
                if scope is None and " scope 0: " in line:
                    scope = line.split(" scope 0: ", 1)[1].split()
                m = BINDING.search(line)
                if m:
                    bindings.append(m.groups())
    if scope is None or not bindings:
        sys.exit(f"startup_bindings.py: no LD_DEBUG trace from {binary}")
    return scope, bindings


def depth(scope, bindings):
    position = {lib: i for i, lib in enumerate(scope)}
    return sum(position.get(to, 0) for _, to, *_ in bindings) / len(bindings)


@functools.lru_cache(maxsize=None)
def defined(library):
    """The dynamic symbols a library defines: name -> its versions, "" for
    the one a lookup without a version binds to (unversioned or default)."""
    out = subprocess.run(["nm", "-D", "--defined-only", library], capture_output=True, text=True).stdout
    symbols = collections.defaultdict(set)
    for line in out.splitlines():
        if not line.strip():
            continue
        name, at, version = line.split()[-1].partition("@")
        if at:
            symbols[name].add(version.lstrip("@"))
        if not at or version.startswith("@"):
            symbols[name].add("")
    return symbols


def provides(library, sym, version):
    """Whether a lookup of SYM at VERSION (None: unversioned) stops at LIBRARY."""
    return (version or "") in defined(library).get(sym, ())


def rank(binary, scope, bindings, count):
    """The COUNT deep libraries most bindings reach, in an order that binds
    every symbol to the same library as before: a library that would
    interpose on a symbol another library deeper in the scope now provides
    is preceded by that library."""
    reached = collections.Counter(to for _, to, *_ in bindings)
    front = set(scope[: len(needed(binary)) + 1])
    candidates = [lib for lib, _ in reached.most_common() if lib not in front and lib in scope]
    winners = collections.defaultdict(set)
    for _, to, sym, version in bindings:
        winners[sym, version].add(to)
    lookups = sorted(winners.items(), key=lambda item: (item[0][0], item[0][1] or ""))
    order, visiting = [], set()

    def add(lib):
        if lib in order or lib in front or lib in visiting:
            return
        visiting.add(lib)
        for (sym, version), others in lookups:
            if provides(lib, sym, version):
                for other in sorted(others - {lib}):
                    add(other)
        visiting.discard(lib)
        order.append(lib)

    for lib in candidates[:count]:
        add(lib)
    return order


def needed(binary):
    out = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def plain_scope(binary, scope, listed):
    """The scope the binary would have without the LISTED sonames in its
    own DT_NEEDED: ld.so's breadth-first walk over DT_NEEDED entries."""
    path = {os.path.basename(lib): lib for lib in scope}
    order, queue = [scope[0]], [n for n in needed(binary) if n not in listed]
    seen = set(queue)
    while queue:
        lib = path[queue.pop(0)]
        order.append(lib)
        for name in needed(lib):
            if name not in seen and name in path:  # ld-linux is named by its full path
                seen.add(name)
                queue.append(name)
    return order + [lib for lib in scope if lib not in order]


def check(binary, listed_file):
    """Every binding goes to the library the plain scope would bind it to:
    no library before it there defines the symbol."""
    with open(listed_file) as f:
        listed = {line.strip() for line in f if line.strip() and not line.startswith("#")}
    scope, bindings = trace(binary)
    plain = plain_scope(binary, scope, listed)
    position = {lib: i for i, lib in enumerate(plain)}
    wrong = set()
    for _, to, sym, version in bindings:
        for lib in plain[1 : position.get(to, 0)]:
            if provides(lib, sym, version):
                wrong.add((sym, lib, to))
                break
    print(f"{binary}: {len(bindings)} bindings, mean depth {depth(scope, bindings):.1f} "
          f"(without the {len(listed)} listed: {depth(plain, bindings):.1f}); "
          f"bound past a library that defines the symbol: {len(wrong)}")
    for sym, lib, to in sorted(wrong)[:20]:
        print(f"  {sym[:60]}: {os.path.basename(to)}, though {os.path.basename(lib)} comes first without the order")
    return not wrong


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("--rank", type=int, metavar="N", help="print the N sonames to name first")
    ap.add_argument("--compare", metavar="OTHER", help="a second build to compare bindings with")
    ap.add_argument("--check", metavar="LIST", help="check the binary binds as it would without LIST's order")
    args = ap.parse_args()
    if args.check:
        sys.exit(0 if check(args.binary, args.check) else 1)

    scope, bindings = trace(args.binary)
    if args.rank:
        for lib in rank(args.binary, scope, bindings, args.rank):
            print(os.path.basename(lib))
        return
    reached = collections.Counter(to for _, to, *_ in bindings)
    deep = [lib for lib, _ in reached.most_common() if lib in scope[len(needed(args.binary)) + 1 :]]
    print(f"{args.binary}: {len(bindings)} bindings, scope of {len(scope)} libraries, "
          f"mean depth {depth(scope, bindings):.1f}")
    for lib in deep[:10]:
        print(f"  {reached[lib]:6d} bindings reach {os.path.basename(lib)} at position {scope.index(lib)}")
    if args.compare:
        other_scope, other = trace(args.compare)
        print(f"{args.compare}: {len(other)} bindings, mean depth {depth(other_scope, other):.1f}")

        def table(binary, rows):
            return {(frm.replace(binary, "EXE"), sym): to.replace(binary, "EXE") for frm, to, sym, _ in rows}

        a, b = table(args.binary, bindings), table(args.compare, other)
        moved = [(k, a[k], b[k]) for k in a.keys() & b.keys() if a[k] != b[k]]
        c_symbols = [m for m in moved if not m[0][1].startswith("_Z")]
        print(f"bindings to another library: {len(moved)} ({len(c_symbols)} of C symbols); "
              f"only in one build: {len(a.keys() ^ b.keys())}")
        for (frm, sym), was, now in sorted(moved)[:20]:
            print(f"  {os.path.basename(frm)}: {sym[:60]} {os.path.basename(was)} -> {os.path.basename(now)}")
        if moved:
            sys.exit(1)


if __name__ == "__main__":
    main()
