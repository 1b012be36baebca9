"""Reference tables loaded from data files: ingredients and dating rules."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from labelapp.domain.dating import DatingRule
from labelapp.domain.errors import FieldIssue, InputError, LabelappError, UnknownIngredientError, validated
from labelapp.domain.files import read_data_file
from labelapp.domain.ingredient import Ingredient

M = TypeVar("M", bound=BaseModel)


def _key(name: str) -> str:
    return " ".join(name.lower().replace(",", " ").split())


def _load_list(path: Path, key: str, model: type[M]) -> list[M]:
    data = read_data_file(path)
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise InputError([FieldIssue(key, "expected a list")], source=str(path))
    items: list[M] = []
    issues: list[FieldIssue] = []
    for i, item in enumerate(data[key]):
        try:
            items.append(validated(model, item, prefix=(key, i)))
        except InputError as exc:
            issues += exc.issues
    if issues:
        raise InputError(issues, source=str(path))
    return items


class IngredientTable:
    """Look-up by name or synonym, case-insensitive; unknown names suggest the closest known ones."""

    def __init__(self, ingredients: Iterable[Ingredient] = ()):
        self._by_key: dict[str, Ingredient] = {}
        self._ordered: list[Ingredient] = []
        for ing in ingredients:
            self.add(ing)

    @classmethod
    def from_files(cls, *paths: Path) -> "IngredientTable":
        """Later files add to earlier ones; a name or synonym already taken is refused, never replaced,
        so that an extra table cannot silently change the MW of a reference ingredient."""
        table = cls()
        for path in paths:
            for i, ing in enumerate(_load_list(path, "ingredients", Ingredient)):
                try:
                    table.add(ing)
                except LabelappError as exc:
                    raise InputError([FieldIssue(f"ingredients[{i}].name", str(exc))], source=str(path)) from None
        return table

    def add(self, ingredient: Ingredient, replace: bool = False) -> None:
        keys = [_key(n) for n in ingredient.all_names()]
        if not replace:
            taken = [k for k in keys if k in self._by_key]
            if taken:
                raise LabelappError(f"ingredient {ingredient.name!r}: the name {taken[0]!r} is already used")
        old = self._by_key.get(keys[0])
        if old is not None:
            self._ordered.remove(old)
        for k in keys:
            self._by_key[k] = ingredient
        self._ordered.append(ingredient)

    def get(self, name: str) -> Ingredient:
        found = self._by_key.get(_key(name))
        if found is None:
            raise UnknownIngredientError(name, self.closest(name))
        return found

    def __contains__(self, name: str) -> bool:
        return _key(name) in self._by_key

    def closest(self, name: str, n: int = 3) -> list[str]:
        matches = difflib.get_close_matches(_key(name), list(self._by_key), n=n * 3, cutoff=0.5)
        seen: list[str] = []
        for m in matches:
            canonical = self._by_key[m].name
            if canonical not in seen:
                seen.append(canonical)
        return seen[:n]

    def __iter__(self) -> Iterator[Ingredient]:
        return iter(self._ordered)

    def __len__(self) -> int:
        return len(self._ordered)


class DatingRules:
    def __init__(self, rules: Iterable[DatingRule]):
        self._rules = {r.name: r for r in rules}

    @classmethod
    def from_files(cls, *paths: Path) -> "DatingRules":
        rules: list[DatingRule] = []
        for path in paths:
            rules.extend(_load_list(path, "rules", DatingRule))
        return cls(rules)

    def get(self, name: str) -> DatingRule:
        try:
            return self._rules[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(self._rules), n=3)
            hint = f"; closest: {', '.join(close)}" if close else f"; known: {', '.join(sorted(self._rules))}"
            raise LabelappError(f"unknown dating rule {name!r}{hint}") from None

    def __iter__(self) -> Iterator[DatingRule]:
        return iter(self._rules.values())
