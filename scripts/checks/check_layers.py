#!/usr/bin/python3
"""Checks every include of raftsim's sources against the build's own graph.

The allowed graph is not a hand-kept list: it is read from CMake, from a
configured build directory.
  - Which library owns a file: the CMake File API (codemodel-v2) lists each
    library's sources. A header belongs to the library that owns the .cc of
    the same name; a header without one belongs to the lowest library that
    has sources in its folder (the one the folder's other libraries link).
  - What a library may use: `cmake --graphviz` lists every library's links,
    its own (raftsim_*) and the imported ones (CAF, LibTorch, HDF5).
Each folder holds the sources of one library, no more.
A file may include a header of its own library or of one its library links,
directly or through others; every include form counts ("dir/x.h" and
<dir/x.h>). A file may include CAF (<caf/...>) only if its library links
CAF, and LibTorch (<torch/...>, <ATen/...>, <c10/...>) only if it links
LibTorch. tests/ and benchmarks/ may include anything.

  scripts/checks/check_layers.py SOURCE_DIR BUILD_DIR
exits 0 and prints one line, or 1 and one line per offending include, or 2
when BUILD_DIR cannot give the graph. tests/scripts/test_layers.py plants the five
violations an earlier review found and checks each one fails here.
"""
import glob
import json
import os
import re
import subprocess
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
# Imported libraries by what their headers start with, and how the graph
# names them (a node label of `cmake --graphviz`).
EXTERNAL = {
    "CAF": (("caf/",), re.compile(r"^CAF::|libcaf_")),
    "LibTorch": (("torch/", "ATen/", "c10/"), re.compile(r"torch|c10")),
}


def configure(source_dir, build_dir):
    """Asks CMake (File API query + graphviz) and returns (reply dir, dot text)."""
    query = os.path.join(build_dir, ".cmake", "api", "v1", "query", "codemodel-v2")
    os.makedirs(os.path.dirname(query), exist_ok=True)
    open(query, "a").close()
    dot = os.path.join(build_dir, "layers", "graph.dot")
    os.makedirs(os.path.dirname(dot), exist_ok=True)
    r = subprocess.run(["cmake", f"--graphviz={dot}", "-S", source_dir, "-B", build_dir],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        last = r.stderr.strip().splitlines()[-1:] or ["(no message)"]
        raise RuntimeError(f"cmake could not configure {build_dir}: {last[0]}")
    with open(dot) as f:
        return os.path.join(build_dir, ".cmake", "api", "v1", "reply"), f.read()


def libraries(reply_dir, source_dir):
    """{library: set of source paths relative to source_dir} and
    {library: set of raftsim libraries it links directly}."""
    index = sorted(glob.glob(os.path.join(reply_dir, "index-*.json")))[-1]
    with open(index) as f:
        codemodel = json.load(f)["reply"]["codemodel-v2"]["jsonFile"]
    with open(os.path.join(reply_dir, codemodel)) as f:
        config = json.load(f)["configurations"][0]
    sources, links, by_id = {}, {}, {}
    for t in config["targets"]:
        with open(os.path.join(reply_dir, t["jsonFile"])) as f:
            target = json.load(f)
        by_id[target["id"]] = target["name"]
        if target["type"] not in ("STATIC_LIBRARY", "SHARED_LIBRARY", "OBJECT_LIBRARY"):
            continue
        if not target["name"].startswith("raftsim_"):
            continue
        files = set()
        for s in target.get("sources", []):
            p = s["path"]
            if os.path.isabs(p):
                p = os.path.relpath(p, source_dir)
            files.add(p)
        sources[target["name"]] = files
        links[target["name"]] = [d["id"] for d in target.get("dependencies", [])]
    links = {n: {by_id[i] for i in ids if by_id.get(i) in sources} for n, ids in links.items()}
    return sources, links


def graph_edges(dot):
    """{node label: set of labels it links} from `cmake --graphviz` text."""
    label = dict(re.findall(r'"(node\d+)"\s*\[\s*label\s*=\s*"([^"]+)"', dot))
    edges = {}
    for a, b in re.findall(r'"(node\d+)"\s*->\s*"(node\d+)"', dot):
        edges.setdefault(label[a], set()).add(label[b])
    return edges


def closure(start, edges):
    seen, todo = set(), [start]
    while todo:
        for n in edges.get(todo.pop(), ()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def owners(sources, links, source_dir):
    """{file: library} for every .cc and .h in the libraries' folders."""
    owner = {}
    for lib, files in sources.items():
        for f in files:
            owner[f] = lib
    # The folders' libraries, lowest first: a library below another links it.
    folders = {}
    for lib, files in sources.items():
        for f in files:
            folders.setdefault(os.path.dirname(f), set()).add(lib)
    for folder, libs in folders.items():
        lowest = min(libs, key=lambda l: len(closure(l, links)))
        # Generated headers (core/version.h) are not in the source tree.
        headers = [os.path.relpath(h, source_dir)
                   for h in glob.glob(os.path.join(source_dir, folder, "*.h"))]
        headers += [folder + "/version.h", folder + "/source_identity.h"]
        for rel in headers:
            if rel not in owner:
                owner[rel] = owner.get(rel[:-2] + ".cc", lowest)
    return owner, folders


def check(source_dir, reply_dir, dot):
    sources, links = libraries(reply_dir, source_dir)
    edges = graph_edges(dot)
    owner, libs_of = owners(sources, links, source_dir)
    folders = {f.split("/")[0] for f in owner}
    problems, checked = [], 0
    # One folder, one library: the folder listing is the link graph.
    for folder, libs in sorted(libs_of.items()):
        if len(libs) > 1:
            problems.append(f"{folder}/ holds {len(libs)} libraries "
                            f"({', '.join(sorted(libs))}): one folder is one library")
    for path, lib in sorted(owner.items()):
        full = os.path.join(source_dir, path)
        if not os.path.isfile(full):
            continue
        checked += 1
        allowed = {lib} | closure(lib, links)
        linked = closure(lib, edges)
        with open(full, errors="replace") as f:
            text = f.read()
        for form, target in INCLUDE.findall(text):
            shown = ("<%s>" if form == "<" else '"%s"') % target
            top = target.split("/")[0]
            if top in folders and "/" in target:
                to = owner.get(target)
                if to is None:
                    problems.append(f"{path} includes {shown}, which no library owns")
                elif to not in allowed:
                    problems.append(f"{path} ({lib}) includes {shown} of {to}, which "
                                    f"{lib} does not link")
                continue
            for name, (prefixes, label) in EXTERNAL.items():
                if target.startswith(prefixes) and not any(label.search(n) for n in linked):
                    problems.append(f"{path} ({lib}) includes {shown}, but {lib} does not "
                                    f"link {name}")
    return checked, problems, sorted(sources)


def main(argv):
    if len(argv) != 3:
        print(__doc__.split("\n\n")[2].strip(), file=sys.stderr)
        return 2
    source_dir, build_dir = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    try:
        reply_dir, dot = configure(source_dir, build_dir)
        checked, problems, libs = check(source_dir, reply_dir, dot)
    except (OSError, RuntimeError, KeyError, IndexError, ValueError) as e:
        print(f"check-layers: cannot read the build's graph: {e}", file=sys.stderr)
        return 2
    for p in problems:
        print("check-layers: " + p)
    if problems:
        print("check-layers: includes that the build's link graph does not allow "
              "(see docs/architecture.md)")
        return 1
    print(f"check-layers: {checked} files in {len(libs)} libraries, every include "
          "allowed by the build's link graph")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
