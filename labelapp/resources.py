"""Where the data files live: templates/, assets/ and examples/.

In a source checkout (or an editable install) they are the top-level folders of the
repository; in a wheel they are packaged under ``labelapp/_data``. Nothing here imports Qt.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    packaged = _PACKAGE / "_data"
    if (packaged / "templates").is_dir():
        return packaged
    return _PACKAGE.parent


def templates_dir() -> Path:
    return data_root() / "templates"


def assets_dir() -> Path:
    return data_root() / "assets"


def examples_dir() -> Path:
    return data_root() / "examples"


def font_path(name: str) -> Path:
    return assets_dir() / "fonts" / name
