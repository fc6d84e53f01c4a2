"""What the library imports is what pyproject declares, and nothing declared is idle."""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "sanjeh"
#: imported only on request, each behind an ImportError message, and declared as an extra
OPTIONAL = {"transformers": "transformers", "arasents": "evaluation", "pyspark": "spark"}
#: declared, used without an import of their own (why)
UNIMPORTED = {
    "psycopg": "Ibis's PostgreSQL backend connects with it",
    "python-multipart": "FastAPI parses HTML form posts with it",
    "plotly": "its plotly.min.js is served to the dashboard",
    "duckdb": "the default store, through Ibis; declared to keep it below 2.x (DESIGN.md)",
    "sqlglot": "Ibis compiles with it; declared to keep it below 30.18 (DESIGN.md)",
    "httptools": "uvicorn parses HTTP with it when installed (bench/surveys.py)",
    "uvloop": "uvicorn runs its event loop on it when installed (bench/surveys.py)",
}


def _name(requirement: str) -> str:
    found = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert found, requirement
    return found.group().lower().replace("_", "-")


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _imports() -> dict[str, set[str]]:
    """Top-level modules outside the standard library → the files importing them."""
    found: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "sanjeh":
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def _distributions(module: str) -> set[str]:
    return {d.lower().replace("_", "-") for d in md.packages_distributions().get(module, [])}


def test_every_import_is_declared() -> None:
    project = _project()
    declared = {_name(r) for r in project["dependencies"]}
    extras = {k: {_name(r) for r in v} for k, v in project["optional-dependencies"].items()}
    missing = {}
    for module, files in _imports().items():
        if module in OPTIONAL:
            assert module in extras[OPTIONAL[module]], f"{module}: declare it in an extra"
            continue
        dists = _distributions(module)
        assert dists, f"{module} (imported by {sorted(files)}) is not installed"
        if not dists & declared:
            missing[module] = sorted(files)
    assert not missing, f"imported but not declared in [project] dependencies: {missing}"


def test_every_dependency_is_used() -> None:
    imported = set().union(*(_distributions(m) for m in _imports() if m not in OPTIONAL))
    idle = {_name(r) for r in _project()["dependencies"]} - imported - set(UNIMPORTED)
    assert not idle, f"declared but never imported (say why in UNIMPORTED): {sorted(idle)}"


def test_the_server_runs_on_uvicorns_c_parser_and_loop() -> None:
    """``serve`` leaves uvicorn's choice on "auto", which takes httptools and uvloop
    when they are installed: the survey answers' speed rests on them (docs/surveys.md)."""
    import sys

    import uvicorn

    config = uvicorn.Config(lambda scope, receive, send: None)
    config.load()
    assert config.http_protocol_class.__name__ == "HttpToolsProtocol"
    if sys.platform != "win32":
        assert config.get_loop_factory().__module__ == "uvloop"
