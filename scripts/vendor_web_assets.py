"""Refresh the web application's front-end files from npm, at the pinned versions below.

    python scripts/vendor_web_assets.py          # needs node and npm, and the npm registry (once, by a maintainer)

Installs the packages into a temporary folder with ``npm install --ignore-scripts``, copies the built files the
pages use into ``src/vrhub/server/web/static/vendor/<package>/`` with each package's licence, compiles
govuk-frontend's Sass with the system font (Arial: a service not on GOV.UK must not use GDS Transport) and the
assets path the hub serves, and writes ``CHECKSUMS.sha256`` (``tests/web/test_vendored_assets.py`` verifies every
file against it). Nothing is fetched at run time: the hub serves these files itself.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "src" / "vrhub" / "server" / "web" / "static" / "vendor"

#: npm package -> (pinned version, [(file in the package, file under vendor/<package>/)])
PACKAGES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "govuk-frontend": ("6.6.0", [("dist/govuk/govuk-frontend.min.js", "govuk-frontend.min.js"),
                                 ("README.md", "README.md")]),
    "htmx.org": ("2.0.8", [("dist/htmx.min.js", "htmx.min.js"), ("LICENSE", "LICENSE")]),
    "vega": ("6.2.0", [("build/vega.min.js", "vega.min.js"), ("LICENSE", "LICENSE")]),
    "vega-lite": ("6.4.3", [("build/vega-lite.min.js", "vega-lite.min.js"), ("LICENSE", "LICENSE")]),
    "vega-embed": ("7.1.0", [("build/vega-embed.min.js", "vega-embed.min.js"), ("LICENSE", "LICENSE")]),
    "leaflet": ("1.9.4", [("dist/leaflet.js", "leaflet.js"), ("dist/leaflet.css", "leaflet.css"),
                          ("dist/images/layers.png", "images/layers.png"),
                          ("dist/images/layers-2x.png", "images/layers-2x.png"),
                          ("dist/images/marker-icon.png", "images/marker-icon.png"),
                          ("dist/images/marker-icon-2x.png", "images/marker-icon-2x.png"),
                          ("dist/images/marker-shadow.png", "images/marker-shadow.png"),
                          ("LICENSE", "LICENSE")]),
    # Vega's expression interpreter: charts evaluate their expressions without eval, under a CSP with no
    # 'unsafe-eval' (vega.github.io/vega/usage/interpreter); an ES module, made a classic script by ``_classic``
    "vega-interpreter": ("2.3.2", [("build/vega-interpreter.js", "vega-interpreter.js"), ("LICENSE", "LICENSE")]),
    "axe-core": ("4.11.1", [("axe.min.js", "axe.min.js"), ("LICENSE", "LICENSE")]),
}
#: the Sass compiler, used here only (its output is committed)
SASS = "sass@1.108.2"
#: govuk-frontend built with the generic look: Arial, no GDS Transport font faces, assets served by the hub
GOVUK_SCSS = """@use "govuk-frontend/dist/govuk" as * with (
  $govuk-font-family: (arial, sans-serif),
  $govuk-assets-path: "/static/vendor/govuk-frontend/assets/"
);
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_checksums(vendor: Path = VENDOR) -> Path:
    """``CHECKSUMS.sha256`` over every vendored file (sha256sum's format, paths relative to ``vendor``)."""
    lines = [f"{sha256(p)}  {p.relative_to(vendor).as_posix()}" for p in sorted(vendor.rglob("*"))
             if p.is_file() and p.name != "CHECKSUMS.sha256"]
    out = vendor / "CHECKSUMS.sha256"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _classic(path: Path) -> None:
    """vega-interpreter ships only as an ES module importing vega-util: read vega-util's names from the ``vega``
    global (the vega bundle re-exports them) and publish the interpreter as ``window.vegaInterpreter``."""
    text = path.read_text(encoding="utf-8")
    head = "import { ascending, isString, DisallowedObjectProperties } from 'vega-util';"
    tail = "export { expression as expressionInterpreter };"
    if head not in text or tail not in text:
        raise SystemExit(f"{path}: not the module layout this script knows; check vega-interpreter's build")
    names = head[len("import "):head.index(" from")]
    text = text.replace(head, f"(function () {{\nconst {names} = window.vega;")
    text = text.replace(tail, "window.vegaInterpreter = { expressionInterpreter: expression };\n})();")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("//# sourceMappingURL")) + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="vrhub-vendor-") as tmp:
        work = Path(tmp)
        (work / "package.json").write_text(json.dumps({"name": "vrhub-vendor", "private": True}), encoding="utf-8")
        specs = [f"{name}@{version}" for name, (version, _) in PACKAGES.items()] + [SASS]
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--save-exact", *specs],
                       cwd=work, check=True)
        if VENDOR.exists():
            shutil.rmtree(VENDOR)
        for name, (version, files) in PACKAGES.items():
            src = work / "node_modules" / name
            got = json.loads((src / "package.json").read_text(encoding="utf-8"))["version"]
            if got != version:
                raise SystemExit(f"{name}: npm installed {got}, not the pinned {version}")
            for inside, target in files:
                dest = VENDOR / name / target
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src / inside, dest)
            (VENDOR / name / "VERSION").write_text(version + "\n", encoding="utf-8")
        _classic(VENDOR / "vega-interpreter" / "vega-interpreter.js")
        (work / "govuk.scss").write_text(GOVUK_SCSS, encoding="utf-8")
        css = VENDOR / "govuk-frontend" / "govuk-frontend.min.css"
        subprocess.run([str(work / "node_modules" / ".bin" / "sass"), "--load-path=node_modules", "--style=compressed",
                        "--no-source-map", "--quiet-deps", "govuk.scss", str(css)], cwd=work, check=True)
    print(f"wrote {write_checksums()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
