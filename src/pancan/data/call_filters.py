"""Which mutation calls count: known gene, FILTER flags not excluded, selected variant class."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pancan.data.drop_log import DropLog
from pancan.errors import InputFileError

logger = logging.getLogger(__name__)

UNKNOWN_GENES = {"", "UNKNOWN", "."}
# MAF FILTER values list flags separated by ',' (MC3: "common_in_exac,wga") or ';' (VCF style).
FILTER_SEPARATORS = r"[,;]"
# HGNC symbols are upper-case except the 'orf' of open reading frames (C1orf112).
LOWER_CASE = re.compile(r"[a-z]")


def filter_flags(values: pd.Series) -> pd.Series:
    """The set of flags in each FILTER value (empty set for a missing value)."""
    sets = [{flag.strip() for flag in re.split(FILTER_SEPARATORS, text) if flag.strip()} for text in values.fillna("")]
    return pd.Series(sets, index=values.index, dtype=object)


def non_hgnc_case_symbols(genes: pd.Series) -> list[str]:
    """Distinct symbols with lower-case letters other than 'orf' (e.g. 'tp53'): they match no network gene."""
    distinct = pd.Series(genes.dropna().unique(), dtype="string")
    return sorted(distinct[distinct.str.replace("orf", "", regex=False).str.contains(LOWER_CASE)].tolist())


def filter_calls(
    calls: pd.DataFrame,
    classes: Sequence[str],
    exclude_filters: Sequence[str],
    log: DropLog,
    calls_path: str | Path,
    cancer: str,
) -> pd.DataFrame:
    """Drop calls with an unknown gene, an excluded FILTER flag or an unselected variant class, counting each.

    Raises InputFileError naming the file when FILTER flags are to be excluded but
    the file has no FILTER column, or when no call has a selected variant class.
    """
    unknown = calls["gene"].fillna("").str.upper().isin(UNKNOWN_GENES)
    log.count("calls", "unknown or empty gene symbol", int(unknown.sum()))
    calls = calls[~unknown]
    lower = non_hgnc_case_symbols(calls["gene"])
    if lower:
        logger.warning(
            "%s: %d gene symbol(s) have lower-case letters (%s): HGNC symbols are upper-case, "
            "so these match no network gene",
            calls_path,
            len(lower),
            ", ".join(lower[:5]),
        )
    if exclude_filters:
        if "filter" not in calls.columns:
            raise InputFileError(
                calls_path,
                "has no FILTER column, but mutations.exclude_filters lists flags to exclude; "
                "set it to [] for this data",
            )
        wanted_out = set(exclude_filters)
        excluded = pd.Series([bool(flags & wanted_out) for flags in filter_flags(calls["filter"])], index=calls.index)
        for value, n in calls.loc[excluded, "filter"].value_counts().items():
            log.count("calls", f"FILTER flag excluded (mutations.exclude_filters): {value}", int(n))
        calls = calls[~excluded]
        if calls.empty:
            raise InputFileError(
                calls_path, f"{cancer}: every call has a FILTER flag listed in mutations.exclude_filters"
            )
    selected = calls["variant_classification"].isin(list(classes))
    found = calls["variant_classification"].fillna("<missing>").value_counts()
    for variant_class, n in calls.loc[~selected, "variant_classification"].fillna("<missing>").value_counts().items():
        log.count("calls", f"variant class not selected: {variant_class}", int(n))
    if len(calls) and not selected.any():
        shown = ", ".join(f"{name} ({n})" for name, n in found.head(8).items())
        raise InputFileError(
            calls_path, f"{cancer}: no call has a variant class listed in mutations.classes; classes found: {shown}"
        )
    return calls[selected]
