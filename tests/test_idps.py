"""Identity providers on both clients: one per type (SAML, OIDC, OpenShift v4), named by
their type; their data checked for the type, secrets never shown again; their mappers."""

from __future__ import annotations

from typing import Any

import pytest

import runai_admin as ra

from .conftest import collect, resolve

OIDC = {
    "clientId": "runai",
    "clientSecret": "s3cret",
    "discoverDocumentUrl": "https://idp.example.com/.well-known/openid-configuration",
    "scopes": ["openid email"],
}
SAML = {"metadataXmlUrl": "https://idp.example.com/metadata", "entityId": "runai"}
OCP = {"idpBaseUrl": "https://api.ocp.example.com:6443", "clientSecret": "s3cret"}


async def test_one_provider_per_type(api: Any) -> None:
    made = await resolve(api.idps.create(type="oidc", oidc_data=OIDC, mappers={"email": "mail"}))
    assert made == {"alias": "oidc"}
    assert (await resolve(api.idps.create(type="saml", saml_data=SAML)))["alias"] == "saml"
    ocp = await resolve(api.idps.create(type="openshift-v4", ocp_data=OCP))
    assert ocp["alias"] == "openshift-v4"
    with pytest.raises(ra.ConflictError):
        await resolve(api.idps.create(type="oidc", oidc_data=OIDC))
    listed = await collect(api.idps.list())
    assert sorted(i["alias"] for i in listed) == ["oidc", "openshift-v4", "saml"]
    oidc = await resolve(api.idps.get("oidc"))
    assert oidc["type"] == "oidc"
    assert oidc["redirectUri"].endswith("/broker/oidc/endpoint")
    assert oidc["oidcData"]["clientId"] == "runai"
    assert oidc["oidcData"]["clientSecret"] != "s3cret"
    assert oidc["mappers"]["email"] == "mail"
    saml = await resolve(api.idps.get("saml"))
    assert saml["samlData"]["entityId"] == "runai"


async def test_update_mappers_and_delete(api: Any) -> None:
    await resolve(api.idps.create(type="oidc", oidc_data=OIDC))
    await resolve(api.idps.update("oidc", type="oidc", oidc_data={**OIDC, "clientId": "other"}))
    assert (await resolve(api.idps.get("oidc")))["oidcData"]["clientId"] == "other"
    with pytest.raises(ra.BadRequestError):
        await resolve(api.idps.update("oidc", type="saml", saml_data=SAML))
    await resolve(api.idps.update_mappers("oidc", email="mail", groups="groups"))
    mappers = await resolve(api.idps.mappers("oidc"))
    assert (mappers["email"], mappers["groups"]) == ("mail", "groups")
    # A single sign-on redirect to the provider goes with it.
    await resolve(
        api.settings.update("autoRedirectSSO", body={"enabled": True, "idpAlias": "oidc"})
    )
    await resolve(api.idps.delete("oidc"))
    assert (await resolve(api.settings.get("autoRedirectSSO")))["enabled"] is False
    for gone in (lambda: api.idps.get("oidc"), lambda: api.idps.mappers("oidc")):
        with pytest.raises(ra.NotFoundError):
            await resolve(gone())
    with pytest.raises(ra.NotFoundError):
        await resolve(api.idps.update_mappers("oidc", email="mail"))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"type": "oidc"},
        {"type": "oidc", "saml_data": SAML},
        {"type": "oidc", "oidc_data": {**OIDC, "discoverDocumentUrl": "not an address"}},
        {"type": "oidc", "oidc_data": {**OIDC, "scopes": ["openid  email"]}},
        {"type": "oidc", "oidc_data": {**OIDC, "mandatoryClaim": {"claim": "1", "values": ["a"]}}},
        {"type": "saml", "saml_data": {"entityId": "runai"}},
        {
            "type": "saml",
            "saml_data": {"metadataXmlType": "file", "metadataXmlUrl": "https://a.io"},
        },
        {"type": "openshift-v4", "ocp_data": {"idpBaseUrl": "https://api.example.com"}},
    ],
)
async def test_data_the_type_cannot_use_is_refused(api: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ra.BadRequestError):
        await resolve(api.idps.create(**kwargs))
    assert await collect(api.idps.list()) == []
