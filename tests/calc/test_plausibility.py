"""Plausibility findings a pharmacist must acknowledge before labels print (docs/domain.md §4.8).

The register builds the e-signed acknowledgement on ``BatchComputation.acknowledgements_required``; these
tests pin its shape: a stable code, the value, the limit, the limit's source and a plain-words message.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal as D

import pytest

from labelapp import resources
from labelapp.domain.errors import InputError
from labelapp.domain.settings import CalcSettings, PotencyRange
from labelapp.services.calculate import calculate, parse_batch_data

EXAMPLES = sorted(resources.examples_dir().glob("*.json"))
KCL = resources.examples_dir() / "potassium-chloride-2meq-ml-10ml.json"
OXYTOCIN = resources.examples_dir() / "oxytocin-30-units-500ml-bag.json"


def doc_of(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def run(doc: dict, **settings):
    return calculate(parse_batch_data(copy.deepcopy(doc)), CalcSettings(**settings))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_shipped_examples_need_no_acknowledgement(path) -> None:
    assert run(doc_of(path)).acknowledgements_required == []


def test_concentration_above_the_ingredient_ceiling() -> None:
    doc = doc_of(KCL)
    doc["formula"]["components"][0]["amount_per_ml"] = "350"
    r = run(doc)
    [finding] = r.acknowledgements_required
    assert finding.code == "concentration-above-ceiling:potassium chloride"
    assert finding.kind == "concentration-above-ceiling"
    assert (finding.component, finding.lot) == ("potassium chloride", None)
    assert (finding.value, finding.limit, finding.unit) == (D(350), D(340), "mg/mL")
    assert finding.source.startswith("solubility about 344 g per L of water at 20 °C")
    assert finding.message.startswith(
        "potassium chloride 350 mg/mL is above the maximum concentration of 340 mg/mL for potassium chloride "
        "(source: solubility about 344 g per L"
    )
    assert finding.message.endswith("A pharmacist must confirm it before labels are printed.")
    assert finding.message in r.warnings  # shown wherever warnings are shown today


def test_the_ceiling_itself_is_plausible() -> None:
    doc = doc_of(KCL)
    doc["formula"]["components"][0]["amount_per_ml"] = "340"
    assert run(doc).acknowledgements_required == []


def test_units_concentration_above_the_highest_approved_product() -> None:
    doc = doc_of(OXYTOCIN)
    doc["formula"]["components"][0]["amount_per_ml"] = "12"
    [finding] = run(doc).acknowledgements_required
    assert finding.code == "concentration-above-ceiling:oxytocin"
    assert (finding.value, finding.limit, finding.unit) == (D(12), D(10), "units/mL")
    assert "Pitocin 10 USP units/mL" in finding.source
    assert finding.message.startswith("oxytocin 12 units/mL is above the maximum concentration of 10 units/mL")


@pytest.mark.parametrize(
    ("potency", "settings", "found"),
    [
        ("99.8", {}, None),
        ("90", {}, None),  # the limits themselves are inside
        ("89.9", {}, ("below", D(90))),
        ("94", {"potency_range_percent": {"min_percent": 95, "max_percent": 105}}, ("below", D(95))),
        ("106", {"potency_range_percent": {"min_percent": 95, "max_percent": 105}}, ("above", D(105))),
    ],
)
def test_coa_potency_outside_the_configured_range(potency, settings, found) -> None:
    doc = doc_of(KCL)
    doc["batch"]["component_lots"][0]["potency_percent"] = potency
    findings = run(doc, **settings).acknowledgements_required
    if found is None:
        assert findings == []
        return
    [finding] = findings
    side, limit = found
    assert finding.code == "potency-outside-range:potassium chloride"
    assert (finding.lot, finding.value, finding.limit, finding.unit) == ("KCL25031", D(potency), limit, "%")
    assert finding.source == "facility setting calc.potency_range_percent"
    assert f"Lot KCL25031 of potassium chloride has a CoA potency of {potency}%, {side} the accepted range" in (
        finding.message
    )


def test_osmolarity_above_the_configured_ceiling() -> None:
    r = run(doc_of(KCL), osmolarity_ceiling=2000)
    [finding] = r.acknowledgements_required
    assert finding.code == "osmolarity-above-ceiling"
    assert (finding.component, finding.value, finding.limit, finding.unit) == (None, D(3997), D(2000), "mOsmol/L")
    assert finding.source == "facility setting calc.osmolarity_ceiling"
    assert finding.message.startswith("Osmolarity 3,997 mOsmol/L (calc) is above the ceiling of 2,000 mOsmol/L")
    assert run(doc_of(KCL), osmolarity_ceiling=0).acknowledgements_required == []  # 0: no ceiling
    assert run(doc_of(KCL), osmolarity_ceiling=3997).acknowledgements_required == []  # at the ceiling: inside


def test_default_osmolarity_ceiling_names_its_source() -> None:
    doc = doc_of(KCL)
    doc["formula"]["components"][0]["amount_per_ml"] = "1000"  # 26,828 mOsmol/L: also above the KCl ceiling
    codes = [(f.code, f.source[:41]) for f in run(doc).acknowledgements_required]
    assert codes == [
        ("concentration-above-ceiling:potassium chloride", "solubility about 344 g per L of water at "),
        ("osmolarity-above-ceiling", "facility setting calc.osmolarity_ceiling "),
    ]
    assert "ammonium chloride 5 mEq/mL, is labeled 10 mOsmol/mL (calc.)" in run(doc).acknowledgements_required[1].source


def test_findings_are_stable_between_runs() -> None:
    doc = doc_of(KCL)
    doc["formula"]["components"][0]["amount_per_ml"] = "350"
    doc["batch"]["component_lots"][0]["potency_percent"] = "80"
    first = run(doc).acknowledgements_required
    assert [f.code for f in first] == [
        "concentration-above-ceiling:potassium chloride",
        "potency-outside-range:potassium chloride",
    ]
    assert first == run(doc).acknowledgements_required
    assert [f.model_dump(mode="json") for f in first] == json.loads(
        json.dumps([f.model_dump(mode="json") for f in run(doc).acknowledgements_required])
    )


def test_settings_validate_their_range() -> None:
    assert CalcSettings().potency_range_percent == PotencyRange(min_percent=D(90), max_percent=D(110))
    assert CalcSettings().osmolarity_ceiling == D(10500)
    with pytest.raises(ValueError, match="min_percent must be below max_percent"):
        PotencyRange(min_percent=D(105), max_percent=D(95))
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        CalcSettings(osmolarity_ceiling=-1)


def test_settings_key_reaches_the_register_dotted_path() -> None:
    from labelapp.domain.settings import RegisterSettings, changed_settings, top_level_changes

    current = RegisterSettings()
    changes = top_level_changes(
        current, {"calc.potency_range_percent.min_percent": "95", "calc.osmolarity_ceiling": "0"}
    )
    new = changed_settings(current, changes)
    assert new.calc.potency_range_percent.min_percent == D(95)
    assert new.calc.osmolarity_ceiling == D(0)
    with pytest.raises(InputError, match="min_percent must be below max_percent"):
        changed_settings(current, top_level_changes(current, {"calc.potency_range_percent.min_percent": "110"}))
