"""A number typed where a date belongs is refused in words (never read as seconds since 1970)."""

from __future__ import annotations

import datetime as dt

import pytest

from labelapp.domain.errors import InputError
from labelapp.services.calculate import parse_batch_data

DATE = "must be a date written YYYY-MM-DD"
DATETIME = "must be a date and time written YYYY-MM-DDTHH:MM"


@pytest.mark.parametrize("value", [0, 7, 20261123, 1.5, True, "0", "7", " 20261123 ", "1e9"])
def test_a_number_as_the_compounding_date_and_time_is_refused(glycine_doc: dict, value) -> None:
    glycine_doc["batch"]["compounded_at"] = value
    with pytest.raises(InputError) as info:
        parse_batch_data(glycine_doc)
    assert [str(i) for i in info.value.issues] == [f"batch.compounded_at: {DATETIME}"]


@pytest.mark.parametrize("value", [0, 7, 20281231, 2.5, False, "0", "7"])
def test_a_number_as_a_lot_expiry_is_refused(glycine_doc: dict, value) -> None:
    glycine_doc["batch"]["component_lots"][1]["expiry"] = value
    with pytest.raises(InputError) as info:
        parse_batch_data(glycine_doc)
    assert [str(i) for i in info.value.issues] == [f"batch.component_lots[1].expiry: {DATE}"]


def test_dates_written_as_dates_still_load(glycine_doc: dict) -> None:
    glycine_doc["batch"]["compounded_at"] = "2026-11-23T08:30"
    glycine_doc["batch"]["component_lots"][0]["expiry"] = dt.date(2028, 9, 30)  # YAML gives a date
    bf = parse_batch_data(glycine_doc)
    assert bf.batch.compounded_at == dt.datetime(2026, 11, 23, 8, 30)
    assert bf.batch.component_lots[0].expiry == dt.date(2028, 9, 30)


def test_a_date_that_is_not_a_date_keeps_its_plain_message(glycine_doc: dict) -> None:
    glycine_doc["batch"]["component_lots"][0]["expiry"] = "2028-02-30"
    with pytest.raises(InputError) as info:
        parse_batch_data(glycine_doc)
    assert str(info.value.issues[0]) == f"batch.component_lots[0].expiry: {DATE}"
