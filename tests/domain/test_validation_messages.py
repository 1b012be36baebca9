"""Every refusal of a batch file: the field path a form puts the message on, and the words a user needs.

Each row breaks exactly one thing in the valid glycine example and expects exactly one issue back:
a second, derived complaint about the same mistake would send the user to the wrong field.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from labelapp.domain.errors import FieldIssue, InputError
from labelapp.services.calculate import calculate, parse_batch_data

Edit = Callable[[dict], None]
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _walk(doc: dict, path: str):
    keys = [int(i) if i else k for k, i in _STEP.findall(path)]
    parent = doc
    for key in keys[:-1]:
        parent = parent[key]
    return parent, keys[-1]


def put(path: str, value) -> Edit:
    def edit(doc: dict) -> None:
        parent, key = _walk(doc, path)
        parent[key] = value

    return edit


def drop(path: str) -> Edit:
    def edit(doc: dict) -> None:
        parent, key = _walk(doc, path)
        del parent[key]

    return edit


def both(*edits: Edit) -> Edit:
    def edit(doc: dict) -> None:
        for e in edits:
            e(doc)

    return edit


def add_lot(**fields) -> Edit:
    def edit(doc: dict) -> None:
        lots = doc["batch"]["component_lots"]
        lots.append({**lots[0], **fields})

    return edit


def issues_of(doc: dict) -> list[FieldIssue]:
    """All issues, whether caught field by field (pydantic) or across fields (the calculation)."""
    try:
        calculate(parse_batch_data(doc, source="batch.json"), source="batch.json")
    except InputError as exc:
        assert exc.source == "batch.json"
        return exc.issues
    return []


LOTS = "batch.component_lots"
COMP0 = "formula.components[0]"
CASES: list[tuple[str, Edit, str, list[str]]] = [
    # --- missing fields
    ("facility missing", drop("facility"), "facility", ["is required"]),
    ("compounded_by missing", drop("batch.compounded_by"), "batch.compounded_by", ["is required"]),
    ("compounded_at missing", drop("batch.compounded_at"), "batch.compounded_at", ["is required"]),
    ("ingredient missing", drop(f"{COMP0}.ingredient"), f"{COMP0}.ingredient", ["is required"]),
    ("lot expiry missing", drop(f"{LOTS}[0].expiry"), f"{LOTS}[0].expiry", ["is required"]),
    # --- amounts: zero, negative, absurd
    ("units 0", put("batch.units", 0), "batch.units", ["must be 1 or more"]),
    ("units -5", put("batch.units", -5), "batch.units", ["must be 1 or more"]),
    ("units 10**9", put("batch.units", 10**9), "batch.units", ["must be 100,000 or less"]),
    ("units not a number", put("batch.units", "ten"), "batch.units", ["must be a whole number"]),
    ("amount negative", put(f"{COMP0}.amount_per_ml", "-5"), f"{COMP0}.amount_per_ml", ["must be more than 0"]),
    ("amount zero", put(f"{COMP0}.amount_per_ml", "0"), f"{COMP0}.amount_per_ml", ["must be more than 0"]),
    ("amount NaN", put(f"{COMP0}.amount_per_ml", "NaN"), f"{COMP0}.amount_per_ml", ["finite number"]),
    (
        "amount in g, meant mg",
        put(f"{COMP0}.unit", "g"),
        f"{COMP0}.amount_per_ml",
        ["50 g/mL is more than 2,000 mg/mL", "check the amount and the unit"],
    ),
    ("amount absurd", put(f"{COMP0}.amount_per_ml", "1e400"), f"{COMP0}.amount_per_ml", ["more than 2,000 mg/mL"]),
    # zero and negative volumes: the seeded bugs slipped through here before
    (
        "nominal volume 0",
        put("formula.container.nominal_volume_ml", "0"),
        "formula.container.nominal_volume_ml",
        ["must be more than 0"],
    ),
    (
        "nominal volume -30",
        put("formula.container.nominal_volume_ml", "-30"),
        "formula.container.nominal_volume_ml",
        ["must be more than 0"],
    ),
    (
        "fill volume 0",
        put("formula.container.fill_volume_ml", "0"),
        "formula.container.fill_volume_ml",
        ["must be more than 0"],
    ),
    (
        "fill volume -1",
        put("formula.container.fill_volume_ml", "-1"),
        "formula.container.fill_volume_ml",
        ["must be more than 0"],
    ),
    ("amount per mL 0", put(f"{COMP0}.amount_per_ml", "0"), f"{COMP0}.amount_per_ml", ["must be more than 0"]),
    ("amount per mL negative", put(f"{COMP0}.amount_per_ml", "-50"), f"{COMP0}.amount_per_ml", ["must be more than 0"]),
    (
        "fill below nominal",
        put("formula.container.fill_volume_ml", "29"),
        "formula.container.fill_volume_ml",
        ["29 mL is less than the labeled 30 mL"],
    ),
    (
        "fill far over nominal",
        put("formula.container.fill_volume_ml", "40"),
        "formula.container.fill_volume_ml",
        ["40 mL is more than 25% over the labeled 30 mL"],
    ),
    ("potency 40%", put(f"{LOTS}[0].potency_percent", "40"), f"{LOTS}[0].potency_percent", ["must be more than 50"]),
    ("potency 120%", put(f"{LOTS}[0].potency_percent", "120"), f"{LOTS}[0].potency_percent", ["must be 110 or less"]),
    ("allowance 60%", put("batch.allowance_percent", "60"), "batch.allowance_percent", ["must be 50 or less"]),
    ("actual weight 0", put(f"{LOTS}[0].actual_amount_g", "0"), f"{LOTS}[0].actual_amount_g", ["must be more than 0"]),
    # --- ingredients
    (
        "unknown ingredient",
        put(f"{COMP0}.ingredient", "glycin"),
        f"{COMP0}.ingredient",
        ["unknown ingredient 'glycin'", "closest known: glycine"],
    ),
    (
        "unknown ingredient, misspelt salt",
        put(f"{COMP0}.ingredient", "potasium cloride"),
        f"{COMP0}.ingredient",
        ["unknown ingredient 'potasium cloride'", "potassium chloride"],
    ),
    (
        "unknown ingredient, nothing close",
        put(f"{COMP0}.ingredient", "zzqx"),
        f"{COMP0}.ingredient",
        ["unknown ingredient 'zzqx'", "labelapp ingredients"],
    ),
    (
        "unknown supplied form",
        put(f"{LOTS}[0].supplied_form", "glycin"),
        f"{LOTS}[0].supplied_form",
        ["unknown ingredient 'glycin'", "closest known: glycine"],
    ),
    (
        "supplied form of another salt",
        put(f"{LOTS}[0].supplied_form", "potassium chloride"),
        f"{LOTS}[0].supplied_form",
        ["potassium chloride is not a hydrate form of glycine"],
    ),
    # --- formula and batch must match
    (
        "formula id mismatch",
        put("batch.formula_id", "GLY-50-31"),
        "batch.formula_id",
        ["'GLY-50-31' does not match the formula 'GLY-50-30'"],
    ),
    (
        "formula version mismatch",
        put("batch.formula_version", 2),
        "batch.formula_version",
        ["version 2 does not match formula GLY-50-30 version 1"],
    ),
    # --- component lots
    (
        "lot for a non-component",
        add_lot(component="sodium chloride"),
        f"{LOTS}[2].component",
        ["'sodium chloride' is not a component of GLY-50-30", "components: glycine, water for injection"],
    ),
    (
        "no lot for a component",
        lambda d: d["batch"]["component_lots"].pop(0),
        LOTS,
        ["no lot recorded for component 'glycine'"],
    ),
    (
        "two lots for one component",
        add_lot(lot="GLY24118"),
        f"{LOTS}[2].component",
        ["a second lot for glycine", "one lot per component"],
    ),
    (
        "lot expired before compounding",
        put(f"{LOTS}[0].expiry", "2026-11-22"),
        f"{LOTS}[0].expiry",
        ["lot GLY24117 expired 2026-11-22, before compounding on 2026-11-23"],
    ),
    (
        "lot expiry not a date",
        put(f"{LOTS}[0].expiry", "2026-02-30"),
        f"{LOTS}[0].expiry",
        ["must be a date written YYYY-MM-DD"],
    ),
    ("lot manufacturer blank", put(f"{LOTS}[0].manufacturer", "   "), f"{LOTS}[0].manufacturer", ["must not be blank"]),
    # --- components
    (
        "duplicate component",
        lambda d: d["formula"]["components"].insert(1, dict(d["formula"]["components"][0])),
        "formula.components",
        ["glycine listed more than once"],
    ),
    (
        "duplicate through a synonym",
        lambda d: d["formula"]["components"].insert(
            1, {**d["formula"]["components"][0], "ingredient": "Aminoacetic acid"}
        ),
        "formula.components[1].ingredient",
        ["'Aminoacetic acid' is glycine, already listed as 'glycine'"],
    ),
    (
        "vehicle with an amount",
        put("formula.components[1].amount_per_ml", "1"),
        "formula.components[1].amount_per_ml",
        ["the vehicle is q.s. to volume; leave the amount out"],
    ),
    (
        "active without an amount",
        drop(f"{COMP0}.amount_per_ml"),
        f"{COMP0}.amount_per_ml",
        ["is required for an active component"],
    ),
    (
        "no active component",
        put(f"{COMP0}.role", "inactive"),
        "formula.components",
        ["at least one component must be active"],
    ),
    (
        "a solute as the vehicle",
        both(
            put("formula.components[1].ingredient", "sodium chloride"), put(f"{LOTS}[1].component", "sodium chloride")
        ),
        "formula.components[1].role",
        ["sodium chloride is a solute and cannot be the q.s. vehicle"],
    ),
    (
        "the solvent as an active",
        both(
            lambda d: d["formula"]["components"].pop(1),
            put(f"{COMP0}.ingredient", "water for injection"),
            lambda d: d["batch"]["component_lots"].pop(0),
        ),
        f"{COMP0}.role",
        ["water for injection is a solvent; give it the role 'vehicle'"],
    ),
    ("role misspelt", put(f"{COMP0}.role", "activ"), f"{COMP0}.role", ["'active'", "'vehicle'"]),
    # --- units banned by ISMP
    *[
        (
            f"unit {u}",
            put(f"{COMP0}.unit", u),
            f"{COMP0}.unit",
            [f"'{u}' is not allowed on labels (ISMP)", f"use {use}"],
        )
        for u, use in [("µg", "mcg"), ("μg", "mcg"), ("ug", "mcg"), ("cc", "mL"), ("IU", "units"), ("U", "units")]
    ],
    ("unit unknown", put(f"{COMP0}.unit", "kg"), f"{COMP0}.unit", ["'g', 'mg', 'mcg' or 'units'"]),
    # --- identifiers and contact
    ("bad NDC", put("formula.ndc", "12345"), "formula.ndc", ["'12345' is not a 10-digit NDC", "5-3-2"]),
    (
        "NDC of another labeler",
        both(put("formula.ndc", "12345-678-90"), put("facility.ndc_labeler_code", "99999")),
        "formula.ndc",
        ["12345-678-90 does not start with the facility's labeler code 99999"],
    ),
    (
        "bad labeler code",
        put("facility.ndc_labeler_code", "123"),
        "facility.ndc_labeler_code",
        ["must be 4 or 5 digits"],
    ),
    ("bad phone", put("facility.phone", "call us"), "facility.phone", ["'call us' is not a phone number"]),
    ("phone too short", put("facility.phone", "555-01"), "facility.phone", ["is not a phone number"]),
    (
        "lot number with @",
        put("batch.lot_number", "20261123@35"),
        "batch.lot_number",
        ["contains '@'; a lot number may use letters, digits and - . / _ only"],
    ),
    (
        "lot number of 21 characters",
        put("batch.lot_number", "G50-20261123-00000001"),
        "batch.lot_number",
        ["has 21 characters; GS1 AI (10) allows at most 20"],
    ),
    # --- spelling
    ("unknown batch field", put("batch.untis", 100), "batch.untis", ["is not a known field (check the spelling)"]),
    ("unknown top-level field", put("formulae", {}), "formulae", ["is not a known field"]),
    ("unknown lot field", put(f"{LOTS}[0].potency", "99"), f"{LOTS}[0].potency", ["is not a known field"]),
    # --- dating
    (
        "unknown dating rule",
        put("formula.dating_rule", "usp797-cat9"),
        "formula.dating_rule",
        ["unknown dating rule 'usp797-cat9'", "closest:"],
    ),
    (
        "storage not in the rule",
        both(put("formula.dating_rule", "usp797-cat1"), put("formula.storage", {"condition": "frozen"})),
        "formula.dating_rule",
        [
            "rule 'usp797-cat1' gives no days or hours for storage at frozen",
            "it covers: controlled room temperature, refrigerated",
        ],
    ),
    (
        "storage condition unknown",
        put("formula.storage.condition", "cold"),
        "formula.storage.condition",
        ["'controlled room temperature'", "'refrigerated'", "'frozen'"],
    ),
    (
        "compounded_at not a date",
        put("batch.compounded_at", "2026-13-01T08:00"),
        "batch.compounded_at",
        ["must be a date and time written YYYY-MM-DDTHH:MM"],
    ),
]


@pytest.mark.parametrize(("edit", "path", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_one_mistake_one_message_on_its_field(glycine_doc: dict, edit: Edit, path: str, words: list[str]) -> None:
    edit(glycine_doc)
    issues = issues_of(glycine_doc)
    assert [i.path for i in issues] == [path], [str(i) for i in issues]
    for word in words:
        assert word in issues[0].message


def test_the_example_itself_has_no_issue(glycine_doc: dict) -> None:
    assert issues_of(glycine_doc) == []


def test_independent_mistakes_are_all_reported(glycine_doc: dict) -> None:
    put("batch.units", 0)(glycine_doc)
    put("facility.phone", "call us")(glycine_doc)
    with pytest.raises(InputError) as info:
        parse_batch_data(glycine_doc, source="batch.json")
    assert [i.path for i in info.value.issues] == ["facility.phone", "batch.units"]
    assert (
        str(info.value) == "batch.json: facility.phone: 'call us' is not a phone number (digits, spaces, + ( ) - . "
        "only) (and 1 more problem)"
    )
    assert info.value.details().splitlines() == [
        "batch.json: facility.phone: 'call us' is not a phone number (digits, spaces, + ( ) - . only)",
        "batch.json: batch.units: must be 1 or more",
    ]


@pytest.mark.parametrize("data", [[], "a string", 42, None])
def test_a_batch_file_must_hold_an_object(data) -> None:
    with pytest.raises(InputError, match="a batch file must hold an object with facility, formula and batch"):
        parse_batch_data(data)


def test_names_are_normalised(glycine_doc: dict) -> None:
    put("batch.compounded_by", "  Alex   Rivera ")(glycine_doc)
    put("facility.name", " Example   Outsourcing  Facility LLC")(glycine_doc)
    bf = parse_batch_data(glycine_doc)
    assert bf.batch.compounded_by == "Alex Rivera"
    assert bf.facility.name == "Example Outsourcing Facility LLC"


@pytest.mark.parametrize("ndc", ["1234-5678-90", "12345-678-90", "12345-6789-0", ""])
def test_valid_ndc_forms(glycine_doc: dict, ndc: str) -> None:
    put("formula.ndc", ndc)(glycine_doc)
    assert parse_batch_data(glycine_doc).formula.ndc == (ndc or None)


def test_a_blank_field_reads_is_required_not_a_type_error():
    from pydantic import ValidationError

    from labelapp.domain.batch import Batch
    from labelapp.domain.errors import issues_from_validation

    with pytest.raises(ValidationError) as info:
        Batch.model_validate(
            {
                "formula_id": "G",
                "formula_version": 1,
                "units": None,
                "compounded_at": None,
                "compounded_by": "Alex Rivera",
            }
        )
    assert {(i.path, i.message) for i in issues_from_validation(info.value)} == {
        ("units", "is required"),
        ("compounded_at", "is required"),
    }
