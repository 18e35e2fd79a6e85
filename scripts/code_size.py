"""Sizes that the design holds (issue 14): modules over 600 lines, functions over 80 lines, function-local imports
and ``# type: ignore`` comments in ``src/vrhub``, read with the standard library's ``ast``.

    python scripts/code_size.py            # the counts
    python scripts/code_size.py --list     # and every long module and function, longest first

A function's length is counted as ``tests/test_architecture.py`` counts it: from the line after its docstring to
its last line. That test holds the same limits, with the reason for each module or function allowed past them.
"""

from __future__ import annotations

import argparse
import ast
import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src" / "vrhub"
MODULE_LINES, FUNCTION_LINES = 600, 80


def _local_imports(tree: ast.AST) -> int:
    """Import statements inside a function (each once, however deeply the functions nest)."""

    def visit(node: ast.AST, inside: bool) -> int:
        here = isinstance(node, ast.Import | ast.ImportFrom) and inside
        inside = inside or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        return here + sum(visit(child, inside) for child in ast.iter_child_nodes(node))

    return visit(tree, False)


def _ignores(text: str) -> int:
    """``# type: ignore`` comments (comment tokens only, not strings that mention one)."""
    return sum(1 for t in tokenize.generate_tokens(io.StringIO(text).readline)
               if t.type == tokenize.COMMENT and "type: ignore" in t.string)


def measure(root: Path = ROOT) -> dict[str, list[tuple[str, int]]]:
    found: dict[str, list[tuple[str, int]]] = {"modules": [], "functions": [], "local_imports": [], "type_ignores": []}
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(root.parent))
        tree = ast.parse(text)
        lines = len(text.splitlines())
        if lines > MODULE_LINES:
            found["modules"].append((name, lines))
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                first = fn.body[0]
                doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str)
                start = first.end_lineno + 1 if doc and first.end_lineno else fn.lineno
                n = (fn.end_lineno or fn.lineno) - start + 1
                if n > FUNCTION_LINES:
                    found["functions"].append((f"{name}:{fn.lineno} {fn.name}", n))
        if n_local := _local_imports(tree):
            found["local_imports"].append((name, n_local))
        if n_ignore := _ignores(text):
            found["type_ignores"].append((name, n_ignore))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list every long module and function")
    args = parser.parse_args()
    found = measure()
    print(f"modules over {MODULE_LINES} lines: {len(found['modules'])}")
    print(f"functions over {FUNCTION_LINES} lines: {len(found['functions'])}")
    print(f"function-local imports: {sum(n for _, n in found['local_imports'])} "
          f"in {len(found['local_imports'])} modules")
    print(f"'# type: ignore' comments: {sum(n for _, n in found['type_ignores'])}")
    if args.list:
        for key in ("modules", "functions"):
            for name, n in sorted(found[key], key=lambda x: -x[1]):
                print(f"  {key:9} {n:5}  {name}")


if __name__ == "__main__":
    main()
