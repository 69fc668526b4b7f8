"""Ways to authenticate. Pass one as ``auth=`` to :class:`runai_admin.Client`.

Secrets are kept out of every repr. The kinds are small immutable value classes written
out by hand rather than dataclasses: importing `dataclasses` (and `inspect` with it) would
double the import time of the whole package.
"""

from __future__ import annotations

from typing import ClassVar, Literal

__all__ = ["Auth", "BearerToken", "ClientCredentials", "KeycloakRealm", "Password"]


class Auth:
    """Base of the credential kinds; each hands the core a plain description of itself."""

    __slots__ = ()
    #: The fields, in the order the constructor takes them; secrets are not shown in reprs.
    _fields: ClassVar[tuple[str, ...]] = ()
    _secrets: ClassVar[frozenset[str]] = frozenset()

    def _spec(self) -> dict[str, object]:
        raise NotImplementedError

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def _set(self, **values: object) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Auth)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self), self._values()))

    def __repr__(self) -> str:
        shown = (f"{n}={getattr(self, n)!r}" for n in self._fields if n not in self._secrets)
        return f"{type(self).__name__}({', '.join(shown)})"


class ClientCredentials(Auth):
    """An application's (or service account's) id and secret.

    ``endpoint="v1"`` posts JSON to ``/api/v1/token`` (the default); ``"v2"`` uses the
    OAuth2 form endpoint ``/api/v2/token``.
    """

    __slots__ = ("client_id", "client_secret", "endpoint")
    _fields = ("client_id", "client_secret", "endpoint")
    _secrets = frozenset({"client_secret"})
    client_id: str
    client_secret: str
    endpoint: Literal["v1", "v2"]

    def __init__(
        self, client_id: str, client_secret: str, endpoint: Literal["v1", "v2"] = "v1"
    ) -> None:
        self._set(client_id=client_id, client_secret=client_secret, endpoint=endpoint)

    def _spec(self) -> dict[str, object]:
        return {
            "kind": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "endpoint": self.endpoint,
        }


class KeycloakRealm(Auth):
    """A client of the seed-era Keycloak realm that older self-hosted control planes use."""

    __slots__ = ("client_id", "client_secret", "realm")
    _fields = ("realm", "client_id", "client_secret")
    _secrets = frozenset({"client_secret"})
    realm: str
    client_id: str
    client_secret: str

    def __init__(self, realm: str, client_id: str, client_secret: str) -> None:
        self._set(realm=realm, client_id=client_id, client_secret=client_secret)

    def _spec(self) -> dict[str, object]:
        return {
            "kind": "keycloak_realm",
            "realm": self.realm,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }


class Password(Auth):
    """A user's email and password. ``legacy=True`` logs in through ``/v1/k8s/auth/login``."""

    __slots__ = ("email", "legacy", "password")
    _fields = ("email", "password", "legacy")
    _secrets = frozenset({"password"})
    email: str
    password: str
    legacy: bool

    def __init__(self, email: str, password: str, legacy: bool = False) -> None:
        self._set(email=email, password=password, legacy=legacy)

    def _spec(self) -> dict[str, object]:
        return {
            "kind": "password",
            "email": self.email,
            "password": self.password,
            "legacy": self.legacy,
        }


class BearerToken(Auth):
    """A ready token, used as is and never refreshed."""

    __slots__ = ("token",)
    _fields = ("token",)
    _secrets = frozenset({"token"})
    token: str

    def __init__(self, token: str) -> None:
        self._set(token=token)

    def _spec(self) -> dict[str, object]:
        return {"kind": "bearer_token", "token": self.token}
