"""What holds the design (issue 14): DESIGN.md's layers, no import cycles, types on the core, a fast ``--help``.

* The layer contract is ``[tool.importlinter]`` in pyproject.toml, checked by import-linter (its own engine,
  grimp, reads every import, function-local ones too).
* The cycle finder is Tarjan's strongly connected components over grimp's import graph: any component of more
  than one module is a cycle, printed with its edges. It is itself tested on a graph with a known cycle.
* mypy runs on the domain and store layers with ``[tool.mypy]`` of pyproject.toml.
* ``vrhub --help`` must not import the heavy libraries (checked in a fresh process, not timed: the time is
  measured by ``benchmarks/startup.py``), and the help text the lazy command list shows is each command's own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cycles(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The import cycles of a graph (module → modules it imports): strongly connected components of two or more
    modules, by Tarjan's algorithm (Tarjan R. Depth-first search and linear graph algorithms. SIAM J Comput
    1972;1(2):146–160), iterative so that deep graphs do not hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(edges.get(w, ()))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_known_cycle_and_nothing_else():
    graph = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": ["e"], "e": [], "f": ["f2"], "f2": ["f"], "g": ["a"]}
    assert sorted(cycles(graph)) == [["a", "b", "c"], ["f", "f2"]]
    assert cycles({"x": ["y"], "y": ["z"]}) == []


def test_vrhub_has_no_import_cycles():
    import grimp

    graph = grimp.build_graph("vrhub")
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    found = cycles(edges)
    described = ["; ".join(f"{a} -> {b}" for a in c for b in edges[a] if b in c) for c in found]
    assert not found, "import cycles:\n" + "\n".join(described)


def test_the_layers_of_design_md_hold():
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0, \
        "a module imports a layer above it: see the broken contract printed above"


def test_mypy_is_clean_on_the_domain_and_store_layers():
    from mypy import api

    stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml"),
                                      "--cache-dir", str(ROOT / ".mypy_cache")])
    assert status == 0, stdout + stderr


HEAVY = ["pandas", "duckdb", "scipy", "statsmodels", "sqlalchemy", "ibis", "pyarrow", "altair", "geopandas"]


def test_help_does_not_import_the_heavy_libraries():
    code = ("import sys, json\nfrom vrhub.cli.main import app\ntry:\n    app(['--help'])\nexcept SystemExit:\n"
            f"    pass\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert "profile" in done.stdout and "near-repeat" in done.stdout
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_lazy_command_list_shows_each_commands_own_help():
    from vrhub.cli.main import COMMANDS, load_command

    for name, (_, _, text) in COMMANDS.items():
        assert load_command(name).get_short_help_str(limit=300) == text, name


def test_nothing_imports_the_cli_entry_point():
    """``vrhub.cli.main`` loads the command modules; they share ``vrhub.cli.context`` instead (no cycle back)."""
    import grimp

    assert grimp.build_graph("vrhub").find_modules_that_directly_import("vrhub.cli.main") == set()
