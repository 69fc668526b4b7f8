"""Results as DataFrames: lists with dotted columns and datetimes, metrics and telemetry
indexed by time; pandas is an optional extra with a clear error when it is missing."""

from __future__ import annotations

import sys

import pytest

import runai_admin as ra

from .conftest import resolve, resources

pd = pytest.importorskip("pandas")

WINDOW = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z"}


async def test_a_list_becomes_a_frame_with_dotted_columns_and_datetimes(api, cp):
    for name, gpus in (("alpha", 1), ("beta", 3)):
        await resolve(
            api.projects.create(name=name, cluster_id=cp.cluster_id, resources=resources(gpus))
        )
    frame = await resolve(api.projects.list(sort_by="name").to_pandas())

    assert list(frame["name"]) == ["alpha", "beta"]
    assert list(frame["totalResources.gpuQuota"]) == [1, 3]
    assert "status.phase" in frame.columns and "totalResources" not in frame.columns
    assert str(frame["createdAt"].dtype).startswith("datetime64")
    assert str(frame["createdAt"].dt.tz) == "UTC"
    # to_list()'s result and a page turn into the same frame.
    items = await resolve(api.projects.list(sort_by="name").to_list())
    pd.testing.assert_frame_equal(items.to_pandas(), frame)


def test_timestamp_columns_come_from_the_spec_and_must_all_parse():
    frame = ra.Items(
        [
            {"id": 1, "createdAt": "2026-03-01T10:00:00Z", "lastLogin": None, "name": "x"},
            {"id": 2, "createdAt": "2026-03-02T11:30:00.5+02:00", "lastLogin": "never"},
        ]
    ).to_pandas()
    assert list(frame["createdAt"]) == [
        pd.Timestamp("2026-03-01T10:00:00Z"),
        pd.Timestamp("2026-03-02T09:30:00.5Z"),
    ]
    assert list(frame["lastLogin"].fillna("-")) == ["-", "never"]  # not ISO: left as text
    assert not pd.api.types.is_datetime64_any_dtype(frame["name"])  # not a timestamp field
    assert ra.Items([]).to_pandas().empty


async def test_metrics_become_a_frame_indexed_by_time(api, cp):
    answer = await resolve(
        api.node_pools.metrics(
            cp.cluster_id,
            "h100",
            metric_type=["TOTAL_GPU", "GPU_QUOTA"],
            number_of_samples=4,
            **WINDOW,
        )
    )
    frame = ra.metrics_frame(answer)

    assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.name == "timestamp"
    assert list(frame.index) == list(
        pd.date_range(WINDOW["start"], WINDOW["end"], periods=4, tz="UTC")
    )
    assert list(frame.columns) == ["TOTAL_GPU", "GPU_QUOTA"]
    assert frame["TOTAL_GPU"].dtype == "float64" and set(frame["TOTAL_GPU"]) == {16.0}


def test_labelled_series_get_their_labels_in_the_column_name():
    answer = {
        "measurements": [
            {
                "type": "GPU_ALLOCATION",
                "labels": {"nodepool": p},
                "values": [{"value": str(v), "timestamp": "2026-01-01T00:00:00Z"}],
            }
            for p, v in (("a100", 1), ("h100", 2))
        ]
    }
    frame = ra.metrics_frame(answer)
    assert frame.loc[pd.Timestamp("2026-01-01", tz="UTC")].to_dict() == {
        "GPU_ALLOCATION{nodepool=a100}": 1.0,
        "GPU_ALLOCATION{nodepool=h100}": 2.0,
    }


async def test_telemetry_becomes_rows_at_its_timestamp(api, cp):
    answer = await resolve(
        api.nodes.telemetry(telemetry_type="TOTAL_GPUS", group_by=["ClusterId", "Node"])
    )
    frame = ra.metrics_frame(answer)

    assert isinstance(frame.index, pd.DatetimeIndex)
    assert set(frame.index) == {pd.Timestamp(answer["timestamp"])}
    assert len(frame) == len(answer["values"]) == 5
    assert set(frame["ClusterId"]) == {cp.cluster_id}
    assert frame.set_index("Node.name")["value"].to_dict()["h100-node-1"] == 8.0
    assert frame["value"].sum() == 24.0
    assert frame.attrs["type"] == "TOTAL_GPUS"


def test_metrics_frame_says_what_it_takes():
    empty = ra.metrics_frame({"measurements": []})
    assert empty.empty and isinstance(empty.index, pd.DatetimeIndex)
    with pytest.raises(ValueError, match="measurements"):
        ra.metrics_frame({"projects": []})
    with pytest.raises(TypeError, match="metrics or telemetry"):
        ra.metrics_frame([1, 2])


async def test_without_pandas_the_error_names_the_extra(api, cp, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails
    cp.clear_requests()
    with pytest.raises(ImportError, match=r"runai-admin\[pandas\]"):
        await resolve(api.projects.list().to_pandas())
    assert cp.requests == []  # nothing was sent first
    with pytest.raises(ImportError, match=r"runai-admin\[pandas\]"):
        ra.Items([{"a": 1}]).to_pandas()
    with pytest.raises(ImportError, match=r"runai-admin\[pandas\]"):
        ra.metrics_frame({"measurements": []})
