"""Storage condition and storage statement are one fact (docs/domain.md §2.8): the statement is
generated from the condition, or an old formula's free text is checked against it."""

from __future__ import annotations

import pytest

from labelapp.domain.dating import StorageCondition
from labelapp.domain.errors import InputError
from labelapp.domain.storage import STORAGE_RANGES, HandlingPhrase, statement, temperatures, text_problem
from labelapp.services.calculate import calculate, parse_batch_data

CRT = StorageCondition.CONTROLLED_ROOM_TEMPERATURE
REF = StorageCondition.REFRIGERATED
FROZEN = StorageCondition.FROZEN


def storage_issue(doc: dict, storage: dict) -> InputError:
    doc["formula"]["storage"] = storage
    with pytest.raises(InputError) as info:
        parse_batch_data(doc)
    return info.value


def test_the_usp_659_ranges_are_one_table_in_celsius_and_fahrenheit() -> None:
    assert {c: (r.low_c, r.high_c, r.low_f, r.high_f) for c, r in STORAGE_RANGES.items()} == {
        CRT: (20, 25, 68, 77),
        REF: (2, 8, 36, 46),
        FROZEN: (-25, -10, -13, 14),
    }
    for r in STORAGE_RANGES.values():  # the °F are the °C converted, to the whole degree
        assert round((r.low_c * 9 / 5) + 32) == r.low_f and round((r.high_c * 9 / 5) + 32) == r.high_f
    assert STORAGE_RANGES[CRT].accepted_c == (15, 30)  # excursions permitted 15-30 °C


@pytest.mark.parametrize(
    ("condition", "handling", "printed"),
    [
        (CRT, [], "Store at 20° to 25°C (68° to 77°F)."),
        (
            CRT,
            [HandlingPhrase.EXCURSIONS_PERMITTED, HandlingPhrase.DO_NOT_FREEZE],
            "Store at 20° to 25°C (68° to 77°F). Excursions permitted 15–30°C (59–86°F). Do not freeze.",
        ),
        (
            REF,
            [HandlingPhrase.PROTECT_FROM_LIGHT, HandlingPhrase.DO_NOT_FREEZE],
            "Store in a refrigerator, 2° to 8°C (36° to 46°F). Protect from light. Do not freeze.",
        ),
        (
            FROZEN,
            [HandlingPhrase.STORE_IN_CARTON],
            "Store in a freezer, -25° to -10°C (-13° to 14°F). Store in carton until time of use.",
        ),
    ],
)
def test_the_statement_is_generated_from_the_condition(condition, handling, printed) -> None:
    assert statement(condition, handling) == printed
    assert text_problem(printed, condition) is None  # and the generated text passes its own check


def test_a_structured_storage_prints_the_generated_statement(glycine_doc: dict) -> None:
    glycine_doc["formula"]["storage"] = {"condition": "refrigerated", "handling": ["protect from light"]}
    bf = parse_batch_data(glycine_doc)
    assert bf.formula.storage.handling == [HandlingPhrase.PROTECT_FROM_LIGHT]
    assert bf.formula.storage.statement == "Store in a refrigerator, 2° to 8°C (36° to 46°F). Protect from light."


def test_the_issue_case_refrigerated_condition_under_a_room_temperature_text_is_refused(glycine_doc: dict) -> None:
    error = storage_issue(
        glycine_doc, {"condition": "refrigerated", "text": "Store at 20° to 25°C (68° to 77°F). Protect from light."}
    )
    assert len(error.issues) == 1
    message = str(error.issues[0])
    assert message.startswith("formula.storage.text: ")
    assert "formula.storage.condition is 'refrigerated' (2° to 8°C)" in message
    assert "'20° to 25°C'" in message


