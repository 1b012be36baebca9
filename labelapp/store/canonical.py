"""Canonical JSON and hashing: the byte form that signatures and the audit chain are computed over."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot put {type(value).__name__} into canonical JSON")


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text; floats are refused by callers' models (use Decimal)."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_default
    )


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def canonical_hash(value: Any) -> str:
    return sha256_hex(canonical_json(value))


def model_document(model: BaseModel) -> str:
    """The stored form of a domain document: canonical JSON of ``model_dump(mode='json')``."""
    return canonical_json(json.loads(model.model_dump_json()))


def model_data(model: BaseModel) -> Any:
    """A domain document as the plain JSON data it is stored as."""
    return json.loads(model_document(model))


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """2026-01-15T14:03:07.123456Z: fixed width so text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the register stores UTC only")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso_utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
