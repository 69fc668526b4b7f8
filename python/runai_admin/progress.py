"""Progress bars for long walks: ``tqdm.auto`` (a widget in notebooks, text elsewhere).
tqdm is the optional ``progress`` extra, imported only when a bar is asked for."""

from __future__ import annotations

import importlib
from typing import Any, Optional, Protocol

__all__ = ["Bar", "bar"]


class Bar(Protocol):
    """What the pagers use of a progress bar (a ``tqdm.auto.tqdm``)."""

    def update(self, n: int = 1) -> Any:
        """Count ``n`` more items."""
        ...

    def close(self) -> None:
        """End the bar."""
        ...


def bar(total: Optional[int], description: str) -> Bar:
    """A bar counting items; ``total`` None when the operation cannot count them.
    ImportError, naming the ``progress`` extra, when tqdm is not installed."""
    try:  # tqdm ships no type information: imported by name, used as Any
        tqdm = importlib.import_module("tqdm.auto").tqdm
    except ImportError:
        raise ImportError("progress=True needs tqdm: pip install 'runai-admin[progress]'") from None
    made: Bar = tqdm(total=total, desc=description, unit=" items")
    return made
