"""The ingredient and dating-rule reference tables: content, look-up, and user additions."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from pydantic import ValidationError

from labelapp import resources
from labelapp.calc.solution import Solute, solve
from labelapp.domain.dating import DatingRule
from labelapp.domain.errors import InputError, LabelappError, UnknownIngredientError
from labelapp.domain.ingredient import Ingredient
from labelapp.domain.reference import DatingRules, IngredientTable
from labelapp.domain.settings import TonicityThresholds
from labelapp.services.calculate import ingredient_table, reference_dating_rules

REFERENCE = resources.templates_dir() / "ingredients" / "reference.yaml"


@pytest.fixture
def table() -> IngredientTable:
    """A private copy of the reference table (the cached one is shared by the whole process)."""
    return IngredientTable.from_files(REFERENCE)


# (name, MW g/mol, particles, {ion: (valence, count)}) from docs/domain.md §4.3, §4.4. A wrong MW or hydrate
# state is the most common source of a wrong label; this pins every row the tests above rely on.
DOMAIN_TABLE = [
    ("glycine", "75.07", 1, {}),
    ("sodium chloride", "58.44", 2, {"sodium": (1, 1), "chloride": (1, 1)}),
    ("potassium chloride", "74.55", 2, {"potassium": (1, 1), "chloride": (1, 1)}),
    ("dextrose monohydrate", "198.17", 1, {}),
    ("dextrose anhydrous", "180.16", 1, {}),
    ("sodium bicarbonate", "84.01", 2, {"sodium": (1, 1), "bicarbonate": (1, 1)}),
    ("magnesium sulfate heptahydrate", "246.47", 2, {"magnesium": (2, 1), "sulfate": (2, 1)}),
    ("calcium chloride dihydrate", "147.01", 3, {"calcium": (2, 1), "chloride": (1, 2)}),
    ("calcium gluconate monohydrate", "448.39", 3, {"calcium": (2, 1), "gluconate": (1, 2)}),
    ("sodium acetate anhydrous", "82.03", 2, {"sodium": (1, 1), "acetate": (1, 1)}),
    ("sodium acetate trihydrate", "136.08", 2, {"sodium": (1, 1), "acetate": (1, 1)}),
    ("potassium acetate", "98.14", 2, {"potassium": (1, 1), "acetate": (1, 1)}),
    ("sodium phosphate monobasic monohydrate", "137.99", 2, {"sodium": (1, 1)}),
    ("sodium phosphate dibasic anhydrous", "141.96", 3, {"sodium": (1, 2)}),
    ("sodium phosphate dibasic heptahydrate", "268.07", 3, {"sodium": (1, 2)}),
    ("potassium phosphate monobasic", "136.09", 2, {"potassium": (1, 1)}),
    ("potassium phosphate dibasic", "174.18", 3, {"potassium": (1, 2)}),
    ("magnesium chloride hexahydrate", "203.30", 3, {"magnesium": (2, 1), "chloride": (1, 2)}),
    ("zinc sulfate heptahydrate", "287.56", 2, {"zinc": (2, 1), "sulfate": (2, 1)}),
    ("sodium citrate dihydrate", "294.10", 4, {"sodium": (1, 3), "citrate": (3, 1)}),
    ("mannitol", "182.17", 1, {}),
    ("sodium lactate", "112.06", 2, {"sodium": (1, 1), "lactate": (1, 1)}),
    ("tromethamine", "121.14", 1, {}),
    ("ascorbic acid", "176.12", 1, {}),
    ("sodium ascorbate", "198.11", 2, {"sodium": (1, 1)}),
    ("arginine hydrochloride", "210.66", 2, {"chloride": (1, 1)}),
    ("cysteine hydrochloride monohydrate", "175.63", 2, {"chloride": (1, 1)}),
    ("lidocaine hydrochloride monohydrate", "288.81", 2, {}),
    ("sodium thiosulfate pentahydrate", "248.18", 3, {"sodium": (1, 2), "thiosulfate": (2, 1)}),
    ("benzyl alcohol", "108.14", 1, {}),
]


@pytest.mark.parametrize(("name", "mw", "particles", "ions"), DOMAIN_TABLE, ids=[r[0] for r in DOMAIN_TABLE])
def test_reference_entry_matches_domain_table(table, name, mw, particles, ions) -> None:
    ing = table.get(name)
    assert ing.name == name
    assert ing.mw == D(mw)
    assert ing.particles == particles
    assert {i.name: (i.valence, i.count) for i in ing.ions} == ions
    assert not ing.solvent


def test_water_for_injection_is_the_only_solvent(table) -> None:
    assert [i.name for i in table if i.solvent] == ["water for injection"]
    assert table.get("WFI").particles == 0


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("glycine", "glycine"),
        ("GLYCINE", "glycine"),
        ("  Glycine ", "glycine"),
        ("aminoacetic acid", "glycine"),
        ("NaCl", "sodium chloride"),
        ("nacl", "sodium chloride"),
        ("sodium   chloride", "sodium chloride"),
        ("KCl", "potassium chloride"),
        ("dextrose", "dextrose monohydrate"),  # USP dextrose is the monohydrate
        ("Anhydrous Dextrose", "dextrose anhydrous"),
        ("magnesium sulfate", "magnesium sulfate heptahydrate"),
        ("calcium chloride", "calcium chloride dihydrate"),
        ("sodium acetate", "sodium acetate anhydrous"),
        ("THAM", "tromethamine"),
        ("L-arginine HCl", "arginine hydrochloride"),
        ("sterile water for injection", "water for injection"),
    ],
)
def test_lookup_by_name_or_synonym_ignores_case_and_spacing(table, query: str, name: str) -> None:
    assert table.get(query).name == name
    assert query in table


@pytest.mark.parametrize(
    ("query", "suggested"),
    [
        ("glycin", "glycine"),
        ("potasium chloride", "potassium chloride"),
        ("sodium bicarb", "sodium bicarbonate"),
        ("manitol", "mannitol"),
    ],
)
def test_unknown_name_suggests_the_closest(table, query: str, suggested: str) -> None:
    with pytest.raises(UnknownIngredientError) as info:
        table.get(query)
    assert suggested in info.value.suggestions
    assert len(info.value.suggestions) <= 3
    assert str(info.value).startswith(f"unknown ingredient {query!r}; closest known: ")
    assert suggested in str(info.value)
    assert query not in table


def test_unknown_name_with_nothing_close_points_to_the_list(table) -> None:
    with pytest.raises(UnknownIngredientError, match=r"run `labelapp ingredients` for the list") as info:
        table.get("qqqq")
    assert info.value.suggestions == []


SODIUM_GLUCONATE = Ingredient(
    name="sodium gluconate", synonyms=("gluconic acid sodium salt",), mw=D("218.14"), particles=2, source="facility CoA"
)


def test_user_added_ingredient_is_found_and_computes(table) -> None:
    table.add(SODIUM_GLUCONATE)
    assert table.get("Gluconic Acid Sodium Salt") is SODIUM_GLUCONATE
    result = solve([Solute(ingredient=table.get("sodium gluconate"), amount_per_ml=D("21.814"))], TonicityThresholds())
    assert result.osmolarity_mosmol_per_l == 200
    assert "sodium gluconate" in [i.name for i in table]


@pytest.mark.parametrize(
    ("name", "synonyms", "taken"),
    [
        ("Glycine", (), "glycine"),
        ("saline", ("NaCl",), "nacl"),
        ("table salt", ("sodium  chloride",), "sodium chloride"),
    ],
)
def test_a_taken_name_or_synonym_is_refused(table, name: str, synonyms: tuple[str, ...], taken: str) -> None:
    before = table.get("sodium chloride")
    with pytest.raises(LabelappError, match=f"the name '{taken}' is already used"):
        table.add(Ingredient(name=name, synonyms=synonyms, mw=D(100), particles=1))
    assert table.get("sodium chloride") is before
    assert table.get("glycine").mw == D("75.07")


def _extra(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "extra.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_extra_table_file_adds_ingredients(tmp_path: Path) -> None:
    extra = _extra(
        tmp_path,
        'ingredients:\n  - {name: sodium gluconate, synonyms: [Na gluconate], mw: "218.14", '
        "particles: 2, ions: [{name: sodium, valence: 1}]}\n",
    )
    table = ingredient_table([extra])
    assert table.get("na gluconate").mw == D("218.14")
    assert table.get("glycine").mw == D("75.07")  # the reference is still there
    assert "sodium gluconate" not in ingredient_table()  # and the shared reference is untouched


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        (
            'ingredients:\n  - {name: glycine, mw: "75.1", particles: 1}\n',
            "ingredients[0].name",
            ["ingredient 'glycine': the name 'glycine' is already used"],
        ),
        (
            'ingredients:\n  - {name: my salt, synonyms: [KCl], mw: "74.6", particles: 2}\n',
            "ingredients[0].name",
            ["the name 'kcl' is already used"],
        ),
        ('ingredients:\n  - {name: heparin, mw: "0", particles: 1}\n', "ingredients[0].mw", ["must be more than 0"]),
        (
            'ingredients:\n  - {name: heparin, mw: "100", particles: 1, colour: red}\n',
            "ingredients[0].colour",
            ["not a known field"],
        ),
        ("ingredient:\n  - {name: heparin}\n", "ingredients", ["expected a list"]),
    ],
)
def test_bad_extra_table_names_the_file_and_entry(tmp_path: Path, body: str, path: str, words: list[str]) -> None:
    extra = _extra(tmp_path, body)
    with pytest.raises(InputError) as info:
        ingredient_table([extra])
    assert info.value.source == str(extra)
    assert info.value.issues[0].path == path
    for word in words:
        assert word in info.value.issues[0].message


def test_extra_table_with_bad_yaml_gives_line_and_column(tmp_path: Path) -> None:
    extra = _extra(tmp_path, "ingredients:\n  - {name: x, mw: 1\n")
    with pytest.raises(LabelappError, match=r"extra\.yaml: line 3 column 1: not valid YAML"):
        ingredient_table([extra])


def test_extra_table_not_found(tmp_path: Path) -> None:
    with pytest.raises(LabelappError, match=r"missing\.yaml: file not found"):
        ingredient_table([tmp_path / "missing.yaml"])


# --- dating rules ---------------------------------------------------------------------------------------


def test_shipped_dating_rules_are_all_flagged_reference_only() -> None:
    """No 503B default table is hard-coded (docs/domain.md §3.1, §3.2): the USP <797> rows are references only."""
    rules = list(reference_dating_rules())
    assert {r.name for r in rules} >= {"usp797-cat1", "usp797-cat2-aseptic-sterility-tested", "usp797-cat3-terminal"}
    assert all(r.reference_only and r.kind == "reference-table" for r in rules)


@pytest.mark.parametrize(
    ("name", "crt", "fridge", "freezer"),
    [
        ("usp797-cat2-aseptic-nonsterile-start", 1, 4, 45),
        ("usp797-cat2-aseptic-sterile-start", 4, 10, 45),
        ("usp797-cat2-aseptic-sterility-tested", 30, 45, 60),
        ("usp797-cat2-terminal-sterility-tested", 45, 60, 90),
        ("usp797-cat3-aseptic", 60, 90, 120),
        ("usp797-cat3-terminal", 90, 120, 180),
    ],
)
def test_usp797_reference_days_match_domain_tables(name: str, crt: int, fridge: int, freezer: int) -> None:
    days = {c.value: n for c, n in reference_dating_rules().get(name).days.items()}
    assert days == {"controlled room temperature": crt, "refrigerated": fridge, "frozen": freezer}


def test_unknown_rule_suggests_close_names() -> None:
    with pytest.raises(LabelappError, match=r"unknown dating rule 'usp797-cat2'; closest: "):
        reference_dating_rules().get("usp797-cat2")


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ({}, r"give the days \(or hours\) for at least one storage condition"),
        ({"frozen": 0}, "days.frozen: 0 is outside 1..3650"),
        ({"refrigerated": 4000}, "days.refrigerated: 4000 is outside 1..3650"),
    ],
)
def test_dating_rule_days_are_checked(days: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DatingRule(name="sop-1", title="SOP 1", kind="facility-default", days=days, source="SOP 1")


def test_dating_rules_file_error_names_the_rule_field(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n  - {name: sop-1, title: SOP, kind: facility-default, source: SOP 1,\n     days: {frozen: 0}}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        DatingRules.from_files(path)
    assert str(info.value.issues[0]) == "rules[0].days.frozen: 0 is outside 1..3650"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"hours": {"frozen": 0}}, "hours.frozen: 0 is outside 1..720"),
        ({"hours": {"frozen": 721}}, "hours.frozen: 721 is outside 1..720"),
        ({"days": {"frozen": 1}, "hours": {"frozen": 12}}, "hours.frozen: is also given in days"),
    ],
)
def test_dating_rule_hours_are_checked(rule: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DatingRule(name="sop-1", title="SOP 1", kind="facility-default", source="SOP 1", **rule)


def test_usp797_category_1_is_stored_in_hours_never_rounded_to_a_day() -> None:
    """docs/domain.md §3.3: at most 12 h at controlled room temperature, 24 h refrigerated."""
    rule = reference_dating_rules().get("usp797-cat1")
    assert rule.days == {}
    assert {c.value: h for c, h in rule.hours.items()} == {"controlled room temperature": 12, "refrigerated": 24}
    assert rule.reference_only
