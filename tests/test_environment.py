"""The conda environment file and the rule scripts' import path: rules run where only the dependencies are installed."""

import re
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import yaml
from helpers import REPO, SNAPSHOT

ENV_FILE = REPO / "envs" / "pancan.yaml"
# pip names in pyproject.toml -> conda-forge names in the environment file
CONDA_NAMES = {"matplotlib": "matplotlib-base", "snakemake": "snakemake-minimal", "pyyaml": "pyyaml"}


def requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~ ;\[]", spec, maxsplit=1)[0].lower()


def test_environment_file_mirrors_the_runtime_dependencies_and_needs_no_relative_path():
    env = yaml.safe_load(ENV_FILE.read_text())
    entries = env["dependencies"]
    # Snakemake deploys a copy of the file to .snakemake/conda/<hash>.yaml: a pip entry such as
    # `-e ..` would resolve there, not to this checkout
    assert all(isinstance(entry, str) for entry in entries), "no pip section: the package comes from PYTHONPATH"
    conda = {requirement_name(entry) for entry in entries}
    runtime = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    for spec in runtime:
        name = requirement_name(spec)
        assert CONDA_NAMES.get(name, name) in conda, f"{name} (pyproject.toml) is missing from {ENV_FILE.name}"


def test_rule_scripts_run_where_the_package_is_not_installed(tmp_path):
    """Like a conda environment built from envs/pancan.yaml: the dependencies, but not pancan itself.

    A venv whose only site directory is a path entry to this venv's site-packages sees every
    dependency, but not the editable install of pancan (its .pth file is not processed there).
    """
    env = tmp_path / "deps-only"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    probe = subprocess.run(
        [python, "-c", "import pandas, snakemake, pancan"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert "No module named 'pancan'" in probe.stderr  # the emulated environment really lacks the package
    workdir = tmp_path / "run"
    (workdir / "config").mkdir(parents=True)
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config.update(snapshot_dir=str(SNAPSHOT), cancer_types=["GBM"], networks={"use": ["string"], "main": "string"})
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [
            python,
            "-m",
            "snakemake",
            "-s",
            str(REPO / "Snakefile"),
            "-d",
            str(workdir),
            "--cores",
            "1",
            "results/networks/string/summary.tsv",
            "results/cohorts/GBM/patients.tsv",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": f"{env / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (workdir / "results/cohorts/GBM/patients.tsv").read_text().count("\n") == 280  # header + 279 patients


def test_the_modules_the_snakefile_reads_leave_the_heavy_libraries_unimported():
    """Every Snakemake command (and every cluster job, which runs Snakemake) parses the Snakefile: the pancan
    modules it imports must not pull in scikit-learn, scipy.stats, scikit-survival, numba or matplotlib."""
    sources = [REPO / "Snakefile", *sorted((REPO / "workflow" / "rules").glob("*.smk"))]
    imports = sorted(
        {
            (module, name.split(" as ")[0].strip())
            for path in sources
            for module, names in re.findall(r"^\s*from (pancan[\w.]*) import (.+)$", path.read_text(), re.M)
            for name in names.split(",")
        }
    )
    assert ("pancan.config_schema", "workflow_schema") in imports and ("pancan.representations", "registry") in imports
    code = (
        "import sys, importlib\n"
        f"for module, name in {imports!r}:\n"
        "    getattr(importlib.import_module(module), name, None) or importlib.import_module(f'{module}.{name}')\n"
        "from pancan.config_schema import workflow_schema; workflow_schema()\n"
        "print(' '.join(m for m in ('sklearn', 'scipy.stats', 'sksurv', 'numba', 'matplotlib') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO, timeout=120
    ).stdout.split()
    assert loaded == [], f"imported on the Snakefile's path: {loaded}"
