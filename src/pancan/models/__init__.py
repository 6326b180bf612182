"""Sparse linear survival models; every prediction is a risk score (higher = earlier death)."""

from pancan.models.coxnet_path import CoxnetPath
from pancan.models.pairs import comparable_pairs, harrell_cindex
from pancan.models.survival_svm import SparseSurvivalSVM, svm_path

__all__ = ["CoxnetPath", "SparseSurvivalSVM", "comparable_pairs", "harrell_cindex", "svm_path"]
