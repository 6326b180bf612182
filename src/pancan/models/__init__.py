"""Sparse linear survival models; every prediction is a risk score (higher = earlier death)."""

from pancan.lazy_exports import lazy_exports

_EXPORTS = {
    "SparseCoxnet": "pancan.models.coxnet",
    "comparable_pairs": "pancan.models.pairs",
    "harrell_cindex": "pancan.models.pairs",
    "SparseSurvivalSVM": "pancan.models.survival_svm",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
