"""Report figures: each function takes result tables and returns a matplotlib Figure."""
