"""No panic reaches Python: whatever bytes a server answers with, the decoder turns them
into Python objects or an `APIDecodeError`, never a `PanicException` (or a crash)."""

from __future__ import annotations

import pytest

import runai_admin as ra

from .conftest import collect, resolve

CANARY = "canary-token-5d1e8b2a"

MALFORMED = {
    "cut short": b'{"uuid": "c", "na',
    "not utf-8": b'[{"uuid": "\xff\xfe"}]',
    "lone surrogate": b'[{"uuid": "\\ud800"}]',
    "nesting beyond any limit": b"[" * 100_000,
    "number out of range": b"[1e999]",
    "nul byte": b"[\x00]",
    "trailing garbage": b"[] []",
    "byte order mark": b"\xef\xbb\xbf[]",
    "empty object key only": b'{"":',
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_malformed_answer_is_a_decode_error_not_a_panic(api, cp, body):
    await resolve(api.clusters.get(cp.cluster_id))  # the token first: only the list fails
    cp.inject(
        "/api/v1/clusters", method="GET", status=200, body=body, content_type="application/json"
    )
    with pytest.raises(ra.APIDecodeError) as caught:
        await collect(api.clusters.list())
    assert caught.value.url == f"{cp.url}/api/v1/clusters"
    # The client is still whole afterwards.
    assert [c["uuid"] for c in await collect(api.clusters.list())] == [cp.cluster_id]


@pytest.mark.parametrize(
    "body",
    [f'"{CANARY}"'.encode(), f'["{CANARY}"]'.encode(), f'{{"accessToken": ["{CANARY}"]}}'.encode()],
    ids=["bare string", "array", "token of another type"],
)
async def test_a_token_answer_without_a_token_is_a_decode_error_without_the_secret(api, cp, body):
    cp.inject("/api/v1/token", status=200, body=body, content_type="application/json")
    with pytest.raises(ra.APIDecodeError) as caught:
        await resolve(api.clusters.get(cp.cluster_id))
    text = f"{caught.value} {caught.value!r}"
    assert CANARY not in text
    assert "token" in text
