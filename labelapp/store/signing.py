"""Each user's signing key: an Ed25519 key pair whose private half is sealed with the user's password.

* ``new_sealed_key(password)``: a fresh key pair; the private key is encrypted (ChaCha20-Poly1305)
  with a key derived from the password by argon2id, under a random salt. Only the public key and
  the sealed blob are stored; the private key never is, in the clear or otherwise.
* ``unseal(sealed, password)``: the private key back, or ``None`` for a wrong password (the AEAD
  tag fails) or a damaged blob.
* ``sign`` / ``verify``: Ed25519 over a 32-byte digest (an audit entry's hash, an e-signature's).

Everything comes from the well-kept ``cryptography`` and ``argon2-cffi`` libraries; the KDF cost is
a module setting so tests can lower it (``KDF``). docs/domain.md §6.1, §6.6.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

SEAL_FORMAT = "labelapp-seal-1"


@dataclass(frozen=True)
class KdfCost:
    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 2


KDF = KdfCost()  # tests replace it with a cheap one; stored with each seal, so old seals still open


@dataclass(frozen=True)
class SigningKey:
    """An unsealed private key, held in memory for the length of a signed-in session only."""

    username: str
    private: Ed25519PrivateKey

    @property
    def public_hex(self) -> str:
        return public_hex(self.private.public_key())

    def sign(self, digest_hex: str) -> str:
        return self.private.sign(bytes.fromhex(digest_hex)).hex()

    def __repr__(self) -> str:  # never print key material
        return f"SigningKey({self.username!r}, public {self.public_hex[:12]}…)"


def public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def _derive(password: str, salt: bytes, cost: KdfCost) -> bytes:
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=cost.time_cost,
        memory_cost=cost.memory_kib,
        parallelism=cost.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def seal(private: Ed25519PrivateKey, password: str) -> str:
    """The private key encrypted under a key derived from ``password`` (JSON text, safe to store)."""
    salt, nonce = os.urandom(16), os.urandom(12)
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    box = ChaCha20Poly1305(_derive(password, salt, KDF))
    blob = {
        "format": SEAL_FORMAT,
        "kdf": "argon2id",
        "t": KDF.time_cost,
        "m": KDF.memory_kib,
        "p": KDF.parallelism,
        "salt": _b64(salt),
        "nonce": _b64(nonce),
        "sealed": _b64(box.encrypt(nonce, raw, SEAL_FORMAT.encode())),
    }
    return json.dumps(blob, sort_keys=True, separators=(",", ":"))


def generate() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def new_sealed_key(password: str) -> tuple[str, str]:
    """(public key hex, sealed private key) of a fresh key pair."""
    private = Ed25519PrivateKey.generate()
    return public_hex(private.public_key()), seal(private, password)


def unseal(sealed: str | None, password: str) -> Ed25519PrivateKey | None:
    """The private key, or None when the password does not open the seal (or there is none)."""
    if not sealed:
        return None
    try:
        blob = json.loads(sealed)
        if blob.get("format") != SEAL_FORMAT:
            return None
        cost = KdfCost(int(blob["t"]), int(blob["m"]), int(blob["p"]))
        box = ChaCha20Poly1305(_derive(password, _unb64(blob["salt"]), cost))
        raw = box.decrypt(_unb64(blob["nonce"]), _unb64(blob["sealed"]), SEAL_FORMAT.encode())
        return Ed25519PrivateKey.from_private_bytes(raw)
    except (InvalidTag, ValueError, KeyError, TypeError):
        return None


def verify(public_key_hex: str, digest_hex: str, signature_hex: str) -> bool:
    """True when ``signature_hex`` is the holder of ``public_key_hex``'s signature of ``digest_hex``."""
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(
            bytes.fromhex(signature_hex), bytes.fromhex(digest_hex)
        )
        return True
    except (InvalidSignature, ValueError):
        return False


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


PARALLEL_FROM = 4000  # below this, starting worker processes costs more than it saves


def verify_many(items: list[tuple[str, str, str]]) -> list[int]:
    """Indexes of the (public key, digest, signature) triples that do not verify; on all cores when many."""
    if len(items) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return _failed(items, 0)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = min(os.cpu_count() or 2, 8)
    size = -(-len(items) // workers)
    chunks = [(items[i : i + size], i) for i in range(0, len(items), size)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = pool.map(_failed_chunk, chunks)
    return [i for part in results for i in part]


def _failed_chunk(chunk: tuple[list[tuple[str, str, str]], int]) -> list[int]:
    return _failed(*chunk)


def _failed(items: list[tuple[str, str, str]], offset: int) -> list[int]:
    keys: dict[str, Ed25519PublicKey | None] = {}
    bad = []
    for i, (public, digest, signature) in enumerate(items):
        if public not in keys:
            try:
                keys[public] = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public))
            except ValueError:
                keys[public] = None
        key = keys[public]
        try:
            if key is None:
                raise InvalidSignature
            key.verify(bytes.fromhex(signature), bytes.fromhex(digest))
        except (InvalidSignature, ValueError):
            bad.append(offset + i)
    return bad
