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
    digest = hashlib.sha256()
    for t in texts:
        digest.update(t.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()
