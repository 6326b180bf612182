"""Report text: results/summary.md and the HTML report's landing page."""
