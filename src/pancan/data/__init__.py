"""Data in: mutation calls, survival and clinical tables, cBioPortal studies, downloads, cohorts."""
