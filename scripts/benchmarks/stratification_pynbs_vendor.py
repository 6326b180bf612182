"""Build tests/data/pynbs/ (the pyNBS reference the tests read) from pyNBS's repository and the shared reference.

    .venv/bin/python scripts/benchmarks/stratification_pynbs_vendor.py \\
        --pynbs <git dir of idekerlab/pyNBS> --reference /work/shared/reference_pynbs

Copies pyNBS's OV example inputs (commit 052e2bab..., MIT licence; gzip -n, so the
archives are reproducible) and compacts the reference outputs (pyNBS run on them, see
the reference's README) into `pynbs_ov_reference.npz`: a few whole rows instead of the
376 x 2,291 matrices, the kNN edges, one subsample and the network NMF from a fixed
start. Nothing of pyNBS's code is copied or run. tests/data/pynbs/README.md says what
each array is.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "pynbs"
COMMIT = "052e2bab289fa8ca13667d0fb8f9cf8dcc2cf400"
INPUTS = {
    "OV_sm_data.txt.gz": "Examples/Example_Data/Mutation_Files/OV_sm_data.txt",
    "CancerSubnetwork.txt.gz": "Examples/Example_Data/Network_Files/CancerSubnetwork.txt",
    "OV.clin.merged.surv.txt.gz": "Examples/Example_Data/Clinical_Files/OV.clin.merged.surv.txt",
}
RANDOM_ROWS = 8  # besides the rows with ties


def vendor_inputs(git_dir: Path) -> list[str]:
    """Each input gzipped (no name or time in the header); sha256 of the original and of the archive."""
    lines = []
    for name, path in INPUTS.items():
        content = subprocess.run(
            ["git", f"--git-dir={git_dir}", "show", f"{COMMIT}:{path}"], capture_output=True, check=True
        ).stdout
        with open(OUT / name, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as handle:
            handle.write(content)
        lines.append(f"{hashlib.sha256(content).hexdigest()}  {path}")
        lines.append(f"{hashlib.sha256((OUT / name).read_bytes()).hexdigest()}  {name}")
    return lines


def compact_reference(reference: Path) -> None:
    steps = np.load(reference / "pynbs_ov_steps.npz")
    patients, genes = steps["patients"], steps["network_genes"]
    normalised_patients = steps["quantile_normalised_patients"]
    rows = pd.Index(patients).get_indexer(normalised_patients)
    propagated = steps["propagated"][rows]
    ties = np.array([len(r) - len(np.unique(r)) for r in propagated])
    flat = np.flatnonzero(ties == len(genes) - 1)
    tied = np.flatnonzero((ties > 0) & (ties < len(genes) - 1))[:3]
    others = np.setdiff1d(np.arange(len(rows)), np.concatenate([flat, tied]))
    chosen = np.sort(np.concatenate([flat, tied, np.random.default_rng(0).choice(others, RANDOM_ROWS, replace=False)]))
    # pyNBS's reference distribution is the sorted row of any patient without ties; every normalised
    # value is one of its entries, so the rows are stored as positions in it
    reference_values = np.sort(steps["quantile_normalised"][np.flatnonzero(ties == 0)[0]])
    normalised = steps["quantile_normalised"][chosen]
    positions = np.searchsorted(reference_values, normalised)
    if not np.array_equal(reference_values[positions], normalised):
        raise ValueError("a quantile-normalised value is not an entry of the reference distribution")
    subsample_rows = pd.Index(patients).get_indexer(steps["subsample_patients"])
    binary_rows, binary_cols = np.nonzero(steps["subsample_binary"])
    np.savez_compressed(
        OUT / "pynbs_ov_reference.npz",
        network_genes=genes,
        patients=patients,
        normalised_patients=rows.astype(np.int16),
        rows=chosen.astype(np.int16),
        propagated_rows=propagated[chosen],
        quantile_reference=reference_values,
        quantile_positions=positions.astype(np.int16),
        knn_edges=steps["knn_edges"].astype(np.int16),
        subsample_patients=subsample_rows.astype(np.int16),
        subsample_binary=np.stack([binary_rows, binary_cols], axis=1).astype(np.int16),
        subsample_propagated_rows=steps["subsample_propagated"][:4],
        nmf_H_init=steps["nmf_H_init"],
        nmf_updates=steps["nmf_updates"],
        nmf_W_lambda200=steps["nmf_W_lambda200"].astype(np.float32),
        nmf_H_lambda200=steps["nmf_H_lambda200"].astype(np.float32),
        nmf_W_lambda0=steps["nmf_W_lambda0"].astype(np.float32),
        nmf_H_lambda0=steps["nmf_H_lambda0"].astype(np.float32),
    )
    shutil.copyfile(reference / "pynbs_ov_consensus_k4.tsv", OUT / "pynbs_ov_consensus_k4.tsv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pynbs", type=Path, required=True, help="git directory of a clone of idekerlab/pyNBS")
    parser.add_argument("--reference", type=Path, required=True, help="the shared pyNBS reference folder")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    lines = vendor_inputs(args.pynbs)
    compact_reference(args.reference)
    for name in ("pynbs_ov_reference.npz", "pynbs_ov_consensus_k4.tsv"):
        lines.append(f"{hashlib.sha256((OUT / name).read_bytes()).hexdigest()}  {name}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
