"""Timestamps, GUIDs and text hashes, as every table stores them."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

GUID_NAMESPACE = uuid.UUID("5f0c1d2e-8b7a-4c3d-9e6f-0a1b2c3d4e5f")


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def stable_guid(kind: str, key: str) -> str:
    """GUIDs derived from identity, so two copies of a project name a code or coder alike."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}")).upper()


def text_hash(texts: Iterable[str]) -> str:
    """SHA-256 of every text followed by a NUL, encoded once for the whole document rather
    than paragraph by paragraph (the digest is the same)."""
    texts = list(texts)
    if not texts:
        return hashlib.sha256(b"").hexdigest()
    return hashlib.sha256(("\x00".join(texts) + "\x00").encode("utf-8")).hexdigest()
