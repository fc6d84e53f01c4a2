"""Spark tests: Apache Spark ``local[2]`` over a lake in a temporary folder.

They need pyspark (the ``dev`` extra installs it) and Java 17 (Debian's
openjdk-17-jre-headless); without either they skip and say which is missing.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess

import pytest


def _missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed: pip install -e '.[spark]'"
    java = shutil.which("java")
    if java is None:
        return "no Java on PATH: Spark needs Java 17 (apt-get install openjdk-17-jre-headless)"
    shown = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    if shown.returncode != 0:
        return f"`java -version` failed: {shown.stderr.strip()[:200]}"
    return None


MISSING = _missing()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/spark/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.spark)
            if MISSING:
                item.add_marker(pytest.mark.skip(reason=MISSING))


def lake_url(folder: object) -> str:
    """A Spark store's URL over a lake folder (two cores, a 2 GB driver)."""
    return f"pyspark://{folder}?master=local[2]&spark.driver.memory=2g"
