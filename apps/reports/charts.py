"""The dashboards' plotly figures as SVG for PDFs, exported by kaleido with Debian's
Chromium. One browser per process, started on first use or when a worker process
starts (apps.py), and kept: starting one costs seconds, an export then a fraction of
one."""

from __future__ import annotations

import atexit
import base64
import threading
import warnings

import kaleido
import plotly.graph_objects as go
import plotly.io as pio

_browser = threading.Lock()
_started = False
# The page's width in CSS pixels at 96 dpi, inside the margins of A4 and Letter.
WIDTH = 680


def start_browser() -> None:
    global _started
    with _browser:
        if not _started:
            kaleido.start_sync_server(silence_warnings=True)
            atexit.register(kaleido.stop_sync_server, silence_warnings=True)
            _started = True


def svg_data_uri(fig: go.Figure, *, height: int = 380) -> str:
    """The figure as an <img> source: an SVG that WeasyPrint draws as vectors."""
    start_browser()
    with warnings.catch_warnings():
        # plotly passes options that only a one-off browser takes; the server
        # already has them.
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")
        svg = pio.to_image(fig, format="svg", width=WIDTH, height=height)
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
