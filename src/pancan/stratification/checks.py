"""Early checks of a stratification's settings against a cohort: a degenerate consensus must not pass as a result."""

from __future__ import annotations

from collections.abc import Sequence

from pancan.errors import PancanError

# Below this many subsamples the consensus of a pair is a coarse fraction (with 1 subsample every
# pair is 0 or 1, so PAC is 0 whatever the data): the workflow warns.
MIN_SUBSAMPLES = 10


def subsample_size(n: int, fraction: float) -> int:
    """Rows (or columns) a subsample draws out of n at `fraction`, at least 1, as the samplers round."""
    return max(1, round(fraction * n))


def check_ranks(
    where: str,
    n_patients: int,
    n_features: int,
    ks: Sequence[int],
    patient_fraction: float,
    gene_fraction: float,
) -> None:
    """Refuse factorisation ranks k that a subsample cannot support: each k must be below the subsample's
    patients (k clusters of at most one patient each give a consensus of 0 and a PAC near 0, which looks
    perfect) and at most its features (an NMF of rank above min(rows, columns) is not a factorisation)."""
    patients = subsample_size(n_patients, patient_fraction)
    features = subsample_size(n_features, gene_fraction)
    too_large = [k for k in ks if k >= patients or k > features]
    if too_large:
        raise PancanError(
            f"{where}: stratification.ks {list(ks)} has k = {', '.join(map(str, too_large))}, too large for a "
            f"subsample of about {patients} patients (stratification.patient_fraction {patient_fraction} of "
            f"{n_patients} clustered) and {features} features (gene_fraction {gene_fraction} of {n_features}): "
            f"each k must be below the subsample's patients and at most its features; lower stratification.ks "
            "or raise patient_fraction."
        )


def few_subsamples(subsamples: int) -> str | None:
    """A warning when the consensus rests on too few subsamples to mean anything, else None."""
    if subsamples >= MIN_SUBSAMPLES:
        return None
    return (
        f"stratification.subsamples is {subsamples}: a consensus of fewer than {MIN_SUBSAMPLES} subsamples is "
        "coarse (with 1, PAC is 0 whatever the data), so the chosen k and its PAC say little; the paper used 1,000."
    )


__all__ = ["MIN_SUBSAMPLES", "check_ranks", "few_subsamples", "subsample_size"]
