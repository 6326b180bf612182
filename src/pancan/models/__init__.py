"""Sparse linear survival models; every prediction is a risk score (higher = earlier death)."""

from pancan.models.coxnet import SparseCoxnet
from pancan.models.pairs import comparable_pairs, harrell_cindex
from pancan.models.survival_svm import SparseSurvivalSVM

__all__ = ["SparseCoxnet", "SparseSurvivalSVM", "comparable_pairs", "harrell_cindex"]
