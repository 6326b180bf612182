"""Which cancer types a run covers, checked against what each data source can provide."""

from __future__ import annotations

from collections.abc import Sequence

from pancan.errors import PancanError

# TCGA study abbreviations (GDC projects TCGA-<code>), plus the datahub's combined COADREAD.
# fmt: off
TCGA_CODES = [
    "ACC", "BLCA", "BRCA", "CESC", "CHOL", "COAD", "COADREAD", "DLBC", "ESCA", "GBM", "HNSC",
    "KICH", "KIRC", "KIRP", "LAML", "LGG", "LIHC", "LUAD", "LUSC", "MESO", "OV", "PAAD", "PCPG",
    "PRAD", "READ", "SARC", "SKCM", "STAD", "TGCT", "THCA", "THYM", "UCEC", "UCS", "UVM",
]
# fmt: on


class CancerTypeError(PancanError, ValueError):
    """A requested cancer type the configured data source cannot provide."""


def _unknown(codes: Sequence[str]) -> list[str]:
    return [code for code in codes if code not in TCGA_CODES]


def snapshot_selection(requested: Sequence[str], available: Sequence[str]) -> list[str]:
    """Requested types (all available ones if none) that the bundled snapshot has mutation calls for."""
    unknown = _unknown(requested)
    if unknown:
        raise CancerTypeError(
            f"cancer_types {unknown}: not TCGA cancer type codes (e.g. {', '.join(TCGA_CODES[:6])}, ...); "
            "for your own studies use data_source: local"
        )
    missing = [c for c in requested if c not in available]
    if missing:
        raise CancerTypeError(
            f"cancer_types {missing}: the bundled snapshot has no mutation calls for "
            f"{'this type' if len(missing) == 1 else 'these types'} (it has {', '.join(available)}); "
            "use data_source: cbioportal to download them"
        )
    return list(requested) or list(available)


def cbioportal_selection(
    requested: Sequence[str], defaults: Sequence[str], study_id: str, default_study_id: str
) -> list[str]:
    """Requested types (the defaults if none); with the default TCGA study template they must be TCGA codes."""
    selected = list(requested) or list(defaults)
    unknown = _unknown(selected)
    if unknown and study_id == default_study_id:
        studies = ", ".join(study_id.format(cancer=c, cancer_lower=c.lower()) for c in unknown)
        raise CancerTypeError(
            f"cancer_types {unknown}: not TCGA cancer type codes, so the datahub has no study {studies} "
            "(cbioportal.study_id); for your own studies use data_source: local"
        )
    return selected


def local_selection(requested: Sequence[str], discovered: Sequence[str], pattern: str = "") -> list[str]:
    """Requested types (every discovered study if none); each needs a study in local.studies or local.study_pattern."""
    if not requested and not discovered and pattern:
        raise CancerTypeError(
            f"data_source local: local.study_pattern {pattern!r} matches no folder or archive (its {{cancer}} is an "
            "upper-case code, {cancer_lower} a lower-case one; a relative pattern is read from the working "
            "directory); fix the pattern or list the studies in local.studies"
        )
    if not requested and not discovered:
        raise CancerTypeError(
            "data_source local: no study found; list them in local.studies (e.g. {LUAD: data/luad}) "
            "or set local.study_pattern"
        )
    return list(requested) or list(discovered)
