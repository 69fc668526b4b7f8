"""The pytest fixture that the package offers to its users' test suites."""

from __future__ import annotations

from runai_admin.testing import FakeControlPlane


def test_fixture_gives_a_running_fake(fake_control_plane):
    assert isinstance(fake_control_plane, FakeControlPlane)
    with fake_control_plane.client() as client:
        assert client.clusters.get(fake_control_plane.cluster_id)["uuid"]


def test_each_test_gets_a_fresh_fake(fake_control_plane):
    with fake_control_plane.client() as client:
        assert [d["name"] for d in client.departments.list()] == ["default"]
        client.departments.create(
            name="only-here",
            cluster_id=fake_control_plane.cluster_id,
            resources=[{"gpu": {"deserved": 1}}],
        )
