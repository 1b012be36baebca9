"""Suite-wide safety: Qt offscreen, and no test ever touches the real user's data or settings."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_SANDBOX = tempfile.mkdtemp(prefix="labelapp-tests-home-")
for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
    os.environ[var] = os.path.join(_SANDBOX, var.lower())
os.environ.pop("LABELAPP_DATABASE_URL", None)
