"""Shared fixtures for the calculation tests: a fresh glycine batch file to edit, and a way to compute it."""

from __future__ import annotations

import copy
import json

import pytest

from labelapp import resources
from labelapp.domain.settings import CalcSettings
from labelapp.services.calculate import calculate, parse_batch_data

_GLYCINE = json.loads((resources.examples_dir() / "glycine-50mg-ml-30ml.json").read_text(encoding="utf-8"))


@pytest.fixture
def glycine_doc() -> dict:
    """The glycine 50 mg/mL example batch file as plain data (compounded 2026-11-23), safe to edit."""
    return copy.deepcopy(_GLYCINE)


@pytest.fixture
def compute():
    """compute(doc, **settings) -> BatchComputation, through the same service the CLI uses."""

    def _compute(doc: dict, **settings):
        return calculate(parse_batch_data(doc), CalcSettings(**settings))

    return _compute
