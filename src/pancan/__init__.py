"""pancan: pan-cancer survival analysis of somatic mutations on gene networks."""

__version__ = "0.1.0"
