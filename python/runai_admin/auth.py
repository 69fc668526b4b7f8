"""Ways to authenticate. Pass one as ``auth=`` to :class:`runai_admin.Client` (or
:class:`runai_admin.AsyncClient`):

- :class:`ClientCredentials`: an application's or service account's id and secret (what
  ``client_id=``/``client_secret=`` and ``RUNAI_CLIENT_ID``/``RUNAI_CLIENT_SECRET`` make).
- :class:`Password`: a user's e-mail and password.
- :class:`BearerToken`: a ready token (what ``token=`` and ``RUNAI_TOKEN`` make).
- :class:`KeycloakRealm`: a client of an older self-hosted control plane's realm.
- :class:`CLIProfile`: the session of the Run:ai CLI's ``runai login``.

    client = ra.Client(base_url="https://acme.run.ai",
                       auth=ra.auth.Password("ada@acme.com", password))

The client obtains tokens when first needed and renews them before they expire (all but
:class:`BearerToken`, used as is). Secrets are kept out of every repr.

The kinds are small immutable value classes written out by hand rather than dataclasses:
importing `dataclasses` (and `inspect` with it) would double the import time of the whole
package. For the same reason `pathlib` (5 ms with what it imports) is imported where a
CLI profile is read, not here.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Optional, Union

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["Auth", "BearerToken", "CLIProfile", "ClientCredentials", "KeycloakRealm", "Password"]


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
    """A client of the seed-era Keycloak realm that older self-hosted control planes use:
    its tokens come from ``/auth/realms/{realm}/protocol/openid-connect/token`` with the
    client credentials grant."""

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
    """A user's e-mail and password. ``legacy=True`` logs in through
    ``/v1/k8s/auth/login``, the way of older self-hosted control planes (then use
    ``client.legacy``)."""

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


# Where the Run:ai CLI v2 keeps its `runai login` session: a directory (`~/.runai`, or
# RUNAI_CLI_CONFIG_PATH) holding a config file (`config.json`, or RUNAI_CLI_CONFIG_FILE)
# that names the control plane (`control_plane.url`), the cluster (`cluster.uuid`) and the
# authentication file (`authentication.file`, relative to the directory;
# `authentication.json` when absent). That file holds the session's tokens, `accessToken`
# and `refreshToken`, each base64 of the token text as the CLI writes them (a raw token is
# taken as is). The CLI's code is not public: this layout is what its users' scripts read,
# kept here in one place.
CLI_CONFIG_DIR_VARIABLE = "RUNAI_CLI_CONFIG_PATH"
CLI_CONFIG_FILE_VARIABLE = "RUNAI_CLI_CONFIG_FILE"
CLI_CONFIG_DIR = "~/.runai"
CLI_CONFIG_FILE = "config.json"
CLI_AUTH_FILE = "authentication.json"
CLI_ACCESS_KEY, CLI_REFRESH_KEY = "accessToken", "refreshToken"
#: A token that ends within this many seconds is refreshed before use.
REFRESH_AHEAD_SECONDS = 60.0


def _unwrapped(text: str) -> tuple[str, bool]:
    """A token as sent, and whether the file held it base64-wrapped: the CLI wraps its
    tokens; a value that is not base64 of printable text is taken as the token itself."""
    import base64
    import binascii

    try:
        decoded = base64.b64decode(text, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        return text, False
    if decoded and all(0x21 <= ord(c) < 0x7F for c in decoded):
        return decoded, True
    return text, False


def _jwt_expiry(token: str) -> Optional[float]:
    """The `exp` of a JWT (unverified: only when to refresh matters), or None."""
    import base64
    import json

    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else None


def _json_object(path: Path) -> dict[str, Any]:
    import json

    from .errors import ConfigurationError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(
            f"no runai login session: {path} does not exist; sign in with `runai login`"
        ) from None
    except (OSError, ValueError) as e:
        raise ConfigurationError(f"cannot read {path}: {type(e).__name__}") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path} is not a JSON object")
    return data


def _text_at(data: dict[str, Any], *keys: str) -> Optional[str]:
    node: Any = data
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, str) and node.strip() else None


class CLIProfile(Auth):
    """The session of ``runai login`` (the Run:ai CLI v2): its control plane, its cluster and
    its tokens, read from the CLI's config directory (``~/.runai``, or
    ``RUNAI_CLI_CONFIG_PATH``; its config file ``config.json``, or
    ``RUNAI_CLI_CONFIG_FILE``).

    ``Client(auth=CLIProfile())`` talks to the profile's control plane unless ``base_url=``
    says otherwise; ``Client()`` with no credentials given and none in ``RUNAI_*`` falls back
    to it. An access token that has expired (or ends within a minute) is refreshed through
    the control plane's ``/api/v1/token`` with the session's refresh token when a client is
    made, and the new tokens are written back to the file, as the CLI would. A missing file,
    or an expired session with no refresh token, raises :class:`ConfigurationError` naming
    the file. The tokens never appear in a repr.

    ``config_dir`` and ``config_file`` name another directory and config file. Its
    attributes say what it read: ``path`` (the config file), ``base_url`` (the control
    plane), ``cluster_id`` (the CLI's cluster, or None) and ``auth_file`` (where the
    tokens are).
    """

    __slots__ = ("_access", "_refresh", "_wrapped", "auth_file", "base_url", "cluster_id", "path")
    _fields = ("path", "base_url", "cluster_id")
    path: Path
    base_url: str
    cluster_id: Optional[str]
    auth_file: Path
    # The session, kept out of the fields (and so of the repr and equality).
    _access: str
    _refresh: Optional[str]
    _wrapped: bool

    def __init__(
        self,
        config_dir: Union[str, os.PathLike[str], None] = None,
        config_file: Optional[str] = None,
    ) -> None:
        from .errors import ConfigurationError

        path = self._located(config_dir, config_file)
        directory = path.parent
        config = _json_object(path)
        base_url = self._control_plane(path)
        if base_url is None:
            raise ConfigurationError(
                f"{path} names no control plane (control_plane.url); sign in with `runai login`"
            )
        auth_file = directory / (_text_at(config, "authentication", "file") or CLI_AUTH_FILE)
        tokens = _json_object(auth_file)
        access, refresh = _text_at(tokens, CLI_ACCESS_KEY), _text_at(tokens, CLI_REFRESH_KEY)
        if access is None:
            raise ConfigurationError(
                f"{auth_file} holds no {CLI_ACCESS_KEY}; sign in with `runai login`"
            )
        access_token, wrapped = _unwrapped(access)
        self._set(
            path=path,
            base_url=base_url.strip().rstrip("/"),
            cluster_id=_text_at(config, "cluster", "uuid"),
            auth_file=auth_file,
            _access=access_token,
            _refresh=_unwrapped(refresh)[0] if refresh else None,
            _wrapped=wrapped,
        )
        if self._expired() and self._refresh is None:
            raise ConfigurationError(self._expired_message("and it holds no refresh token"))

    @staticmethod
    def _located(
        config_dir: Union[str, os.PathLike[str], None] = None, config_file: Optional[str] = None
    ) -> Path:
        """The CLI's config file: arguments, then its variables, then its defaults."""
        from pathlib import Path  # on use: see the module's docstring

        directory = config_dir or os.environ.get(CLI_CONFIG_DIR_VARIABLE) or CLI_CONFIG_DIR
        name = config_file or os.environ.get(CLI_CONFIG_FILE_VARIABLE) or CLI_CONFIG_FILE
        return Path(directory).expanduser() / name

    @staticmethod
    def _control_plane(config: Path) -> Optional[str]:
        """The control plane's URL a CLI config file names, if any."""
        return _text_at(_json_object(config), "control_plane", "url")

    def _expired(self) -> bool:
        import time

        expiry = _jwt_expiry(self._access)
        return expiry is not None and expiry - REFRESH_AHEAD_SECONDS <= time.time()

    def _expired_message(self, why: str) -> str:
        return (
            f"the runai login session in {self.auth_file} has expired {why}; "
            "sign in again with `runai login`"
        )

    def _spec(self) -> dict[str, object]:
        return {"kind": "bearer_token", "token": self._access}

    def _fresh(self, **settings: Any) -> None:
        """Refresh an expired access token (the client's TLS, timeout and http settings
        apply) and write the new tokens back to the authentication file."""
        if not self._expired():
            return
        from . import _core
        from .errors import APIError, ConfigurationError

        refresh = self._refresh
        if refresh is None:
            raise ConfigurationError(self._expired_message("and it holds no refresh token"))
        # The token route reads no bearer; the expired token only fills the header.
        core = _core.CoreClient(base_url=self.base_url, token=self._access, **settings)
        try:
            answer = core.call(
                "grant_token", (), {"grant_type": "refresh_token", "refresh_token": refresh}
            )
        except APIError as e:
            raise ConfigurationError(
                self._expired_message(f"and its refresh was refused ({e.status or e.message})")
            ) from None
        access, renewed = answer.get("accessToken"), answer.get("refreshToken") or refresh
        if not isinstance(access, str) or not access:
            raise ConfigurationError(f"the token refresh for {self.auth_file} gave no access token")
        self._set(_access=access, _refresh=renewed)
        self._write_back(access, renewed)

    def _write_back(self, access: str, refresh: str) -> None:
        import base64
        import contextlib
        import json
        import tempfile

        def stored(token: str) -> str:
            return base64.b64encode(token.encode()).decode() if self._wrapped else token

        tokens = _json_object(self.auth_file)
        tokens[CLI_ACCESS_KEY], tokens[CLI_REFRESH_KEY] = stored(access), stored(refresh)
        # A new file moved into place: the CLI never reads half a file; only its owner
        # may read it.
        fd, temporary = tempfile.mkstemp(dir=self.auth_file.parent, prefix=".runai-admin-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(tokens, out, indent=2)
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.auth_file)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
