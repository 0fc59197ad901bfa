"""A panel's drawing, kept in the cache under its frame's content.

Chart builders are pure (charts/__init__.py): equal frames give equal figures. So a
panel's figure JSON and data table are cached under a digest of the frame they draw,
and a page whose data did not change skips plotly, which is most of a dashboard's
CPU (about 60 % of the organisation page's). Nothing is ever invalidated: new data
makes a new digest, and the key also carries a digest of the code that draws, so a
deployment that changes a builder never serves an old drawing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

import pandas as pd
import plotly
from django.conf import settings
from django.core.cache import cache as default_cache

T = TypeVar("T")

_DASHBOARDS = Path(__file__).resolve().parent
# What a panel's drawing depends on besides its frame.
_DRAWING_CODE = (
    *sorted((_DASHBOARDS / "charts").glob("*.py")),
    _DASHBOARDS / "panels.py",
    _DASHBOARDS / "palette.py",
    _DASHBOARDS / "views" / "common.py",
)


@cache
def code_digest() -> str:
    digest = hashlib.blake2b(plotly.__version__.encode(), digest_size=8)
    for path in _DRAWING_CODE:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def frame_digest(frame: pd.DataFrame) -> str | None:
    """A digest of the frame's columns, types and rows in order; None when a cell
    holds something pandas cannot hash (a list or a dict), and the panel is drawn
    afresh."""
    try:
        rows = pd.util.hash_pandas_object(frame, index=False)
    except TypeError:
        return None
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    digest.update(rows.to_numpy().tobytes())
    return digest.hexdigest()


def drawn(key: str, frame: pd.DataFrame, draw: Callable[[], T]) -> T:
    """`draw()`'s result for `frame`, from the cache when this frame was drawn before.

    `key` names what is drawn (the panel and its options); `draw` must depend on
    nothing but the frame and what the key names."""
    seconds = settings.DASHBOARDS_DRAWING_CACHE_SECONDS
    digest = frame_digest(frame) if seconds else None
    if digest is None:
        return draw()
    cache_key = f"dashboards:drawing:{code_digest()}:{key}:{digest}"
    found = default_cache.get(cache_key)
    if found is None:
        found = draw()
        default_cache.set(cache_key, found, seconds)
    return found
