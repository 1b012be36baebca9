"""The desktop app: the only package that imports Qt."""

# pydantic is imported whole before Qt. PySide6 installs an import hook (shibokensupport's
# feature_imported) that probes every module imported after it with ``inspect``; probing a module
# that is part-way through importing pydantic's lazily loaded attributes re-enters pydantic's
# ``__getattr__`` and fails with "partially initialized module 'pydantic._internal._validators'",
# so the real app (xcb, under Xvfb) could not open its register. tests/gui/test_real_start.py.
import pydantic.fields  # noqa: F401
