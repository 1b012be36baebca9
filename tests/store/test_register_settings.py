"""Facility calculation settings live in the register: changed by an admin only, audited, validated."""

from __future__ import annotations

from decimal import Decimal

import pytest

from labelapp.domain.errors import InputError, PermissionDenied


def test_calc_settings_default_to_the_documented_thresholds(reg, people):
    calc = reg.settings.current().calc_settings()
    assert calc.tonicity.hypertonic_from == Decimal(375)
    assert calc.compounding_day_is_day == 0
    assert calc.lot_pattern == reg.settings.current().lot_pattern


def test_admin_changes_one_nested_value_and_keeps_the_others(reg, people):
    reg.settings.update(people["admin"], {"calc.tonicity.hypertonic_from": 350}, "SOP QA-12 rev 3")
    calc = reg.settings.current().calc_settings()
    assert calc.tonicity.hypertonic_from == Decimal(350)
    assert calc.tonicity.central_line_above == Decimal(900)
    entry = reg.audit.entries(record_type="settings", newest_first=True)[0]
    assert entry.reason == "SOP QA-12 rev 3"
    assert reg.audit.verify().ok


def test_register_lot_pattern_is_the_one_in_force(reg, people):
    reg.settings.update(people["admin"], {"lot_pattern": "{code}{yy}{mm}{dd}{seq:03d}"}, "new SOP")
    assert reg.settings.current().calc_settings().lot_pattern == "{code}{yy}{mm}{dd}{seq:03d}"


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("calc.tonicity.bogus", 1, "calc.tonicity.bogus: is not a setting"),
        ("calc.tonicity.hypertonic_from", 100, "thresholds must rise"),
        ("calc.compounding_day_is_day", 2, "calc.compounding_day_is_day"),
    ],
)
def test_bad_values_are_refused_and_nothing_changes(reg, people, key, value, words):
    before = reg.settings.current()
    with pytest.raises(InputError, match=words.replace(".", r"\.")):
        reg.settings.update(people["admin"], {key: value}, "try")
    assert reg.settings.current() == before


def test_only_an_admin_changes_settings(reg, people):
    with pytest.raises(PermissionDenied, match="may not change settings"):
        reg.settings.update(people["pharm"], {"calc.tonicity.hypertonic_from": 350}, "not mine to change")
