"""Shared figure style: one colour and label per representation (from the registry), sizes readable at paper width.

No process-wide state: figures are `matplotlib.figure.Figure` objects made here without pyplot, so
importing or calling a figure function neither picks a backend nor registers figures that must be
closed. They render anywhere (PNG and SVG need no display); whoever wants a backend (a notebook,
the rule scripts) chooses it at its edge.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from pancan.atomic import atomic_path
from pancan.representations.registry import REGISTRY

PAGE_WIDTH = 7.0  # inches: a two-column journal page
RC = {
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "figure.titlesize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",
}


def styled(function):
    """Run a figure function entirely inside the style, so every text element (titles too) gets its sizes."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(RC):
            return function(*args, **kwargs)

    return wrapper


def colour(representation: str) -> str:
    """Colour of a representation; 'X+clinical' shares X's colour (drawn hatched by the callers)."""
    return REGISTRY.colour(representation)


def label(representation: str) -> str:
    """Readable name of a representation, e.g. 'NetNorM + clinical'."""
    return REGISTRY.label(representation)


def ordered(representations) -> list[str]:
    """Registry order, combinations after their base, unknown ones last."""
    return REGISTRY.order(representations)


def new_figure(width: float, height: float, layout: str | None = "constrained") -> Figure:
    """A figure of width x height inches, outside pyplot (see the module docstring).

    Constrained layout (the default) keeps titles, tick labels and `loc="outside ..."` legends
    from overlapping, whatever the label lengths. Call inside `styled` functions.
    """
    return Figure(figsize=(width, height), layout=layout)


def save_figure(figure: Figure, png: str | Path, svg: str | Path | None = None, dpi: int = 200) -> None:
    """Write PNG (and SVG) atomically; a figure made through pyplot (by code outside this package) is then closed."""
    with atomic_path(png) as tmp:
        figure.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight")
    if svg:
        with atomic_path(svg) as tmp:
            figure.savefig(tmp, format="svg", bbox_inches="tight")
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(figure)


def panel_grid(n_panels: int, columns: int = 4, height: float = 1.9) -> tuple[Figure, list]:
    """A figure with one axis per panel (spare axes hidden), page width. Call inside `styled` functions."""
    rows = max(1, -(-n_panels // columns))
    columns = min(columns, max(n_panels, 1))
    figure = new_figure(PAGE_WIDTH, height * rows + 0.4, layout=None)
    axes = figure.subplots(rows, columns, squeeze=False)
    flat = axes.ravel()
    for axis in flat[n_panels:]:
        axis.set_visible(False)
    return figure, flat[:n_panels]
