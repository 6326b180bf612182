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


def check_filter_flags(exclude_filters: Sequence[str], flags: pd.Series, log: DropLog, calls_path: str | Path) -> None:
    """Each mutations.exclude_filters flag should occur in the FILTER column; say so when one does not.

    FILTER flags are matched exactly, so a flag that occurs only in another case
    ('WGA' where the file says 'wga') would silently keep every call it was meant
    to drop: that is an error naming the spelling to use. A flag that occurs in no
    case may just be absent from this cohort: a warning, and a count-0 row in
    dropped.tsv.
    """
    present = set().union(*flags) if len(flags) else set()
    by_lower: dict[str, set[str]] = {}
    for flag in present:
        by_lower.setdefault(flag.lower(), set()).add(flag)
    for wanted in exclude_filters:
        if wanted in present:
            continue
        other_case = sorted(by_lower.get(wanted.lower(), set()))
        if other_case:
            raise InputFileError(
                calls_path,
                f"mutations.exclude_filters lists {wanted!r}, but this file's FILTER flags are spelled "
                f"{', '.join(map(repr, other_case))} (flags match case-sensitively, so no call would be dropped); "
                f"write {other_case[0]!r} in mutations.exclude_filters",
            )
        shown = ", ".join(sorted(present)[:8]) or "none"
        logger.warning(
            "%s: mutations.exclude_filters flag %r occurs in no FILTER value, so it drops no call (flags present: %s)",
            calls_path,
            wanted,
            shown,
        )
        log.note("calls", f"FILTER flag matched no call (mutations.exclude_filters): {wanted}")


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
    if len(calls) and unknown.all():
        values = ", ".join(f"{value!r} ({n})" for value, n in calls["gene"].fillna("").value_counts().head(3).items())
        raise InputFileError(
            calls_path,
            f"{cancer}: every call's gene symbol (Hugo_Symbol) is unknown or empty: {values}; "
            "the file needs HGNC symbols (e.g. TP53)",
        )
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
        check_filter_flags(exclude_filters, filter_flags(calls["filter"]), log, calls_path)
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
