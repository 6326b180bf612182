"""Consensus matrix heatmap, patients in dendrogram order, with a subtype colour bar."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from pancan.figures.style import new_figure, styled

SUBTYPE_COLOURS = [
    "#4c72b0",
    "#dd8452",
    "#55a868",
    "#c44e52",
    "#8172b3",
    "#937860",
    "#da8bc3",
    "#8c8c8c",
    "#ccb974",
    "#64b5cd",
    "#1b3a5c",
    "#7f3f00",
]


def subtype_colour(subtype: int) -> str:
    """Colour of subtype 1, 2, ... (cycling): the same in the consensus, survival and signature figures."""
    return SUBTYPE_COLOURS[(int(subtype) - 1) % len(SUBTYPE_COLOURS)]


@styled
def consensus_heatmap(consensus: np.ndarray, order: np.ndarray, subtypes: np.ndarray, title: str) -> Figure:
    """consensus (n x n) in [0, 1]; order: leaf order; subtypes: 1..k per patient (original order).

    The subtype legend sits under the heatmap and its label, outside every axis. A fixed grid (not constrained
    layout, which would pad the colour strips away from the heatmap) keeps the strips flush with it."""
    matrix = consensus[np.ix_(order, order)]
    labels = subtypes[order]
    k = int(subtypes.max())
    bar_map = ListedColormap([subtype_colour(s) for s in range(1, k + 1)])
    figure = new_figure(3.6, 3.6, layout=None)
    grid = figure.add_gridspec(
        2,
        3,
        width_ratios=[0.04, 1, 0.05],
        height_ratios=[0.04, 1],
        wspace=0.03,
        hspace=0.03,
        left=0.06,
        right=0.86,
        bottom=0.08,
        top=0.88,
    )
    heat = figure.add_subplot(grid[1, 1])
    image = heat.imshow(matrix, cmap="Blues", vmin=0, vmax=1, interpolation="nearest", aspect="auto")
    heat.set_xticks([])
    heat.set_yticks([])
    heat.set_xlabel(f"{len(order)} patients (dendrogram order)")
    for position, axis in ((grid[0, 1], "top"), (grid[1, 0], "left")):
        bar = figure.add_subplot(position)
        strip = labels[None, :] if axis == "top" else labels[:, None]
        bar.imshow(strip - 1, cmap=bar_map, vmin=0, vmax=k - 1, aspect="auto", interpolation="nearest")
        bar.set_xticks([])
        bar.set_yticks([])
        for side in bar.spines.values():
            side.set_visible(False)
    colourbar = figure.colorbar(image, cax=figure.add_subplot(grid[1, 2]))
    colourbar.set_label("consensus")
    handles = [Rectangle((0, 0), 1, 1, color=subtype_colour(s)) for s in range(1, k + 1)]
    sizes = np.bincount(subtypes, minlength=k + 1)[1:]
    figure.legend(
        handles,
        [f"{s} (n={n})" for s, n in zip(range(1, k + 1), sizes)],
        title="subtype",
        loc="upper center",
        bbox_to_anchor=(0.5, 0.02),  # under the x label; saved with bbox_inches="tight"
        ncol=min(k, 4),
        frameon=False,
    )
    figure.suptitle(title, y=0.97)
    return figure
