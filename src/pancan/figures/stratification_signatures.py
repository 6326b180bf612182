"""Signature genes of each subtype: AUC against the other patients, network-module genes in bold."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pancan.figures.stratification_consensus import subtype_colour
from pancan.figures.style import PAGE_WIDTH, new_figure, styled


def plural(count: int, noun: str) -> str:
    """'1 gene', '2 genes', '0 genes'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@styled
def signature_figure(signatures: pd.DataFrame, modules: pd.DataFrame, title: str, per_subtype: int = 8) -> Figure:
    """One panel per subtype: its top signature genes by AUC (bold: in the subtype's network module)."""
    subtypes = sorted(signatures["subtype"].unique()) if len(signatures) else []
    if not subtypes:
        figure = new_figure(3.4, 1.2)
        axis = figure.subplots()
        axis.axis("off")
        message = "no signature gene: none passes the FDR level\n(subtypes of fewer than 3 patients are not tested)"
        axis.text(0.5, 0.5, message, ha="center", va="center")
        axis.set_title(title)
        return figure
    columns = min(len(subtypes), 4)
    rows = -(-len(subtypes) // columns)
    figure = new_figure(PAGE_WIDTH, 0.45 + rows * (0.3 + 0.17 * per_subtype))
    axes = figure.subplots(rows, columns, squeeze=False)
    for axis in axes.ravel()[len(subtypes) :]:
        axis.set_visible(False)
    for axis, subtype in zip(axes.ravel(), subtypes):
        table = signatures[signatures["subtype"] == subtype].sort_values("rank").head(per_subtype)
        y = np.arange(len(table))
        axis.barh(y, table["auc"] - 0.5, left=0.5, color=subtype_colour(subtype), height=0.7)
        axis.set_yticks(y)
        axis.set_yticklabels(table["gene"])
        for label, in_module in zip(axis.get_yticklabels(), table["in_module"]):
            label.set_fontweight("bold" if in_module else "normal")
        axis.set_ylim(per_subtype - 0.5, -0.5)  # one row per gene, best on top: equal bars in every panel
        axis.set_xlim(0.5, 1.0)
        axis.axvline(0.5, color="#333333", linewidth=0.6)
        n_genes = int((signatures["subtype"] == subtype).sum())
        n_edges = int((modules["subtype"] == subtype).sum()) if len(modules) else 0
        module_genes = int(signatures.loc[signatures["subtype"] == subtype, "in_module"].sum())
        axis.set_title(
            f"subtype {subtype}: {plural(n_genes, 'gene')}\n"
            f"module: {plural(module_genes, 'gene')}, {plural(n_edges, 'edge')}",
            fontsize=8,
        )
        axis.set_xlabel("AUC vs other patients")
    figure.suptitle(f"{title} (bold: module genes)")
    return figure
