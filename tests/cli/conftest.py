"""Shared fixtures for the command-line tests: run `labelapp` in-process, and write batch files."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from labelapp import resources
from labelapp.cli import main

_GLYCINE = json.loads((resources.examples_dir() / "glycine-50mg-ml-30ml.json").read_text(encoding="utf-8"))


@dataclass
class Run:
    status: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


@pytest.fixture
def run(capsys):
    """run("calc", "file.json", "--json") -> Run(status, stdout, stderr), through labelapp.cli.main."""

    def _run(*argv: str) -> Run:
        status = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return Run(status, captured.out, captured.err)

    return _run


@pytest.fixture
def glycine_doc() -> dict:
    """The glycine 50 mg/mL example batch file as plain data, safe to edit."""
    return copy.deepcopy(_GLYCINE)


@pytest.fixture
def batch_file(tmp_path: Path):
    """batch_file(doc) -> path of a JSON file holding ``doc``."""

    def _write(doc: dict, name: str = "batch.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(doc), encoding="utf-8")
        return path

    return _write