@pytest.mark.parametrize(
    ("condition", "text", "words"),
    [
        (CRT, "Store at 2-8 °C.", "'2-8 °C'"),
        (CRT, "Store at 36°F to 46°F.", "'36°F to 46°F'"),
        (CRT, "Store refrigerated.", "'refrigerated'"),
        (CRT, "Keep frozen.", "'frozen'"),
        (CRT, "Store in a freezer.", "'freezer'"),
        (REF, "Store at controlled room temperature.", "'room temperature'"),
        (REF, "Store at 20° to 25°C (68° to 77°F).", "'20° to 25°C'"),
        (REF, "Store at 2° to 8°C. Do not refrigerate.", "not to refrigerate"),
        (REF, "Store at -25 to -10 °C.", "'-25 to -10 °C'"),
        (FROZEN, "Store at 2° to 8°C (36° to 46°F).", "'2° to 8°C'"),
        (FROZEN, "Store at -20 °C. Do not freeze.", "not to freeze"),
        (FROZEN, "Store at \u221225 °C to \u221210 °C (\u221213 to 68 °F).", "'\u221213 to 68 °F'"),
        (CRT, "Store at 35°C.", "'35°C'"),
        (REF, "Protect from light.", "names no storage temperature"),
    ],
)
def test_a_free_text_that_disagrees_with_the_condition_is_refused_naming_both_fields(
    glycine_doc: dict, condition, text, words
) -> None:
    error = storage_issue(glycine_doc, {"condition": condition.value, "text": text})
    message = str(error.issues[0])
    assert message.startswith("formula.storage.text: ") and "formula.storage.condition" in message
    assert words in message


@pytest.mark.parametrize(
    ("condition", "text"),
    [
        (CRT, "Store at 20° to 25°C (68° to 77°F). Protect from light. Do not freeze."),
        (CRT, "Store at 20° to 25°C (68° to 77°F); excursions permitted to 15° to 30°C (59° to 86°F)."),
        (CRT, "Store at controlled room temperature. Do not refrigerate."),
        (REF, "Store refrigerated at 2-8 °C (36-46 °F). Do not freeze."),
        (REF, "Store in a refrigerator, 2 °C to 8 °C. Protect from freezing."),
        (FROZEN, "Store frozen at -25° to -10°C (-13° to 14°F)."),
        (FROZEN, "Store in a freezer at \u221220 \u00b0C."),
    ],
)
def test_a_free_text_that_agrees_is_printed_as_written(glycine_doc: dict, condition, text) -> None:
    glycine_doc["formula"]["storage"] = {"condition": condition.value, "text": text}
    assert parse_batch_data(glycine_doc).formula.storage.statement == text


def test_old_batch_files_with_free_text_still_load_and_compute(glycine_doc: dict) -> None:
    glycine_doc["formula"]["storage"] = {
        "condition": "controlled room temperature",
        "text": "Store at 20° to 25°C (68° to 77°F). Protect from light. Do not freeze.",
    }
    bf = parse_batch_data(glycine_doc)
    assert bf.formula.storage.handling == []
    assert calculate(bf).osmolarity_mosmol_per_l == 666


@pytest.mark.parametrize(
    ("storage", "words"),
    [
        ({"condition": "frozen", "handling": ["Do not freeze."]}, "'Do not freeze.' contradicts the storage condition"),
        ({"condition": "refrigerated", "handling": ["Do not refrigerate."]}, "'Do not refrigerate.' contradicts"),
        ({"condition": "refrigerated", "handling": ["Shake well."]}, "'Shake well.' is not one of the handling"),
        (
            {"condition": "refrigerated", "handling": ["Protect from light."], "text": "Store at 2° to 8°C."},
            "either the handling phrases or a free text",
        ),
        ({"condition": "refrigerated", "handling": ["Protect from light.", "protect from light"]}, "listed twice"),
        ({"condition": "frozen", "handling": ["Excursions permitted 15–30°C (59–86°F)."]}, "room temperature only"),
    ],
)
def test_handling_phrases_are_checked(glycine_doc: dict, storage: dict, words: str) -> None:
    error = storage_issue(glycine_doc, storage)
    assert str(error.issues[0]).startswith("formula.storage")
    assert words in str(error.issues[0])


def test_temperatures_are_read_in_every_written_form() -> None:
    assert [(low, high) for _, low, high in temperatures("20° to 25°C (68° to 77°F)")] == [(20, 25), (20, 25)]
    assert [(low, high) for _, low, high in temperatures("2-8 °C")] == [(2, 8)]
    assert [(low, high) for _, low, high in temperatures("-25 to -10 °C")] == [(-25, -10)]
    assert [(low, high) for _, low, high in temperatures("between 2 and 8°C")] == [(2, 8)]
    assert [(low, high) for _, low, high in temperatures("below 25°C")] == [(25, 25)]
    assert temperatures("30 mL Single-Dose Vial") == []
