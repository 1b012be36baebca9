"""`labelapp calc`, `labelapp ingredients` and `labelapp schema` as a user runs them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from labelapp import resources

EXAMPLES = sorted(resources.examples_dir().glob("*.json"))
GLYCINE = resources.examples_dir() / "glycine-50mg-ml-30ml.json"
KCL = resources.examples_dir() / "potassium-chloride-2meq-ml-10ml.json"
LABELAPP = Path(sys.executable).with_name("labelapp")


def assert_one_line_error(r, *words: str) -> None:
    """Refusal contract: exit status 2, nothing on stdout, ONE line on stderr, no traceback."""
    assert r.status == 2
    assert r.out == ""
    lines = r.err.splitlines()
    assert len(lines) == 1, r.err
    assert lines[0].startswith("labelapp: error: ")
    assert "Traceback" not in r.err
    for word in words:
        assert word in lines[0]


# --- a batch file -------------------------------------------------------------------------------------


def test_glycine_text_report(run) -> None:
    r = run("calc", GLYCINE)
    assert r.status == 0 and r.err == ""
    rows = dict(re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in r.out.split("\n\n")[0].splitlines())
    assert rows["Strength"] == "1,500 mg per 30 mL (50 mg/mL)"
    assert rows["Osmolarity"] == "666 mOsmol/L (calc) [hypertonic]"
    assert rows["Expiry"] == "EXP 2026-12-23"
    assert rows["Expiry basis"].startswith("Dating rule usp797-cat2-aseptic-sterility-tested: ")
    assert "30 days at controlled room temperature from 2026-11-23" in rows["Expiry basis"]
    assert rows["Lot"].startswith("G50-261123-01")
    assert rows["Batch volume"] == "3,234 mL"
    amounts = r.out.split("Amounts to weigh:\n")[1].split("\n\n")[0]
    assert re.search(r"glycine lot GLY24117\s+162\.35 g", amounts)
    assert re.search(r"water for injection lot WFI-2611-07\s+q\.s\. to 3,234 mL", amounts)
    assert "Hypertonic (666 mOsmol/L ≥ 375)." in r.out
    assert "Osmolarity (calc): 50 g/L ÷ 75.07 g/mol × 1 particle × 1000 = 666 mOsmol/L (calc)" in r.out


STABLE_KEYS = {
    "osmolarity_mosmol_per_l",
    "osmolarity_text",
    "tonicity",
    "tonicity_warnings",
    "meq_per_ml",
    "components",
    "workings",
    "product_name",
    "strength_text",
    "strength_per_ml_text",
    "quantity_text",
    "package_text",
    "ingredients_text",
    "lot_number",
    "lot_provisional",
    "compounded_date",
    "expiration_date",
    "expiration_text",
    "expiration_basis",
    "expiration_rule",
    "batch_volume_ml",
    "amounts_to_weigh",
    "warnings",
    "label_count",
}


def test_glycine_json(run) -> None:
    r = run("calc", GLYCINE, "--json")
    assert r.status == 0 and r.err == ""
    data = r.json
    assert STABLE_KEYS <= set(data)
    assert data["osmolarity_mosmol_per_l"] == 666 and isinstance(data["osmolarity_mosmol_per_l"], int)
    assert data["tonicity"] == "hypertonic"
    assert data["strength_text"] == "1,500 mg per 30 mL (50 mg/mL)"
    assert data["meq_per_ml"] == {}
    assert [c["ingredient"] for c in data["components"]] == ["glycine", "water for injection"]
    assert data["components"][0]["osmolarity_mosmol_per_l"] == pytest.approx(666.045, abs=0.001)
    assert data["expiration_date"] == "2026-12-23"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["compounded_date"])
    assert "usp797-cat2-aseptic-sterility-tested" in data["expiration_basis"]
    assert data["lot_number"] == "G50-261123-01"
    glycine = data["amounts_to_weigh"][0]
    assert (glycine["component"], glycine["lot"], glycine["text"]) == ("glycine", "GLY24117", "162.35 g")
    assert glycine["theoretical_g"] == pytest.approx(162.349, abs=0.001)


def test_json_output_is_stable_between_runs(run) -> None:
    assert run("calc", KCL, "--json").out == run("calc", KCL, "--json").out


def test_meq_keys_are_lower_case_ion_names(run) -> None:
    data = run("calc", KCL, "--json").json
    assert data["meq_per_ml"] == {"chloride": pytest.approx(2, abs=0.005), "potassium": pytest.approx(2, abs=0.005)}
    assert data["components"][0]["meq_per_ml"].keys() == {"chloride", "potassium"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_computes(run, example: Path) -> None:
    r = run("calc", example, "--json")
    assert r.status == 0, r.err
    data = r.json
    assert re.fullmatch(r"EXP \d{4}-\d{2}-\d{2}", data["expiration_text"])
    assert data["osmolarity_mosmol_per_l"] > 0
    assert all(a["theoretical_g"] is None or a["theoretical_g"] > 0 for a in data["amounts_to_weigh"])
    assert run("calc", example).status == 0


def test_there_are_examples_to_compute() -> None:
    assert {p.name for p in EXAMPLES} >= {
        "oxytocin-30-units-500ml-bag.json",
        "glycine-50mg-ml-30ml.json",
        "potassium-chloride-2meq-ml-10ml.json",
        "sodium-bicarbonate-8.4pct-50ml.json",
        "sodium-phosphates-3mmol-ml-15ml.json",
    }


@pytest.mark.parametrize(
    ("example", "osmolarity", "meq"),
    [
        ("potassium-chloride-2meq-ml-10ml.json", 3997, {"potassium": 2, "chloride": 2}),
        ("sodium-bicarbonate-8.4pct-50ml.json", 2000, {"sodium": 1, "bicarbonate": 1}),
        ("sodium-phosphates-3mmol-ml-15ml.json", 7001, {"sodium": 4}),
    ],
)
def test_example_values_match_their_labels(run, example: str, osmolarity: int, meq: dict) -> None:
    data = run("calc", resources.examples_dir() / example, "--json").json
    assert data["osmolarity_mosmol_per_l"] == osmolarity
    for ion, value in meq.items():
        assert data["meq_per_ml"][ion] == pytest.approx(value, rel=0.005)


def test_strength_report_shows_the_leading_expression_and_why(run) -> None:
    r = run("calc", KCL)
    rows = dict(re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in r.out.split("\n\n")[0].splitlines())
    assert rows["Strength"] == "20 mEq per 10 mL (2 mEq/mL)"
    assert rows["Salt weight"] == "potassium chloride 1,490 mg per 10 mL"
    assert rows["Strength basis, potassium chloride"] == (
        "strength stated in mEq: potassium chloride is an electrolyte (ingredient kind); formula setting: —"
    )
    data = run("calc", KCL, "--json").json
    assert data["strength_lines"] == ["20 mEq per 10 mL (2 mEq/mL)"]
    assert data["strength_choices"][0]["basis"] == "meq"
    assert data["acknowledgements_required"] == []


def test_acknowledgements_in_the_report(run, tmp_path: Path) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text("osmolarity_ceiling: 2000\n", encoding="utf-8")
    r = run("calc", KCL, "--settings", settings)
    assert "Needs a pharmacist's acknowledgement before labels print:" in r.out
    assert "  - [osmolarity-above-ceiling] Osmolarity 3,997 mOsmol/L (calc) is above the ceiling of 2,000" in r.out
    [finding] = run("calc", KCL, "--settings", settings, "--json").json["acknowledgements_required"]
    assert finding["code"] == "osmolarity-above-ceiling"
    assert (finding["value"], finding["limit"], finding["unit"]) == ("3997", "2000", "mOsmol/L")


def test_settings_file_changes_the_result(run, tmp_path: Path) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text("compounding_day_is_day: 1\nlot_pattern: '{yyyy}{mm}{dd}-{seq}'\n", encoding="utf-8")
    data = run("calc", GLYCINE, "--settings", settings, "--json").json
    assert data["expiration_date"] == "2026-12-22"
    assert data["lot_number"] == "20261123-1"


# --- ad-hoc solutions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "osmolarity"),
    [
        ("potassium chloride=149 mg/mL", 3997),
        ("sodium chloride=0.9%", 308),
        ("sodium chloride=0.9 % w/v", 308),
        ("sodium chloride=0.9 g/100 mL", 308),
        ("sodium chloride=9 g/L", 308),
        ("sodium chloride=9000 mg/L", 308),
        ("glycine=50000 mcg/mL", 666),
        ("glycine=0.05 g/mL", 666),
        ("potassium chloride=2 mEq/mL", 4000),
        ("calcium chloride=1.36 mEq/mL", 2040),  # mEq of the first ion, calcium (valence 2)
        ("sodium chloride=154 mmol/L", 308),
        ("sodium phosphate dibasic anhydrous=1 mmol/mL", 3000),
        ("Glycine = 1,500 mg/L", 20),
        ("dextrose=.5%", 25),
    ],
)
def test_solute_units(run, spec: str, osmolarity: int) -> None:
    r = run("calc", "--solute", spec, "--json")
    assert r.status == 0, r.err
    assert r.json["osmolarity_mosmol_per_l"] == osmolarity


def test_solute_text_report(run) -> None:
    r = run("calc", "--solute", "potassium chloride=149 mg/mL")
    assert r.status == 0
    assert re.search(r"Osmolarity\s+3,997 mOsmol/L \(calc\)", r.out)
    assert re.search(r"Tonicity\s+hypertonic", r.out)
    assert re.search(r"mEq\s+chloride 2 mEq/mL; potassium 2 mEq/mL", r.out)
    assert "Exceeds 900 mOsmol/L: central venous administration." in r.out


def test_units_solute_adds_no_osmolarity_of_its_own(run) -> None:
    """Oxytocin 0.06 units/mL in 0.9% sodium chloride: 308 mOsmol/L, all of it from the saline."""
    data = run("calc", "--solute", "oxytocin=0.06 units/mL", "--solute", "sodium chloride=0.9%", "--json").json
    assert data["osmolarity_mosmol_per_l"] == 308
    oxytocin = data["components"][0]
    assert (oxytocin["unit"], oxytocin["amount_per_ml"], oxytocin["mg_per_ml"]) == ("units", 0.06, None)
    assert oxytocin["osmolarity_mosmol_per_l"] is None and oxytocin["meq_per_ml"] == {}
    text = run("calc", "--solute", "heparin=100 units/mL").out
    assert re.search(r"heparin sodium\s+100 units/mL \(USP units: no osmolarity of its own\)", text)


def test_several_solutes_add_up(run) -> None:
    data = run("calc", "--solute", "dextrose=5%", "--solute", "sodium chloride=0.9%", "--json").json
    assert data["osmolarity_mosmol_per_l"] == 560  # D5NS, labeled 560
    assert [c["ingredient"] for c in data["components"]] == ["dextrose monohydrate", "sodium chloride"]
    assert {"osmolarity_mosmol_per_l", "tonicity", "meq_per_ml", "components", "workings"} <= set(data)


def test_extra_ingredient_table(run, tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text('ingredients:\n  - {name: sodium gluconate, mw: "218.14", particles: 2}\n', encoding="utf-8")
    r = run("calc", "--ingredients", extra, "--solute", "sodium gluconate=21.814 mg/mL", "--json")
    assert r.json["osmolarity_mosmol_per_l"] == 200


# --- refusals: exit 2, one line naming the field ------------------------------------------------------

SOLUTE_ERRORS = [
    ("glycine", ["--solute 'glycine'", "write NAME=AMOUNT UNIT"]),
    ("glycin=5%", ["--solute 'glycin=5%'", "unknown ingredient 'glycin'", "closest known: glycine"]),
    ("glycine=-5%", ["the amount must be greater than 0"]),
    ("glycine=0 mg/mL", ["the amount must be greater than 0"]),
    ("glycine=abc mg/mL", ["write NAME=AMOUNT UNIT"]),
    ("glycine=5 µg/mL", ["unit 'µg/mL' not understood", "mcg/ml"]),
    ("glycine=5 cc", ["unit 'cc' not understood"]),
    ("sodium chloride=1,5%", ["'1,5': write the decimal point as '.'"]),
    ("glycine=1 mEq/mL", ["glycine has no ions, so mEq does not apply"]),
    ("water for injection=5%", ["water for injection is the vehicle, not a solute"]),
    ("glycine=3000 mg/mL", ["3000 mg/mL is more than 2,000 mg/mL"]),
    ("glycine=1e999 mg/mL", ["is not a plausible concentration"]),
    ("oxytocin=0.02 mg/mL", ["oxytocin is dosed in USP units: give units/mL"]),
    ("glycine=5 units/mL", ["glycine is not dosed in USP units; use a mass or molar unit"]),
]


@pytest.mark.parametrize(("spec", "words"), SOLUTE_ERRORS, ids=[s for s, _ in SOLUTE_ERRORS])
def test_bad_solute(run, spec: str, words: list[str]) -> None:
    assert_one_line_error(run("calc", "--solute", spec), *words)


def test_same_solute_twice(run) -> None:
    assert_one_line_error(
        run("calc", "--solute", "NaCl=0.9%", "--solute", "sodium chloride=1%"),
        "--solute: sodium chloride given more than once",
    )


def _apply(doc: dict, changes: dict) -> None:
    """{"formula.components.0.ingredient": "glycin"}: set each dotted path (digits index lists)."""
    for path, value in changes.items():
        *parents, last = path.split(".")
        target = doc
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[last] = value


BATCH_ERRORS = [
    ("units 0", {"batch.units": 0}, ["batch.units", "must be 1 or more"]),
    ("bad phone", {"facility.phone": "call us"}, ["facility.phone", "not a phone number"]),
    (
        "unknown ingredient",
        {"formula.components.0.ingredient": "glycin"},
        ["formula.components[0].ingredient", "closest known: glycine"],
    ),
    (
        "expired lot",
        {"batch.component_lots.0.expiry": "2026-11-22"},
        ["batch.component_lots[0].expiry: lot GLY24117 expired 2026-11-22, before compounding on 2026-11-23"],
    ),
    (
        "fill below nominal",
        {"formula.container.fill_volume_ml": "29"},
        ["formula.container.fill_volume_ml: 29 mL is less than the labeled 30 mL"],
    ),
    ("misspelt field", {"batch.untis": 3}, ["batch.untis: is not a known field (check the spelling)"]),
    (
        "storage not in rule",
        {"formula.dating_rule": "usp797-cat1", "formula.storage.condition": "frozen", "formula.storage.handling": []},
        ["formula.dating_rule: rule 'usp797-cat1' gives no days or hours for storage at frozen"],
    ),
    ("formula version", {"batch.formula_version": 3}, ["batch.formula_version", "version 3 does not match"]),
    ("amount in g", {"formula.components.0.unit": "g"}, ["formula.components[0].amount_per_ml", "2,000 mg/mL"]),
]


@pytest.mark.parametrize(("changes", "words"), [c[1:] for c in BATCH_ERRORS], ids=[c[0] for c in BATCH_ERRORS])
def test_bad_batch_file(run, glycine_doc, batch_file, changes, words) -> None:
    _apply(glycine_doc, changes)
    path = batch_file(glycine_doc)
    assert_one_line_error(run("calc", path), f"{path}: ", *words)
    assert_one_line_error(run("calc", path, "--json"), *words)


def test_several_mistakes_give_one_line_each(run, glycine_doc, batch_file) -> None:
    """Independent mistakes are all listed, one line per field, so the user can fix them in one pass."""
    _apply(glycine_doc, {"batch.units": 0, "facility.phone": "call us"})
    path = batch_file(glycine_doc)
    r = run("calc", path)
    assert r.status == 2 and r.out == "" and "Traceback" not in r.err
    assert r.err.splitlines() == [
        f"labelapp: error: {path}: facility.phone: 'call us' is not a phone number (digits, spaces, + ( ) - . only)",
        f"{path}: batch.units: must be 1 or more",
    ]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("bad.json", '{\n  "facility": {,}\n}', ["bad.json: line 2 column 16: not valid JSON"]),
        ("bad.yaml", "batch:\n  units: [1,\n", ["bad.yaml: line 3 column 1: not valid YAML"]),
        ("list.json", "[]", ["must hold an object with facility, formula and batch"]),
    ],
)
def test_unreadable_batch_file(run, tmp_path: Path, name: str, content: str, words: list[str]) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert_one_line_error(run("calc", path), *words)


def test_missing_file_and_directory(run, tmp_path: Path) -> None:
    assert_one_line_error(run("calc", tmp_path / "nope.json"), "nope.json: file not found")
    assert_one_line_error(run("calc", tmp_path), "is a folder, not a data file")


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["calc"], ["calc: give a batch FILE or at least one --solute"]),
        (["calc", str(GLYCINE), "--solute", "glycine=5%"], ["give either a batch FILE or --solute, not both"]),
        (["calc", "--frobnicate"], ["unrecognized arguments: --frobnicate"]),
        (["calq"], ["invalid choice: 'calq'"]),
    ],
)
def test_bad_command_line(run, argv: list[str], words: list[str]) -> None:
    assert_one_line_error(run(*argv), *words)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("compounding_day_is_day: 2\n", ["compounding_day_is_day", "must be 1 or less"]),
        ("lot_pattern: '{julian}-{seq}'\n", ["lot_pattern: unknown field {julian}"]),
        ("lot_pattern: '{code}-{yy:02d}-{seq}'\n", ["lot_pattern:", "cannot be filled in"]),
    ],
)
def test_bad_settings_file(run, tmp_path: Path, content: str, words: list[str]) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text(content, encoding="utf-8")
    assert_one_line_error(run("calc", GLYCINE, "--settings", settings), *words)


def test_extra_ingredient_table_may_not_redefine_a_reference_ingredient(run, tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text('ingredients:\n  - {name: potassium chloride, mw: "74.6", particles: 2}\n', encoding="utf-8")
    assert_one_line_error(
        run("calc", "--ingredients", extra, "--solute", "KCl=149 mg/mL"),
        "extra.yaml: ingredients[0].name",
        "'potassium chloride' is already used",
    )


# --- ingredients and schema ---------------------------------------------------------------------------


def test_ingredients_list_and_show(run) -> None:
    listing = run("ingredients")
    assert listing.status == 0
    assert re.search(r"^glycine\s+75\.07 g/mol, 1 particle$", listing.out, re.M)
    assert re.search(r"^calcium chloride dihydrate\s+147\.01 g/mol, 3 particles$", listing.out, re.M)
    assert re.search(r"^heparin sodium\s+USP units, 0 particles$", listing.out, re.M)  # no MW: no crash
    heparin = run("ingredients", "heparin")
    assert heparin.status == 0 and re.search(r"MW\s+none: dosed in USP units", heparin.out)
    shown = run("ingredients", "dextrose")
    assert re.search(r"Name\s+dextrose monohydrate", shown.out)
    assert re.search(r"MW\s+198\.17 g/mol", shown.out)
    assert_one_line_error(run("ingredients", "glucos"), "unknown ingredient 'glucos'", "closest known:")


def _check_schema(schema: dict, defs: dict, value, where: str = "$") -> list[str]:
    """A small validator for the JSON Schema keywords pydantic emits (enough to check the examples)."""
    if "$ref" in schema:
        return _check_schema(defs[schema["$ref"].removeprefix("#/$defs/")], defs, value, where)
    if "anyOf" in schema:
        results = [_check_schema(s, defs, value, where) for s in schema["anyOf"]]
        return [] if any(not r for r in results) else results[0]
    kind = schema.get("type")
    checks = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
    if kind == "integer" and not (isinstance(value, int) and not isinstance(value, bool)):
        return [f"{where}: not an integer"]
    if kind == "number" and not isinstance(value, int | float):
        return [f"{where}: not a number"]
    if kind in checks and not isinstance(value, checks[kind]):
        return [f"{where}: not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: not one of {schema['enum']}"]
    errors = []
    if kind == "object":
        errors += [f"{where}.{k}: required" for k in schema.get("required", []) if k not in value]
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            errors += [f"{where}.{k}: not allowed" for k in value if k not in props]
        for k, v in value.items():
            if k in props:
                errors += _check_schema(props[k], defs, v, f"{where}.{k}")
    if kind == "array":
        for i, item in enumerate(value):
            errors += _check_schema(schema.get("items", {}), defs, item, f"{where}[{i}]")
    return errors


def test_schema_is_json_schema_that_accepts_the_examples_and_rejects_a_typo(run) -> None:
    r = run("schema")
    assert r.status == 0
    schema = json.loads(r.out)
    defs = schema["$defs"]
    refs = re.findall(r'"\$ref": "#/\$defs/([^"]+)"', r.out)
    assert refs and set(refs) <= set(defs)
    assert schema["type"] == "object" and schema["required"] == ["facility", "formula", "batch"]
    for example in EXAMPLES:
        assert _check_schema(schema, defs, json.loads(example.read_text(encoding="utf-8"))) == [], example.name
    doc = json.loads(GLYCINE.read_text(encoding="utf-8"))
    doc["batch"]["untis"] = 1
    del doc["facility"]["phone"]
    assert _check_schema(schema, defs, doc) == ["$.facility.phone: required", "$.batch.untis: not allowed"]


# --- the installed command ----------------------------------------------------------------------------


def test_installed_command(tmp_path: Path) -> None:
    ok = subprocess.run([LABELAPP, "calc", GLYCINE, "--json"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["osmolarity_mosmol_per_l"] == 666
    bad = tmp_path / "bad.json"
    bad.write_text('{"facility": ', encoding="utf-8")
    refused = subprocess.run([LABELAPP, "calc", bad], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr.splitlines() == [
        f"labelapp: error: {bad}: line 1 column 14: not valid JSON (Expecting value)"
    ]


def test_no_display_is_refused_in_words(monkeypatch, capsys):
    from labelapp.cli import main

    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert main([]) == 2
    assert "no display to open the desktop app on" in capsys.readouterr().err


def test_json_reports_species_dosed_in_mmol(capsys):
    import json

    from labelapp.cli import main

    assert main(["calc", "--solute", "potassium phosphate monobasic=136.09 mg/mL", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mmol_per_ml"] == {"phosphorus": 1.0} and out["meq_per_ml"] == {"potassium": 1.0}


# --- dates typed as numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "value", "words"),
    [
        ("compounded_at", 0, "batch.compounded_at: must be a date and time written YYYY-MM-DDTHH:MM"),
        ("compounded_at", 7, "batch.compounded_at: must be a date and time written YYYY-MM-DDTHH:MM"),
        ("lot expiry", 0, "batch.component_lots[0].expiry: must be a date written YYYY-MM-DD"),
        ("lot expiry", 7, "batch.component_lots[0].expiry: must be a date written YYYY-MM-DD"),
    ],
)
def test_a_number_where_a_date_belongs_is_one_plain_line(run, glycine_doc, batch_file, where, value, words) -> None:
    if where == "compounded_at":
        glycine_doc["batch"]["compounded_at"] = value
    else:
        glycine_doc["batch"]["component_lots"][0]["expiry"] = value
    r = run("calc", batch_file(glycine_doc))
    assert_one_line_error(r, words)
    assert "1970" not in r.err
