"""Suite-wide safety: Qt offscreen, and no test ever touches the real user's data or settings."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_SANDBOX = tempfile.mkdtemp(prefix="labelapp-tests-home-")
atexit.register(shutil.rmtree, _SANDBOX, ignore_errors=True)
for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
    os.environ[var] = os.path.join(_SANDBOX, var.lower())
os.environ.pop("LABELAPP_DATABASE_URL", None)
