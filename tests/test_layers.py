"""Lower layers never import higher ones (docs/architecture.md, "Layers").

Every module under src/sanjeh is parsed and every import of ``sanjeh`` code counts: at
module level, inside a function, under ``if TYPE_CHECKING``, relative (``from ..text``) or
absolute (``sanjeh.text``): moving an import into a function makes it lazy, not permitted.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "sanjeh"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

#: the top-level packages and modules of ``sanjeh``, bottom layer first. A package may import
#: itself and the packages of the layers below its own; packages that share a layer never
#: import each other. ``sanjeh`` is the root ``__init__`` (the public API's re-exports).
#: docs/architecture.md lists the same layers (checked below).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "_version", "_digits"),
    ("settings", "model", "_redaction", "_http"),
    ("store",),
    ("calendar",),
    ("ingest", "text", "accounts", "metrics", "staffing"),
    ("qa", "report", "surveys", "speech", "insights", "topics", "experiments"),
    ("demo", "web"),
    ("cli",),
    ("sanjeh",),
)
LAYER_OF = {name: i for i, layer in enumerate(LAYERS) for name in layer}


@dataclasses.dataclass(frozen=True)
class Import:
    path: Path
    line: int
    importer: str  # the top-level package the importing module belongs to
    imported: str  # the top-level package of what it imports
    statement: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.importer} (layer {LAYER_OF.get(self.importer)}) "
            f"imports {self.imported} (layer {LAYER_OF.get(self.imported)}): {self.statement}"
        )


def _top(dotted: list[str]) -> str:
    """The top-level package of ``sanjeh.a.b`` (``a``); ``sanjeh`` itself for the root."""
    return dotted[1] if len(dotted) > 1 else "sanjeh"


def _is_part(src: Path, name: str) -> bool:
    return (src / name / "__init__.py").is_file() or (src / f"{name}.py").is_file()


def _targets(src: Path, node: ast.Import | ast.ImportFrom, here: list[str]) -> list[str]:
    """The top-level ``sanjeh`` packages one import statement reads (none for others)."""
    if isinstance(node, ast.Import):
        return [_top(a.name.split(".")) for a in node.names if a.name.split(".")[0] == "sanjeh"]
    if node.level:  # relative: level 1 is the module's own package, 2 its parent …
        base = here[: len(here) - (node.level - 1)]
        dotted = base + (node.module.split(".") if node.module else [])
    else:
        dotted = node.module.split(".") if node.module else []
    if not dotted or dotted[0] != "sanjeh":
        return []
    if len(dotted) > 1:
        return [dotted[1]]
    # from sanjeh import x / from .. import x: a sub-package, or a name of the root __init__
    return [a.name if _is_part(src, a.name) else "sanjeh" for a in node.names]


def imports(src: Path) -> list[Import]:
    """Every import of one top-level package of ``src`` (a ``sanjeh`` folder) by another."""
    found = []
    for path in sorted(src.rglob("*.py")):
        parts = ["sanjeh", *path.relative_to(src).with_suffix("").parts]
        here = parts[:-1]  # the package holding the module (for __init__: the package itself)
        importer = _top(here) if parts[-1] == "__init__" else _top(parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for imported in _targets(src, node, here):
                if imported != importer:
                    statement = ast.unparse(node)
                    rel = path.relative_to(src.parent)
                    found.append(Import(rel, node.lineno, importer, imported, statement))
    return found


def violations(found: list[Import]) -> list[Import]:
    """Imports of a package in the importer's own layer or above it."""
    return [i for i in found if LAYER_OF[i.imported] >= LAYER_OF[i.importer]]


def _packages(src: Path) -> set[str]:
    names = {p.name for p in src.iterdir() if (p / "__init__.py").is_file()}
    return names | {p.stem for p in src.glob("*.py") if p.stem != "__init__"} | {"sanjeh"}


def test_every_package_is_in_one_layer() -> None:
    listed = [name for layer in LAYERS for name in layer]
    assert len(listed) == len(set(listed)), "a package is listed in two layers"
    assert set(listed) == _packages(SRC), "LAYERS and src/sanjeh disagree"


def test_no_package_imports_its_own_layer_or_a_higher_one() -> None:
    bad = violations(imports(SRC))
    assert not bad, "imports against the layers (docs/architecture.md, Layers):\n" + "\n".join(
        map(str, bad)
    )


def test_architecture_doc_lists_the_same_layers() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    assert "\n## Layers\n" in text, "docs/architecture.md has no Layers section"
    section = text.split("\n## Layers\n", 1)[1].split("\n## ", 1)[0]
    documented = tuple(
        tuple(re.findall(r"`(\w+)`", names))
        for names in re.findall(r"^\d+\. ([^:\n]*):", section, re.M)
    )
    assert documented == LAYERS


def _write(root: Path, name: str, text: str = "") -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# a store module that reaches up in every way an import can be written; line numbers matter
STORE_MODULE = """\
from __future__ import annotations
from typing import TYPE_CHECKING
from ..errors import SanjehError
from . import _export
if TYPE_CHECKING:
    from ..ingest import ImportSummary
def export():
    from ..text import redact_table
    import sanjeh.metrics._build
    from sanjeh import web, model
    from .. import cli, __version__
    import json, sanjeh.qa
"""


def test_the_check_sees_every_kind_of_import(tmp_path: Path) -> None:
    src = tmp_path / "sanjeh"
    _write(src, "__init__.py", "__version__ = '0'\n")
    for name in ("errors.py", "model/__init__.py", "ingest/__init__.py", "text/__init__.py"):
        _write(src, name)
    for name in ("metrics/__init__.py", "web/__init__.py", "cli/__init__.py", "qa/__init__.py"):
        _write(src, name)
    _write(src, "store/_export.py")
    _write(src, "store/__init__.py", STORE_MODULE)
    _write(src, "model/tables.py", "def f():\n    from .. import errors\n")  # allowed

    found = imports(src)
    got = [(str(i.path), i.line, i.importer, i.imported) for i in violations(found)]
    init = str(Path("sanjeh", "store", "__init__.py"))
    assert got == [
        (init, 6, "store", "ingest"),  # under TYPE_CHECKING
        (init, 8, "store", "text"),  # inside a function
        (init, 9, "store", "metrics"),  # absolute import of a module
        (init, 10, "store", "web"),  # from sanjeh import <package>
        (init, 11, "store", "cli"),  # from .. import <package>
        (init, 11, "store", "sanjeh"),  # from .. import <name of the root __init__>
        (init, 12, "store", "qa"),  # one of several names in one import
    ]
    allowed = {(str(i.path), i.line, i.imported) for i in found if i not in violations(found)}
    assert allowed == {
        (init, 3, "errors"),
        (init, 10, "model"),
        (str(Path("sanjeh", "model", "tables.py")), 2, "errors"),
    }
