"""Shared figure style: one colour and label per representation (from the registry), sizes readable at paper width."""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

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
        with plt.rc_context(RC):
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


def save_figure(figure, png: str | Path, svg: str | Path | None = None, dpi: int = 200) -> None:
    """Write PNG (and SVG) atomically, then close the figure."""
    with atomic_path(png) as tmp:
        figure.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight")
    if svg:
        with atomic_path(svg) as tmp:
            figure.savefig(tmp, format="svg", bbox_inches="tight")
    plt.close(figure)


def panel_grid(n_panels: int, columns: int = 4, height: float = 1.9):
    """A figure with one axis per panel (spare axes hidden), page width. Call inside `styled` functions."""
    rows = max(1, -(-n_panels // columns))
    columns = min(columns, max(n_panels, 1))
    figure, axes = plt.subplots(rows, columns, figsize=(PAGE_WIDTH, height * rows + 0.4), squeeze=False)
    flat = axes.ravel()
    for axis in flat[n_panels:]:
        axis.set_visible(False)
    return figure, flat[:n_panels]
