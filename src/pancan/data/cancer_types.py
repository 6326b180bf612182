"""Which cancer types a run covers, checked against what each data source can provide.

`cancer_types: [all]` asks for every type the source has: the 33 TCGA types for the cBioPortal datahub (its
32 PanCanAtlas studies: COAD and READ share coadread_tcga_pan_can_atlas_2018), every study found for local
studies, every type of the bundled snapshot. The combined COADREAD study is split into COAD and READ by each
sample's cancer type, or kept whole (`cbioportal.coadread`); naming COAD or READ always splits it, naming
COADREAD keeps it whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from pancan.errors import PancanError

# The 33 TCGA cancer types (GDC projects TCGA-<code>) of the PanCanAtlas and TCGA-CDR.
# fmt: off
TCGA_TYPES = [
    "ACC", "BLCA", "BRCA", "CESC", "CHOL", "COAD", "DLBC", "ESCA", "GBM", "HNSC", "KICH",
    "KIRC", "KIRP", "LAML", "LGG", "LIHC", "LUAD", "LUSC", "MESO", "OV", "PAAD", "PCPG",
    "PRAD", "READ", "SARC", "SKCM", "STAD", "TGCT", "THCA", "THYM", "UCEC", "UCS", "UVM",
]
# fmt: on
# Datahub studies that hold several TCGA types, and the types each holds.
COMBINED_STUDIES = {"COADREAD": ("COAD", "READ")}
COMBINED_OF = {member: study for study, members in COMBINED_STUDIES.items() for member in members}
# Every code a run may name: the 33 types and the combined studies kept whole.
TCGA_CODES = sorted([*TCGA_TYPES, *COMBINED_STUDIES])
ALL = "all"
COADREAD_MODES = ("split", "whole")


class CancerTypeError(PancanError, ValueError):
    """A requested cancer type the configured data source cannot provide."""


def _unknown(codes: Sequence[str]) -> list[str]:
    return [code for code in codes if code not in TCGA_CODES]


def wants_all(requested: Sequence[str]) -> bool:
    """cancer_types is [all]; `all` beside other types is an error (it already means every type)."""
    if ALL in requested and len(requested) > 1:
        others = [code for code in requested if code != ALL]
        raise CancerTypeError(
            f"cancer_types {list(requested)}: 'all' means every type the data source has, so it stands alone; "
            f"write [all] or list the types ({', '.join(others)})"
        )
    return list(requested) == [ALL]


def named_explicitly(requested: Sequence[str]) -> bool:
    """The run names its types (not empty, not [all]): a type that cannot be benchmarked is then an error."""
    return bool(requested) and not wants_all(requested)


def split_combined(types: Sequence[str], coadread: str = "split") -> list[str]:
    """Types with each combined study replaced by its members ('split') or kept as it is ('whole'), in order."""
    if coadread not in COADREAD_MODES:
        raise CancerTypeError(f"cbioportal.coadread {coadread!r}: expected one of {', '.join(COADREAD_MODES)}")
    result: list[str] = []
    for code in types:
        result += COMBINED_STUDIES[code] if coadread == "split" and code in COMBINED_STUDIES else (code,)
    return list(dict.fromkeys(result))


def cbioportal_study_label(cancer: str) -> str:
    """The datahub study a type is read from: COAD and READ from the combined COADREAD study, others their own."""
    return COMBINED_OF.get(cancer, cancer)


def snapshot_selection(requested: Sequence[str], available: Sequence[str]) -> list[str]:
    """Requested types (all available ones if none, or [all]) that the bundled snapshot has mutation calls for."""
    if wants_all(requested):
        return list(available)
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
    requested: Sequence[str],
    defaults: Sequence[str],
    study_id: str,
    default_study_id: str,
    coadread: str = "split",
) -> list[str]:
    """Requested types (the defaults if none; the 33 TCGA types, or 32 with COADREAD whole, for [all]).

    With the default TCGA study template they must be TCGA codes.
    """
    if wants_all(requested):
        return sorted(split_combined([*[c for c in TCGA_TYPES if c not in COMBINED_OF], *COMBINED_STUDIES], coadread))
    selected = list(requested) or list(defaults)
    unknown = _unknown(selected)
    if unknown and study_id == default_study_id:
        studies = ", ".join(study_id.format(cancer=c, cancer_lower=c.lower()) for c in unknown)
        raise CancerTypeError(
            f"cancer_types {unknown}: not TCGA cancer type codes, so the datahub has no study {studies} "
            "(cbioportal.study_id); for your own studies use data_source: local"
        )
    return selected


def local_selection(
    requested: Sequence[str], discovered: Sequence[str], pattern: str = "", coadread: str = "split"
) -> list[str]:
    """Requested types (every discovered study if none, or [all]); each needs a study in local.studies or
    local.study_pattern. A discovered COADREAD study gives COAD and READ, or COADREAD with coadread 'whole'."""
    every = not requested or wants_all(requested)
    if every and not discovered and pattern:
        raise CancerTypeError(
            f"data_source local: local.study_pattern {pattern!r} matches no folder or archive (its {{cancer}} is an "
            "upper-case code, {cancer_lower} a lower-case one; a relative pattern is read from the working "
            "directory); fix the pattern or list the studies in local.studies"
        )
    if every and not discovered:
        raise CancerTypeError(
            "data_source local: no study found; list them in local.studies (e.g. {LUAD: data/luad}) "
            "or set local.study_pattern"
        )
    if every:
        return sorted(split_combined(list(discovered), coadread))
    return list(requested)
