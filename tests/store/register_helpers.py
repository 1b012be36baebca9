"""Shared test data for the register tests: users, a glycine formula and batch files.

(Kept out of conftest.py so that test modules and child processes can import it by a unique name.)
"""

from __future__ import annotations

from datetime import datetime

from labelapp.domain.batch import BatchFile
from labelapp.services.register import Register

PASSWORDS = {
    "admin": "admin-pass-0001",
    "tech": "tech-pass-0002",
    "tech2": "tech-pass-0003",
    "pharm": "pharm-pass-0004",
    "pharm2": "pharm-pass-0005",
    "qa": "qa-pass-00006",
}
ROLES = {
    "admin": "admin",
    "tech": "technician",
    "tech2": "technician",
    "pharm": "pharmacist",
    "pharm2": "pharmacist",
    "qa": "qa",
}
NAMES = {
    "admin": "Ada Admin",
    "tech": "Tom Tech",
    "tech2": "Tia Tech",
    "pharm": "Pia Pharmacist",
    "pharm2": "Paul Pharmacist",
    "qa": "Quinn Quality",
}


def facility_data() -> dict:
    return {
        "name": "Example Outsourcing LLC",
        "address": "1 Main St, Springfield, IL 62701",
        "phone": "555-010-1234",
        "fei": "3012345678",
    }


def formula_data(version: int = 1) -> dict:
    return {
        "id": "GLY50",
        "version": version,
        "product_code": "G50",
        "established_name": "Glycine Injection",
        "dosage_form": "injection",
        "route": "intravenous",
        "container": {
            "type": "vial",
            "nominal_volume_ml": "30",
            "fill_volume_ml": "30.8",
            "closure": "20 mm grey butyl stopper, aluminium seal",
        },
        "package_type": "single-dose",
        "components": [
            {"ingredient": "glycine", "role": "active", "amount_per_ml": "50", "unit": "mg"},
            {"ingredient": "water for injection", "role": "vehicle"},
        ],
        "storage": {"condition": "controlled room temperature", "text": "Store at 20 to 25 C (68 to 77 F)."},
        "dating_rule": "usp797-cat2-aseptic-sterile-start",
    }


def batch_data(version: int = 1, units: int = 100, day: int = 15) -> dict:
    return {
        "facility": facility_data(),
        "formula": formula_data(version),
        "batch": {
            "formula_id": "GLY50",
            "formula_version": version,
            "units": units,
            "compounded_at": datetime(2026, 1, day, 9, 30).isoformat(),
            "compounded_by": "Tom Tech",
            "component_lots": [
                {"component": "glycine", "lot": "GL-2291", "manufacturer": "Spectrum", "expiry": "2028-01-31"},
                {
                    "component": "water for injection",
                    "lot": "W-7781",
                    "manufacturer": "Hospira",
                    "expiry": "2027-06-30",
                },
            ],
        },
    }


def make_batch_file(version: int = 1, units: int = 100, day: int = 15) -> BatchFile:
    return BatchFile.model_validate(batch_data(version, units, day))


def add_users(reg: Register, *names: str) -> dict:
    """Create the admin (bootstrap) and the named users; return name -> AuthenticatedUser."""
    if not reg.accounts.has_users():
        reg.accounts.create_user("admin", NAMES["admin"], "admin", PASSWORDS["admin"])
    admin = reg.accounts.authenticate("admin", PASSWORDS["admin"])
    out = {"admin": admin}
    for name in names:
        reg.accounts.create_user(name, NAMES[name], ROLES[name], PASSWORDS[name], actor=admin)
        out[name] = reg.accounts.authenticate(name, PASSWORDS[name])
    return out
