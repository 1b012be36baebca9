"""Facility ingredients: added by a pharmacist or QA, audited, used by every calculation in the register."""

from __future__ import annotations

import pytest
from register_helpers import PASSWORDS, add_users, batch_data

from labelapp.domain.batch import BatchFile
from labelapp.domain.errors import InputError, LabelappError, PermissionDenied
from labelapp.services import rendering

SUCROSE = {
    "name": "sucrose",
    "synonyms": ["saccharose"],
    "mw": "342.30",
    "particles": 1,
    "source": "CoA of the supplier",
}


def _sucrose_batch() -> BatchFile:
    data = batch_data(units=10)
    data["formula"]["components"].insert(
        1, {"ingredient": "saccharose", "role": "inactive", "amount_per_ml": "10", "unit": "mg"}
    )
    data["batch"]["component_lots"].append(
        {"component": "sucrose", "lot": "SU-1", "manufacturer": "Example", "expiry": "2028-01-31"}
    )
    return BatchFile.model_validate(data)


def test_a_facility_ingredient_is_used_for_batches_and_documents(any_reg):
    who = add_users(any_reg, "tech", "pharm", "pharm2", "qa")
    any_reg.formulas.add_ingredient("sucrose", SUCROSE, who["pharm2"])
    assert "saccharose" in any_reg.formulas.ingredient_table()
    bf = _sucrose_batch()
    any_reg.formulas.add(bf.formula, who["pharm2"])
    any_reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])
    batch = any_reg.batches.new(bf, who["tech"])
    comp = rendering.registered_batch(any_reg, batch.id).computation
    assert comp.osmolarity_mosmol_per_l == 695  # glycine 666.04 + sucrose 10/342.30*1000 = 29.21
    assert any(e.action == "ingredient.added" for e in any_reg.audit.entries(record_type="ingredient"))


@pytest.mark.parametrize(
    "clash",
    [
        {"name": "glycine", "mw": "75.07", "particles": 1},
        {"name": "kalium", "synonyms": ["KCl"], "mw": "74.55", "particles": 2},
    ],
)
def test_a_name_or_synonym_already_known_is_refused(reg, clash):
    who = add_users(reg, "pharm")
    with pytest.raises(LabelappError, match="already used"):
        reg.formulas.add_ingredient(clash["name"], clash, who["pharm"])
    assert reg.formulas.list_ingredients() == []


def test_a_bad_ingredient_is_refused_with_its_field(reg):
    who = add_users(reg, "pharm")
    with pytest.raises(InputError, match="mw: must be more than 0"):
        reg.formulas.add_ingredient("x", {"name": "x", "mw": "0", "particles": 1}, who["pharm"])


def test_a_technician_may_not_add_ingredients(reg):
    who = add_users(reg, "tech")
    with pytest.raises(PermissionDenied, match=r"tech \(technician\) may not add ingredients"):
        reg.formulas.add_ingredient("sucrose", SUCROSE, who["tech"])
