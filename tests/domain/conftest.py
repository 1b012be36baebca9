"""Shared fixtures for the domain tests: a fresh glycine batch file to edit."""

from __future__ import annotations

import copy
import json

import pytest

from labelapp import resources

_GLYCINE = json.loads((resources.examples_dir() / "glycine-50mg-ml-30ml.json").read_text(encoding="utf-8"))


@pytest.fixture
def glycine_doc() -> dict:
    """The glycine 50 mg/mL example batch file as plain data (compounded 2026-11-23), safe to edit."""
    return copy.deepcopy(_GLYCINE)
