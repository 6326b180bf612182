"""One row per cancer type x stratification representation: the chosen k, its subtypes and their survival test."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats


def stratification_summary(results: Mapping[tuple[str, str], Mapping[str, pd.DataFrame]]) -> pd.DataFrame:
    """results: (cancer, representation) -> model_selection, logrank and assignments tables of the stage.

    Columns: cancer, representation, k (chosen), subtype_sizes (largest first), logrank_p and the stage's
    q over the k of that type (`logrank_q_over_k`), q over every row of this table (`logrank_q`: the rows
    are reported together), PAC, and a note: the chosen k at the top of the grid, or no k with subtypes of
    the minimum size.
    """
    rows = []
    for (cancer, representation), tables in results.items():
        selection = tables["model_selection"]
        chosen = selection[selection["chosen"]].iloc[0]
        k = int(chosen["k"])
        test = tables["logrank"].set_index("k").loc[k]
        subtypes = tables["assignments"]["subtype"].dropna().astype(int)
        sizes = np.sort(np.bincount(subtypes)[1:])[::-1]
        notes = []
        if bool(chosen.get("top_of_grid", False)):
            notes.append("k at the top of stratification.ks")
        fixed = bool(chosen.get("fixed_k", False))
        if not fixed and "eligible" in selection and not selection["eligible"].any():
            notes.append("no k has subtypes of stratification.min_subtype_size patients")
        if len(sizes) < k:
            notes.append(f"the consensus tree gives {len(sizes)} subtypes at this k")
        rows.append(
            {
                "cancer": cancer,
                "representation": representation,
                "k": k,
                "subtype_sizes": ", ".join(map(str, sizes)),
                "pac": float(chosen["pac"]),
                "logrank_p": float(test["p_value"]),
                "logrank_q_over_k": float(test["q_value"]),
                "note": "; ".join(notes),
            }
        )
    table = pd.DataFrame(rows)
    table["logrank_q"] = np.nan
    tested = table["logrank_p"].notna() if len(table) else pd.Series(dtype=bool)
    if tested.any():
        table.loc[tested, "logrank_q"] = stats.false_discovery_control(table.loc[tested, "logrank_p"], method="bh")
    columns = ["cancer", "representation", "k", "subtype_sizes", "pac", "logrank_p", "logrank_q_over_k", "logrank_q"]
    return table.reindex(columns=[*columns, "note"])


__all__ = ["stratification_summary"]
