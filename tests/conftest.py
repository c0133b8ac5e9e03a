from __future__ import annotations

from pathlib import Path

import pytest
from factories import make_project

from coder.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = make_project(tmp_path / "project.db")
    yield s
    s.close()
