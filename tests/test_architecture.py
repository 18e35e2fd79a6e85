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
    import inspect

    from vrhub.cli.main import COMMANDS, command_help, load_command

    for name in COMMANDS:
        assert command_help(name), name
        assert command_help(name) == inspect.cleandoc(load_command(name).help or ""), name


def test_every_command_module_is_listed():
    """A command module's commands are reachable: every module of ``vrhub.cli`` with a command is in COMMANDS."""
    from vrhub.cli.main import COMMANDS

    helpers = {"__init__", "main", "console", "context", "errors", "period", "outputs"}
    modules = {p.stem for p in (ROOT / "src" / "vrhub" / "cli").glob("*.py")} - helpers
    assert modules == {m.rsplit(".", 1)[1] for m, _ in COMMANDS.values()}


def test_nothing_imports_the_cli_entry_point():
    """``vrhub.cli.main`` loads the command modules; they share ``vrhub.cli.context`` instead (no cycle back)."""
    import grimp

    assert grimp.build_graph("vrhub").find_modules_that_directly_import("vrhub.cli.main") == set()


#: Modules over 600 lines and functions over 80 lines of code (docstring excluded), each with its reason. The
#: test fails when a new one appears, and when a listed one is split (so that this list stays true). Shrink it.
LONG_MODULES = {
    "ingest/pseudonymise.py": "the partners' tool in one file they can read: keys, columns, rows, linkage (to split)",
    "domain/identifiers.py": "every UK identifier's check digits and shapes, one short function each",
}
SEEDED = "one seeded sequence of draws: its order is what makes the same seed write the same files"
LONG_FUNCTIONS = {
    "analysis/evaluation/interrupted_time_series.py:interrupted_time_series": "to split: fit, checks and wording",
    "synth/force_crime.py:generate_force_crime": SEEDED,
    "analysis/value/sheet.py:value_sheet": "to split: the sheet's sections",
    "analysis/evaluation/synthetic_control.py:synthetic_control": "to split: weights, placebos and wording",
    "synth/cohort.py:generate_cohort": SEEDED,
    "store/catalogue/migrations/versions/0005_hub.py:upgrade": "a migration: the tables it creates, in order",
    "analysis/hotspots/gi_star.py:gi_star": "to split: inference and the FDR classes",
    "analysis/hotspots/emerging.py:emerging_hotspots": "to split: the Mann-Kendall step and the categories",
    "ingest/force_crime.py:check": "one row check per field of the source, in the order of its documentation",
    "ingest/geography/boundaries.py:load_boundaries": "to split: reading, repairing and publishing",
    "ingest/mapped.py:load_mapping": "one check per key of the mapping file, every problem collected at once",
    "analysis/hotspots/grids.py:square_grid": "to split: the grid and the point assignment",
    "ingest/education.py:check": "one row check per field of the source, in the order of its documentation",
    "domain/disclosure/audit.py:_attack": "to split: the bounds and the search",
    "synth/linkage.py:generate_linkage_partners": SEEDED,
    "analysis/profile/force.py:force_profile": "to split: one part per question (what, who, when, why)",
    "analysis/evaluation/matching.py:match_comparison_areas": "to split: the distance and the choice",
}


def _sizes() -> tuple[dict[str, int], dict[str, int]]:
    import ast

    modules, functions = {}, {}
    src = ROOT / "src" / "vrhub"
    for path in sorted(src.rglob("*.py")):
        name = path.relative_to(src).as_posix()
        text = path.read_text(encoding="utf-8")
        modules[name] = len(text.splitlines())
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = node.body[0]
                has_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str)
                start = first.end_lineno + 1 if has_doc and first.end_lineno else node.lineno
                functions[f"{name}:{node.name}"] = max(functions.get(f"{name}:{node.name}", 0),
                                                       (node.end_lineno or node.lineno) - start + 1)
    return modules, functions


def test_modules_and_functions_stay_small_or_say_why():
    modules, functions = _sizes()
    long_modules = {m for m, n in modules.items() if n > 600}
    long_functions = {f for f, n in functions.items() if n > 80}
    assert long_modules == set(LONG_MODULES), (
        f"over 600 lines and not listed: {sorted(long_modules - set(LONG_MODULES))}; listed but now short (remove "
        f"them from LONG_MODULES): {sorted(set(LONG_MODULES) - long_modules)}. Split a long module, or list it here "
        "with the reason")
    assert long_functions == set(LONG_FUNCTIONS), (
        f"over 80 lines and not listed: {sorted(long_functions - set(LONG_FUNCTIONS))}; listed but now short (remove "
        f"them from LONG_FUNCTIONS): {sorted(set(LONG_FUNCTIONS) - long_functions)}. Split a long function, or list "
        "it here with the reason")
