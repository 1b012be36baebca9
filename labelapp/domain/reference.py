"""Reference tables loaded from data files: ingredients and dating rules."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError

from labelapp.domain.dating import DatingRule
from labelapp.domain.errors import FieldIssue, InputError, LabelappError, UnknownIngredientError, issues_from_validation
from labelapp.domain.ingredient import Ingredient


def _key(name: str) -> str:
    return " ".join(name.lower().replace(",", " ").split())


def read_yaml(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        raise LabelappError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise LabelappError(f"{path}:{where} is not valid YAML ({getattr(exc, 'problem', exc)})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelappError(f"{path}: cannot be read ({exc})") from None


def _load_list(path: Path, key: str, model: type) -> list:
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise InputError([FieldIssue(key, "expected a list")], source=str(path))
    try:
        return TypeAdapter(list[model]).validate_python(data[key])
    except ValidationError as exc:
        raise InputError(issues_from_validation(exc, (key,)), source=str(path)) from None


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

    def __iter__(self):
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

    def __iter__(self):
        return iter(self._rules.values())
