"""Shared fixtures: paths to the vector files under tests/vectors/ (see its README for sources)."""

from __future__ import annotations

from pathlib import Path

import pytest

VECTORS = Path(__file__).parent / "vectors"


@pytest.fixture
def vectors() -> Path:
    return VECTORS
