"""Reading batch and settings files: JSON or YAML, and one clear line for anything unreadable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from labelapp.domain.errors import InputError, LabelappError
from labelapp.services.calculate import calculate, load_batch_file, load_settings


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_json_and_yaml_give_the_same_batch(tmp_path: Path, glycine_doc: dict) -> None:
    as_json = write(tmp_path / "b.json", json.dumps(glycine_doc))
    as_yaml = write(tmp_path / "b.yaml", yaml.safe_dump(glycine_doc, allow_unicode=True))
    assert load_batch_file(as_json) == load_batch_file(as_yaml)
    assert calculate(load_batch_file(as_yaml)).osmolarity_mosmol_per_l == 666


def test_yaml_native_dates_and_numbers_are_accepted(tmp_path: Path, glycine_doc: dict) -> None:
    """YAML turns 2028-09-30 into a date and 99.6 into a float; neither may change a value."""
    text = yaml.safe_dump(glycine_doc).replace("'2028-09-30'", "2028-09-30").replace("'99.6'", "99.6")
    assert "expiry: 2028-09-30" in text and "potency_percent: 99.6" in text
    bf = load_batch_file(write(tmp_path / "b.yml", text))
    assert str(bf.batch.component_lots[0].expiry) == "2028-09-30"
    assert str(bf.batch.component_lots[0].potency_percent) == "99.6"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        (
            "bad.json",
            '{\n  "facility": {\n    "name": "x",\n  }\n}\n',
            ["bad.json: line 4 column 3: not valid JSON", "double quotes"],
        ),
        ("trailing.json", '{"facility": 1}}', ["line 1 column 16: not valid JSON", "Extra data"]),
        ("empty.json", "", ["empty.json: line 1 column 1: not valid JSON"]),
        (
            "bad.yaml",
            "facility:\n  name: x\n   address: y\n",
            ["bad.yaml: line 3 column 11: not valid YAML", "mapping values are not allowed here"],
        ),
        ("bad.yml", "facility: [a, b\nformula: 1\n", ["bad.yml: line 2 column 8: not valid YAML"]),
        (
            "latin1.json",
            '{"facility": "caf\xe9"}'.encode("latin-1"),
            ["latin1.json: is not UTF-8 text", "save it as UTF-8"],
        ),
    ],
)
def test_unreadable_files_name_the_file_and_the_place(tmp_path: Path, name: str, content, words) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(LabelappError) as info:
        load_batch_file(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    for word in words:
        assert word in message


def test_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(LabelappError, match=r"nope\.json: file not found$"):
        load_batch_file(missing)


def test_directory_given(tmp_path: Path) -> None:
    with pytest.raises(LabelappError, match=r": is a folder, not a data file$"):
        load_batch_file(tmp_path)


@pytest.mark.parametrize(("name", "content"), [("list.json", "[1, 2]"), ("empty.yaml", ""), ("scalar.yaml", "42")])
def test_document_that_is_not_an_object(tmp_path: Path, name: str, content: str) -> None:
    with pytest.raises(InputError, match="must hold an object with facility, formula and batch"):
        load_batch_file(write(tmp_path / name, content))


def test_oversized_file_is_refused_unread(tmp_path: Path) -> None:
    big = write(tmp_path / "big.json", " " * 2_000_001)
    with pytest.raises(LabelappError, match="larger than 2,000,000 bytes; not a labelapp data file"):
        load_batch_file(big)


def test_validation_issues_carry_the_file_name(tmp_path: Path, glycine_doc: dict) -> None:
    glycine_doc["batch"]["units"] = 0
    path = write(tmp_path / "b.json", json.dumps(glycine_doc))
    with pytest.raises(InputError) as info:
        load_batch_file(path)
    assert str(info.value) == f"{path}: batch.units: must be 1 or more"


def test_settings_file(tmp_path: Path) -> None:
    path = write(tmp_path / "settings.yaml", "compounding_day_is_day: 1\nweigh_tolerance_percent: 1\n")
    settings = load_settings(path)
    assert settings.compounding_day_is_day == 1
    assert str(settings.weigh_tolerance_percent) == "1"
    assert load_settings(write(tmp_path / "empty.yaml", "")).compounding_day_is_day == 0
    assert load_settings(None).lot_pattern == "{code}-{yy}{mm}{dd}-{seq:02d}"


@pytest.mark.parametrize(
    ("content", "path", "words"),
    [
        ("compounding_day_is_day: 2\n", "compounding_day_is_day", ["must be 1 or less"]),
        ("weigh_tolerance: 1\n", "weigh_tolerance", ["not a known field"]),
        ("tonicity: {hypotonic_below: 400}\n", "tonicity", ["thresholds must rise"]),
    ],
)
def test_bad_settings_name_file_and_field(tmp_path: Path, content: str, path: str, words: list[str]) -> None:
    file = write(tmp_path / "settings.yaml", content)
    with pytest.raises(InputError) as info:
        load_settings(file)
    (issue,) = info.value.issues
    assert issue.path == path
    assert info.value.source == str(file)
    for word in words:
        assert word in issue.message
