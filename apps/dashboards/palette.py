"""Colours for the dashboards, chosen to stay distinguishable for colour-blind readers.

Categories use the Okabe–Ito palette: M. Okabe and K. Ito, "Color Universal Design
(CUD): How to make figures and presentations that are friendly to colorblind people"
(2008), https://jfly.uni-koeln.de/color/. Maturity levels 0–4 use cividis, a
sequential scale that reads the same with every common colour-vision deficiency and
in greyscale, so no chart relies on telling red from green.
"""

from __future__ import annotations

# Okabe & Ito (2008), the eight colours by their published names.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"

OKABE_ITO = (
    BLACK,
    ORANGE,
    SKY_BLUE,
    BLUISH_GREEN,
    YELLOW,
    BLUE,
    VERMILLION,
    REDDISH_PURPLE,
)

# The order categorical series take: the strongest contrasts on white come first,
# yellow (faint on white) and black (reads as text) last.
CATEGORICAL = (
    BLUE,
    ORANGE,
    BLUISH_GREEN,
    VERMILLION,
    SKY_BLUE,
    REDDISH_PURPLE,
    YELLOW,
    BLACK,
)

# Plotly's Cividis sampled at 0, 0.25, 0.5, 0.75 and 1: one colour per level 0–4,
# dark (level 0) to light (level 4). Written out so the colours never move with a
# plotly upgrade; a test checks them against plotly's scale.
LEVEL_COLORS = (
    "#00224E",
    "#424E6C",
    "#7D7C76",
    "#BCAD6C",
    "#FEE838",
)

# The translucent fill under a band or a radar polygon, from BLUE.
BLUE_BAND = "rgba(0, 114, 178, 0.2)"
ORANGE_BAND = "rgba(230, 159, 0, 0.15)"

GRID = "#E5E5E5"


def categorical(index: int) -> str:
    """The colour for the index-th series, cycling through CATEGORICAL."""
    return CATEGORICAL[index % len(CATEGORICAL)]


def level_colorscale() -> list[list[float | str]]:
    """A stepped plotly colorscale with one flat band per level 0–4, for z in
    [-0.5, 4.5], so each level is one colour rather than a gradient."""
    steps = len(LEVEL_COLORS)
    scale: list[list[float | str]] = []
    for level, colour in enumerate(LEVEL_COLORS):
        scale.append([level / steps, colour])
        scale.append([(level + 1) / steps, colour])
    return scale
