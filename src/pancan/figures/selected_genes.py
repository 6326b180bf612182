"""Most frequently selected genes across outer folds (the paper's gene-selection figure).

The colour is the sign of the gene's mean coefficient: a higher value of the gene's feature goes
with a higher (red) or lower (blue) risk. What the feature is depends on the representation,
and the legend says it: for raw mutations it is "mutated"; for NetNorM it is "among the
patient's k NetNorM genes", which a gene also is when NetNorM adds it, non-mutated, as a proxy
for its mutated neighbours in a patient with fewer than k mutations. Hubs such as SP1, YY1 or
RELA are selected that way while hardly ever mutated, so "higher risk when mutated" would be
wrong for them. When the cohort and network are given, `netnorm_proxy_share` measures it, and
genes set to 1 as proxies in most patients are hatched.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from pancan.figures.style import label, new_figure, styled
from pancan.representations.registry import REGISTRY

RISK_COLOURS = {True: "#c44e52", False: "#4c72b0"}
PROXY_HATCH = "////"
PROXY_MAJORITY = 0.5  # hatched: more than this fraction of the gene's ones are proxies (gene not mutated)

# per representation family: what a gene's feature is
FEATURE_MEANING = {
    "raw": "1 when the gene is mutated",
    "raw_network": "1 when the gene is mutated",
    "netnorm": "1 when the gene is one of the patient's k NetNorM genes:\nmutated, or added as a proxy for mutated neighbours",
    "nsqn": "the gene's smoothed, quantile-normalised mutation score",
    "smoothing": "the gene's network-smoothed mutation score",
}


def selection_frequency(coefficients: pd.DataFrame, n_folds: int) -> pd.DataFrame:
    """Per feature: fraction of outer folds selecting it, and its mean coefficient when selected."""
    grouped = coefficients.groupby("feature")["coefficient"]
    table = pd.DataFrame({"frequency": grouped.size() / n_folds, "mean_coefficient": grouped.mean()})
    return table.sort_values(["frequency", "mean_coefficient"], ascending=[False, False]).reset_index()


def gene_representation(candidates) -> str:
    """NetNorM when benchmarked (the paper's gene-selection figure), else the first gene-level representation."""
    genes_level = [c for c in candidates if c != "mutation_count"]
    return "netnorm" if "netnorm" in genes_level else (genes_level or list(candidates))[0]


def feature_meaning(representation: str) -> str:
    """What a gene's feature is in `representation` (by its family; generic when unknown)."""
    family = REGISTRY[representation].family if representation in REGISTRY else representation
    return FEATURE_MEANING.get(family, "the gene's value in the representation")


def netnorm_proxy_share(
    ranks: np.ndarray, mutated: sp.spmatrix, genes, coefficients: pd.DataFrame, folds: pd.DataFrame
) -> pd.Series:
    """Per selected gene: the fraction of its NetNorM ones that are proxies (the patient's gene is not mutated).

    ranks: each patient's NetNorM gene order (`netnorm_ranks`, depth >= the largest k chosen); mutated: patients x
    network genes, same rows and gene order as `genes`; coefficients: repeat, fold, feature of the selected genes;
    folds: repeat, fold, parameter_value (the k each fold chose). Each fold counts its own k's ones, over all the
    cohort's patients; the share pools the folds selecting the gene.
    """
    index = pd.Index(genes)
    mutated = sp.csr_matrix(mutated)
    chosen_k = folds.set_index(["repeat", "fold"])["parameter_value"].astype(int)
    ones = pd.Series(0, index=pd.unique(coefficients["feature"]), dtype=np.int64)
    proxies = ones.copy()
    for (repeat, fold), rows in coefficients.groupby(["repeat", "fold"]):
        k = int(chosen_k.loc[(repeat, fold)])
        wanted = index.get_indexer(rows["feature"])
        top = ranks[:, :k]
        for feature, column in zip(rows["feature"], wanted):
            if column < 0:
                continue
            patients = np.flatnonzero((top == column).any(axis=1))
            ones[feature] += len(patients)
            proxies[feature] += int((mutated[patients, column].toarray().ravel() == 0).sum())
    return (proxies / ones.where(ones > 0)).rename("proxy_share")


@styled
def selected_genes(
    coefficients: pd.DataFrame,
    n_folds: int,
    title: str,
    representation: str,
    top: int = 20,
    proxy_share: pd.Series | None = None,
) -> Figure:
    """Horizontal bars: selection frequency of the top genes, coloured by the sign of their mean coefficient.

    proxy_share (NetNorM, from `netnorm_proxy_share`): genes whose ones are mostly proxies are hatched.
    """
    table = selection_frequency(coefficients, n_folds).head(top).iloc[::-1]
    proxy = (
        table["feature"].map(proxy_share).fillna(0).to_numpy() > PROXY_MAJORITY
        if proxy_share is not None
        else np.zeros(len(table), dtype=bool)
    )
    figure = new_figure(3.6, 0.16 * max(len(table), 4) + 1.9)
    axis = figure.subplots()
    colours = [RISK_COLOURS[c > 0] for c in table["mean_coefficient"]]
    bars = axis.barh(table["feature"], table["frequency"], color=colours, edgecolor="white", linewidth=0.3)
    for bar, hatched in zip(bars, proxy):
        if hatched:
            bar.set_hatch(PROXY_HATCH)
    axis.set_xlim(0, 1)
    axis.set_xlabel(f"fraction of the {n_folds} outer folds selecting the gene")
    handles = [
        Patch(facecolor=RISK_COLOURS[True], label="higher feature value \u2192 higher risk"),
        Patch(facecolor=RISK_COLOURS[False], label="higher feature value \u2192 lower risk"),
    ]
    if proxy_share is not None:
        share = f"{PROXY_MAJORITY:.0%}"
        handles.append(
            Patch(
                facecolor="#bbbbbb",
                hatch=PROXY_HATCH,
                edgecolor="white",
                label=f"a proxy: not mutated in > {share} of the patients where it is 1",
            )
        )
    figure.legend(
        handles=handles,
        title=f"feature: {feature_meaning(representation)}",
        title_fontsize=6,
        alignment="left",
        frameon=False,
        loc="outside lower center",
        fontsize=6,
        handlelength=1.2,
    )
    axis.set_title(f"{title}\n{label(representation)}: top {len(table)} genes")
    axis.tick_params(axis="y", labelsize=6)
    return figure
