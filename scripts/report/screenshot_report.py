"""Screenshots of the HTML report in headless Chromium: landing, C-index, pan-cancer, Kaplan-Meier, stratification.

    .venv/bin/python scripts/report/screenshot_report.py results/report.html docs/figures/report

Needs Debian's chromium and chromium-driver (`apt-get install chromium chromium-driver`)
and the test extra's selenium. Snakemake's report is a single-page app: the script opens
each view through the app's own navigation functions and saves a PNG per view.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def browser(width: int, height: int) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def show_result(driver: webdriver.Chrome, path_suffix: str, category: str) -> str:
    """Open the result whose path ends with `path_suffix` as the app's own result buttons do; returns its path."""
    script = f"""
        const path = Object.keys(results).find(p => p.endsWith({json.dumps(path_suffix)}));
        if (path === undefined) {{ return null; }}
        app.showCategory({json.dumps(category)});
        app.setView({{content: "img", contentPath: results[path].data_uri, resultPath: path, navbarMode: "resultinfo"}});
        return path;
    """
    path = driver.execute_script(script)
    if path is None:
        raise ValueError(f"the report holds no result ending with {path_suffix}")
    return path


def screenshots(
    report: Path, out_dir: Path, kaplan_meier: str | None = None, stratification: str | None = None
) -> list[Path]:
    """landing.png, cindex.png, pan_cancer.png, kaplan_meier.png and, when the report has the stratification
    stage, stratification.png (a subtype Kaplan-Meier figure); returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    driver = browser(1400, 2000)
    try:
        driver.get(report.resolve().as_uri())
        time.sleep(2)  # the app renders after load
        written = [out_dir / "landing.png"]
        driver.save_screenshot(str(written[-1]))
        driver.set_window_size(1400, 1100)
        for name, suffix, category in (
            ("cindex", "report/cindex.png", "Benchmark"),
            ("pan_cancer", "report/pan_cancer.png", "Pan-cancer"),
            ("kaplan_meier", kaplan_meier or "report/kaplan_meier/", "Kaplan-Meier"),
            ("stratification", stratification or "stratification/kaplan_meier/", "Stratification"),
        ):
            if suffix.endswith("/"):
                suffix = driver.execute_script(
                    f"return Object.keys(results).find(p => p.includes({json.dumps(suffix)}) && p.endsWith('.png'));"
                )
                if suffix is None and name == "stratification":
                    continue  # a run without the stratification stage
            show_result(driver, suffix, category)
            time.sleep(1)
            written.append(out_dir / f"{name}.png")
            driver.save_screenshot(str(written[-1]))
        return written
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--kaplan-meier", help="path suffix of the Kaplan-Meier figure, e.g. kaplan_meier/LUAD.png")
    parser.add_argument("--stratification", help="path suffix of a subtype figure, e.g. kaplan_meier/OV_nbs.png")
    args = parser.parse_args()
    for path in screenshots(args.report, args.out_dir, args.kaplan_meier, args.stratification):
        print(path)


if __name__ == "__main__":
    main()
