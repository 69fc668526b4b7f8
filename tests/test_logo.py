"""The tenant's logo on both clients: none at first (204), then a PNG or SVG image sent
from its bytes or its path, kept base64-encoded as the API carries it; what is no image
is refused by name."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import paths, resolve

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
SVG = b"<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg' width='8' height='8'/>"


def encoded(image: bytes) -> str:
    return base64.b64encode(image).decode()


async def test_no_logo_until_one_is_uploaded(api: Any, cp: FakeControlPlane) -> None:
    assert await resolve(api.logo.get()) is None
    assert paths(cp, "/api/v1/logo", "GET")[-1]["status"] == 204

    assert await resolve(api.logo.upload(logo=PNG)) is None
    sent = paths(cp, "/api/v1/logo", "POST")[-1]
    assert json.loads(sent["body"]) == {"logo": encoded(PNG)}
    assert await resolve(api.logo.get()) == {"logo": encoded(PNG)}


async def test_a_logo_from_a_path_or_the_raw_body(api: Any, tmp_path: Path) -> None:
    svg = tmp_path / "logo.svg"
    svg.write_bytes(SVG)
    await resolve(api.logo.upload(logo=svg))
    assert await resolve(api.logo.get()) == {"logo": encoded(SVG)}

    png = tmp_path / "logo.png"
    png.write_bytes(PNG)
    await resolve(api.logo.upload(logo=str(png)))  # a str is a path too
    assert await resolve(api.logo.get()) == {"logo": encoded(PNG)}

    await resolve(api.logo.upload(body={"logo": encoded(SVG)}))  # the wire form, as is
    assert await resolve(api.logo.get()) == {"logo": encoded(SVG)}


async def test_what_is_no_image_is_refused_by_name(api: Any, cp: FakeControlPlane) -> None:
    await resolve(api.logo.upload(logo=PNG))
    with pytest.raises(ra.BadRequestError, match=r"logo.*neither PNG nor SVG"):
        await resolve(api.logo.upload(logo=b"GIF89a"))
    with pytest.raises(ra.BadRequestError, match=r"logo.*not base64"):
        await resolve(api.logo.upload(body={"logo": "not base64!"}))
    with pytest.raises(ra.APIStatusError) as too_large:
        await resolve(api.logo.upload(logo=PNG + bytes(1024 * 1024)))
    assert too_large.value.status == 413
    # Refused uploads leave the logo as it was.
    assert await resolve(api.logo.get()) == {"logo": encoded(PNG)}


async def test_bad_arguments_fail_before_anything_is_sent(
    api: Any, cp: FakeControlPlane, tmp_path: Path
) -> None:
    cp.clear_requests()
    with pytest.raises(TypeError, match=r"logo\.upload\(\): logo must be the file's bytes"):
        await resolve(api.logo.upload(logo=42))
    with pytest.raises(ValueError, match="logo is empty"):
        await resolve(api.logo.upload(logo=b""))
    with pytest.raises(FileNotFoundError, match=r"missing\.png"):
        await resolve(api.logo.upload(logo=tmp_path / "missing.png"))
    with pytest.raises(TypeError, match="logo"):
        await resolve(api.logo.upload())
    assert paths(cp, "/api/v1/logo") == []
