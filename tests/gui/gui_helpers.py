"""Shared data for the GUI tests (a unique module name: `conftest` would be ambiguous across folders)."""

from __future__ import annotations

from labelapp import resources

PASSWORDS = {
    "admin": "admin-pass-0001",
    "alex": "alex-pass-0002",
    "sam": "sam-pass-00003",
    "pia": "pia-pass-00004",
    "quinn": "quinn-pass-0005",
}
PEOPLE = {
    "admin": ("Ada Admin", "admin"),
    "alex": ("Alex Rivera", "technician"),
    "sam": ("Sam Chen, PharmD", "pharmacist"),
    "pia": ("Pia Park, PharmD", "pharmacist"),
    "quinn": ("Quinn Quality", "qa"),
}
GLYCINE = resources.examples_dir() / "glycine-50mg-ml-30ml.json"
