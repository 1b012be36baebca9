"""Fixtures for the render tests: the shipped templates and computed test batches."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from render_helpers import load_case  # noqa: E402

from labelapp.render.label.content import label_content
from labelapp.render.templates.loader import default_templates


@pytest.fixture(scope="session")
def templates():
    return default_templates()


@pytest.fixture(scope="session")
def glycine():
    """(BatchFile, BatchComputation) of the glycine 50 mg/mL, 30 mL case with a registered lot."""
    return load_case("glycine-30ml")


@pytest.fixture(scope="session")
def vial(glycine):
    return label_content(*glycine, "vial")


@pytest.fixture(scope="session")
def carton(glycine):
    return label_content(*glycine, "carton")
