"""Shared figure style: one colour per representation everywhere, sizes readable at paper width."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from pancan.atomic import atomic_path  # noqa: E402

PAGE_WIDTH = 7.0  # inches: a two-column journal page
REPRESENTATION_COLOURS = {
    "raw": "#4c72b0",
    "raw_network": "#64b5cd",
    "mutation_count": "#8c8c8c",
    "nsqn": "#dd8452",
    "smoothing": "#f1c27d",
    "netnorm": "#c44e52",
    "netnorm_permuted": "#e8a0a2",
    "netnorm_rewired": "#9e3a3d",
    "nsqn_permuted": "#f4b98e",
    "nsqn_rewired": "#a85f2e",
    "clinical": "#55a868",
}
ORDER = list(REPRESENTATION_COLOURS)
RC = {
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",
}


def colour(representation: str) -> str:
    """Colour of a representation; 'X+clinical' shares X's colour (drawn hatched by the callers)."""
    return REPRESENTATION_COLOURS.get(representation.split("+")[0], "#333333")


def ordered(representations) -> list[str]:
    """Known representations in a fixed order, combinations after their base, unknown ones last."""
    def key(name: str) -> tuple:
        base = name.split("+")[0]
        return (ORDER.index(base) if base in ORDER else len(ORDER), "+" in name, name)

    return sorted(set(representations), key=key)


def save_figure(figure, png: str | Path, svg: str | Path | None = None, dpi: int = 200) -> None:
    """Write PNG (and SVG) atomically, then close the figure."""
    with atomic_path(png) as tmp:
        figure.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight")
    if svg:
        with atomic_path(svg) as tmp:
            figure.savefig(tmp, format="svg", bbox_inches="tight")
    plt.close(figure)


def panel_grid(n_panels: int, columns: int = 4, height: float = 1.9):
    """A figure with one axis per panel (spare axes hidden), page width."""
    rows = max(1, -(-n_panels // columns))
    columns = min(columns, max(n_panels, 1))
    with plt.rc_context(RC):
        figure, axes = plt.subplots(rows, columns, figsize=(PAGE_WIDTH, height * rows + 0.4), squeeze=False)
    flat = axes.ravel()
    for axis in flat[n_panels:]:
        axis.set_visible(False)
    return figure, flat[:n_panels]
