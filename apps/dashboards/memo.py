"""What the dashboards keep in the cache: each panel's drawing, and each page's figures.

A panel's drawing. Chart builders are pure (charts/__init__.py): equal frames give
equal figures. So a panel's figure JSON and data table are cached under a digest of
the frame they draw, and a page whose data did not change skips plotly, which is most
of a dashboard's CPU (about 60 % of the organisation page's). Nothing is ever
invalidated: new data makes a new digest.

A page's figures. Reading the frames is the rest of that CPU, and the frames change
only when the organisation's data does. Every change writes an audit event, and the
chain keeps the hash of the newest one that may change a figure (audit/services.py);
the drawn panels of a page are cached under that hash, the teams the reader sees and
the page's filters. Figures that age with the clock (a request's age in days, a
signal's freshness) are also keyed on the hundredth of a day, the precision a request's
age is shown to. Nothing is invalidated here either: a change makes a new key.

Both keys carry a digest of the dashboards' code, so a deployment that changes how a
figure is read or drawn never serves an old one.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TypeVar

import pandas as pd
import plotly
from django.conf import settings
from django.core.cache import cache as default_cache

from apps.audit.selectors import figures_version

T = TypeVar("T")

_DASHBOARDS = Path(__file__).resolve().parent
# A hundredth of a day: requests' ages are rounded to it (selectors.open_requests_frame).
AGE_BUCKET_S = 864


@cache
def code_digest() -> str:
    """A digest of plotly's version and of the dashboards' code, which reads and draws."""
    digest = hashlib.blake2b(plotly.__version__.encode(), digest_size=8)
    for path in sorted(_DASHBOARDS.rglob("*.py")):
        digest.update(path.relative_to(_DASHBOARDS).as_posix().encode())
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
    return _kept(f"dashboards:drawing:{code_digest()}:{key}:{digest}", draw, seconds)


def teams_digest(team_ids: Iterable[int]) -> str:
    """Which teams a page covers, in a few characters."""
    text = ",".join(str(pk) for pk in sorted(team_ids))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def age_bucket() -> int:
    """The hundredth of a day we are in: figures that age are recomputed in each."""
    return int(time.time() // AGE_BUCKET_S)


def figures(
    organization_id: int | None, key: Callable[[], str], compute: Callable[[], T]
) -> T:
    """`compute()`'s result for the organisation's data as it is now, from the cache
    when nothing that changes a figure happened since it was computed.

    `key()` names the page, the teams it covers (teams_digest) and its filters, and is
    called only when the cache is on; `compute` must depend on nothing else but the
    organisation's data and the clock."""
    seconds = settings.DASHBOARDS_FIGURES_CACHE_SECONDS
    version = None
    if seconds and organization_id:
        # Read before computing: figures stored under a version are never older than it.
        version = figures_version(organization_id=organization_id)
    if version is None:
        return compute()
    cache_key = f"dashboards:figures:{code_digest()}:{version}:{age_bucket()}:{key()}"
    return _kept(cache_key, compute, seconds)


def _kept(cache_key: str, compute: Callable[[], T], seconds: int) -> T:
    found = default_cache.get(cache_key)
    if found is None:
        found = compute()
        default_cache.set(cache_key, found, seconds)
    return found
