"""pytest fixtures for code that uses runai_admin (registered through an entry point).

def test_my_automation(fake_control_plane):
    with fake_control_plane.client() as client:
        ...
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .testing import FakeControlPlane


@pytest.fixture
def fake_control_plane() -> Iterator[FakeControlPlane]:
    """A fresh fake control plane per test."""
    with FakeControlPlane() as cp:
        yield cp
