"""Ways to authenticate. Pass one as ``auth=`` to :class:`runai_admin.Client`.

Secrets are kept out of every repr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Auth", "BearerToken", "ClientCredentials", "KeycloakRealm", "Password"]


class Auth:
    """Base of the credential kinds; each hands the core a plain description of itself."""

    def _spec(self) -> dict[str, object]:
        raise NotImplementedError


@dataclass(frozen=True)
class ClientCredentials(Auth):
    """An application's (or service account's) id and secret.

    ``endpoint="v1"`` posts JSON to ``/api/v1/token`` (the default); ``"v2"`` uses the
    OAuth2 form endpoint ``/api/v2/token``.
    """

    client_id: str
    client_secret: str = field(repr=False)
    endpoint: Literal["v1", "v2"] = "v1"

    def _spec(self) -> dict[str, object]:
        return {
            "kind": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "endpoint": self.endpoint,
        }


@dataclass(frozen=True)
class KeycloakRealm(Auth):
    """A client of the seed-era Keycloak realm that older self-hosted control planes use."""

    realm: str
    client_id: str
    client_secret: str = field(repr=False)

    def _spec(self) -> dict[str, object]:
        return {
            "kind": "keycloak_realm",
            "realm": self.realm,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }


@dataclass(frozen=True)
class Password(Auth):
    """A user's email and password. ``legacy=True`` logs in through ``/v1/k8s/auth/login``."""

    email: str
    password: str = field(repr=False)
    legacy: bool = False

    def _spec(self) -> dict[str, object]:
        return {
            "kind": "password",
            "email": self.email,
            "password": self.password,
            "legacy": self.legacy,
        }


@dataclass(frozen=True)
class BearerToken(Auth):
    """A ready token, used as is and never refreshed."""

    token: str = field(repr=False)

    def _spec(self) -> dict[str, object]:
        return {"kind": "bearer_token", "token": self.token}
