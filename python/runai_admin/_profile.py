"""The sign-in ``runai-admin login`` stores: a control plane's URL and an application's
client id and secret, in ``$XDG_CONFIG_HOME/runai-admin/profile.json`` (``~/.config/...``
when the variable is unset or empty).

Only its owner may read it: the directory is made 0700 and the file is written to a new
file opened 0600 (so it is never readable by others, not even while being written), then
moved over the old one, so that a reader never sees half of it. A file that others can
read or write is refused rather than used, as ssh refuses such a key.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path
from typing import NamedTuple, Optional

from .errors import ConfigurationError

__all__ = ["StoredProfile", "load", "location", "matching", "remove", "store"]

CONFIG_HOME_VARIABLE = "XDG_CONFIG_HOME"
DIRECTORY_NAME = "runai-admin"
FILE_NAME = "profile.json"


class StoredProfile(NamedTuple):
    path: Path
    base_url: str
    client_id: str
    client_secret: str

    def __repr__(self) -> str:  # the secret stays out
        return f"StoredProfile(path={self.path!r}, base_url={self.base_url!r}, client_id=...)"


def location() -> Path:
    home = os.environ.get(CONFIG_HOME_VARIABLE) or str(Path.home() / ".config")
    return Path(home).expanduser() / DIRECTORY_NAME / FILE_NAME


def store(base_url: str, client_id: str, client_secret: str) -> Path:
    """Write the profile (replacing any) and return its path."""
    path = location()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix":
        # An existing directory keeps its mode through mkdir: this one is ours alone.
        os.chmod(path.parent, 0o700)
    text = json.dumps(
        {"base_url": base_url, "client_id": client_id, "client_secret": client_secret}, indent=2
    )
    # mkstemp creates a new file (O_EXCL) with mode 0600 under a random name.
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{FILE_NAME}.")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def remove() -> Optional[Path]:
    """Delete the profile; its path, or None when there was none."""
    path = location()
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    return path


def load() -> Optional[StoredProfile]:
    """The stored profile, None when there is no file, or ConfigurationError naming the
    file when it cannot be used."""
    path = location()
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ConfigurationError(f"cannot read {path}: {e.strerror}") from None
    with os.fdopen(fd, encoding="utf-8") as source:
        mode = os.fstat(source.fileno()).st_mode
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigurationError(
                f"{path} may be read or changed by other users (mode {stat.filemode(mode)});"
                f" run `chmod 600 {path}` or sign in again with `runai-admin login`"
            )
        try:
            data = json.load(source)
        except ValueError:
            raise ConfigurationError(
                f"{path} is not valid JSON; sign in again with `runai-admin login`"
            ) from None
    fields = [data.get(k) if isinstance(data, dict) else None for k in StoredProfile._fields[1:]]
    if not all(isinstance(v, str) and v for v in fields):
        raise ConfigurationError(
            f"{path} lacks base_url, client_id or client_secret;"
            " sign in again with `runai-admin login`"
        )
    base_url, client_id, client_secret = (str(v) for v in fields)
    return StoredProfile(path, base_url, client_id, client_secret)


def matching(base_url: Optional[str]) -> Optional[StoredProfile]:
    """The stored profile when there is one and it is of ``base_url`` (any, when None):
    its secret is sent to no other control plane."""
    from . import _core

    profile = load()
    if profile is None:
        return None
    if base_url and _core.normalize_base_url(base_url) != _core.normalize_base_url(
        profile.base_url
    ):
        return None
    return profile
