"""Nested cross-validated benchmark of representations x sparse survival models."""
