"""Write PanCanAtlas-shaped synthetic studies in cBioPortal format, for scale tests (`data_source: local`).

    .venv/bin/python scripts/benchmarks/synthetic_pancanatlas.py --out ../pancanatlas_synthetic [--seed 0]
        [--types all | LUAD,BRCA,...] [--fraction 1.0] [--big-study ../ucec_sized --megabytes 900]

One study folder per datahub study, `<type>_tcga_pan_can_atlas_2018/` (32 studies for 33 types: COAD and READ
share `coadread_...`, told apart by each patient's CANCER_TYPE_ACRONYM, and by each sample's ONCOTREE_CODE and
CANCER_TYPE_DETAILED except for the 15% of mucinous samples, MACR, which name neither), each with meta_study.txt,
data_clinical_patient.txt, data_clinical_sample.txt, data_mutations.txt (a MAF with a FILTER column) and
case_lists/cases_sequenced.txt (the sequenced samples; about 3% of patients are clinical-only). Barcodes are
TCGA-<site>-<NNNN>-01, one two-character site per type. What is real and what is drawn:

* per type, the number of patients, OS deaths, patients with time 0, the median follow-up, the PFI and DSS events
  are those of TCGA-CDR (resources/pancanatlas/cdr_counts.tsv), scaled by --fraction; DFS (not counted there) is
  given for half of the patients, with 40% events; a type without PFI event (LAML) has no PFS columns' values;
* mutation burdens (calls per sequenced sample, every class) are resampled from the snapshot's patients of the
  same type (BRCA GBM HNSC KIRC LUAD LUSC OV), and from all 3,378 of them for the other types: the real spread
  of burdens within a type (orders of magnitude), without each type's published median, which no offline source
  here gives (so SKCM or UCEC are not more mutated than the rest: the cost of a job depends on patients, pairs
  and features, not on the median burden; the MAF size of the parsing test is set by --megabytes);
* each call's gene is drawn from Pathway Commons' genes with the snapshot's frequency spectrum (genes mutated in
  the snapshot by their frequency, every other network gene at the rarest frequency), its class from the
  snapshot's class frequencies; FILTER is PASS for 90% of calls, MC3's flags for the rest;
* a planted signal: a connected module of 20 Pathway Commons genes, mutated more often; patients with a
  non-silent PASS call in it have 2.5 times the hazard, so the benchmark can find something (their Harrell's C
  on OS is printed per type).

--big-study writes one UCEC-sized study whose MAF has --megabytes (rows of ~1 kB: the real data_mutations.txt has
~114 columns), for the bounded-memory parsing test. Seeded: the same arguments give the same bytes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "resources" / "snapshot"
COUNTS = ROOT / "resources" / "pancanatlas" / "cdr_counts.tsv"
SNAPSHOT_TYPES = ("BRCA", "GBM", "HNSC", "KIRC", "LUAD", "LUSC", "OV")
DAYS_PER_MONTH = 365.25 / 12
MODULE_SIZE = 20
MODULE_BOOST = 2.0  # module genes are drawn this many times more often than their spectrum says
HAZARD_RATIO = 2.5
NON_SILENT = (
    "Frame_Shift_Del",
    "Frame_Shift_Ins",
    "In_Frame_Del",
    "In_Frame_Ins",
    "Missense_Mutation",
    "Nonsense_Mutation",
    "Nonstop_Mutation",
    "Splice_Site",
    "Translation_Start_Site",
)
# MC3's FILTER flags (Ellrott et al., Cell Systems 2018) on the calls that are not PASS; several may be joined by ','
FILTERS = ("wga", "oxog", "common_in_exac", "native_wga_mix", "StrandBias", "NonExonic", "nonpreferredpair")
FILTER_SHARE = 0.10
COMBINED = {"COAD": "coadread", "READ": "coadread"}
DETAILED = {"COAD": "Colon Adenocarcinoma", "READ": "Rectal Adenocarcinoma"}
# A share of the colorectal samples are mucinous adenocarcinomas: OncoTree MACR, which names neither COAD nor READ,
# so only the patient's CANCER_TYPE_ACRONYM tells their type (as in the datahub's study).
MUCINOUS = ("MACR", "Mucinous Adenocarcinoma of the Colon and Rectum")
MUCINOUS_SHARE = 0.15
# filler columns that make a row as wide as the datahub's (~114 columns): their values do not matter
FILLER_COLUMNS = [f"ANNOTATION_{i:03d}" for i in range(80)]


def study_name(cancer: str) -> str:
    return f"{COMBINED.get(cancer, cancer.lower())}_tcga_pan_can_atlas_2018"


def site_code(cancer: str, cancers: list[str]) -> str:
    """A two-character tissue source site per type (A0, A1, ...), so barcodes are TCGA-XX-NNNN like the real ones."""
    index = sorted(cancers).index(cancer)
    return f"{chr(ord('A') + index // 10)}{index % 10}"


def snapshot_reference():
    """Calls per patient by type, the gene frequency spectrum over Pathway Commons and the class frequencies."""
    edges = pd.read_csv(SNAPSHOT / "networks" / "pathway_commons_v9_hgnc.tsv.gz", sep="\t")
    genes = np.unique(np.r_[edges["gene_a"].to_numpy(str), edges["gene_b"].to_numpy(str)])
    burdens, frequency, classes = {}, pd.Series(dtype=float), pd.Series(dtype=float)
    for cancer in SNAPSHOT_TYPES:
        calls = pd.read_csv(SNAPSHOT / "tcga" / cancer / "mutations.tsv.gz", sep="\t")
        burdens[cancer] = calls.groupby("patient_id").size().to_numpy()
        frequency = frequency.add(calls.drop_duplicates(["patient_id", "gene"])["gene"].value_counts(), fill_value=0)
        classes = classes.add(calls["variant_classification"].value_counts(), fill_value=0)
    weights = frequency.reindex(genes).to_numpy(float)
    weights[np.isnan(weights)] = 0.0
    weights[weights == 0] = weights[weights > 0].min()
    return burdens, genes, weights / weights.sum(), edges, classes / classes.sum()


def plant_module(edges: pd.DataFrame, genes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A connected set of MODULE_SIZE genes: breadth-first from a random gene of moderate degree."""
    degree = pd.concat([edges["gene_a"], edges["gene_b"]]).value_counts()
    seed = rng.choice(degree[(degree >= 10) & (degree <= 50)].index.to_numpy())
    neighbours = (
        pd.concat(
            [edges.rename(columns={"gene_a": "a", "gene_b": "b"}), edges.rename(columns={"gene_a": "b", "gene_b": "a"})]
        )
        .groupby("a")["b"]
        .apply(lambda s: sorted(set(s)))
    )
    module, frontier = [seed], [seed]
    while len(module) < MODULE_SIZE and frontier:
        nxt = []
        for gene in frontier:
            for other in neighbours.get(gene, []):
                if other not in module and len(module) < MODULE_SIZE:
                    module.append(other)
                    nxt.append(other)
        frontier = nxt
    return np.searchsorted(genes, sorted(module))


def draw_calls(burdens, n_samples, genes, weights, classes, module, rng) -> pd.DataFrame:
    """sample index, gene, class and FILTER of every call (vectorised: one draw per column)."""
    totals = rng.choice(burdens, size=n_samples)
    sample = np.repeat(np.arange(n_samples), totals)
    boosted = weights.copy()
    boosted[module] *= MODULE_BOOST
    gene = rng.choice(len(genes), size=len(sample), p=boosted / boosted.sum())
    variant = rng.choice(classes.index.to_numpy(), size=len(sample), p=classes.to_numpy())
    flagged = rng.random(len(sample)) < FILTER_SHARE
    flags = np.full(len(sample), "PASS", dtype=object)
    first = rng.choice(FILTERS, size=int(flagged.sum()))
    second = rng.choice(FILTERS, size=int(flagged.sum()))
    both = rng.random(int(flagged.sum())) < 0.2
    flags[flagged] = np.where(both & (first != second), np.char.add(np.char.add(first, ","), second), first)
    return pd.DataFrame({"sample": sample, "gene": genes[gene], "gene_index": gene, "class": variant, "filter": flags})


def endpoint_times(n, events, risk, median_days, rng):
    """Exactly `events` events among n patients, favouring higher risk; times with the given median."""
    propensity = risk + rng.gumbel(size=n)
    event = np.zeros(n, dtype=bool)
    event[np.argsort(-propensity, kind="stable")[:events]] = True
    time = np.where(event, rng.exponential(1.0 / np.exp(risk)), rng.uniform(0.0, 2.5, n))
    return time * median_days / max(np.median(time), 1e-12), event


def simulate_type(cancer, counts, reference, module, fraction, rng, site):
    """Patients (with endpoints and covariates), samples and calls of one cancer type."""
    burdens, genes, weights, _edges, classes = reference
    n = max(8, round(counts["os_patients"] * fraction))
    scale = n / counts["os_patients"]
    patients = [f"TCGA-{site}-{i:04d}" for i in range(n)]
    sequenced = rng.random(n) < 0.97  # a few clinical-only patients, as in the datahub's studies
    calls = draw_calls(
        burdens.get(cancer, np.concatenate(list(burdens.values()))), n, genes, weights, classes, module, rng
    )
    in_module = np.isin(calls["gene_index"], module) & calls["class"].isin(NON_SILENT) & (calls["filter"] == "PASS")
    hit = np.zeros(n, dtype=bool)
    hit[np.unique(calls.loc[in_module, "sample"])] = True
    hit &= sequenced
    risk = np.log(HAZARD_RATIO) * hit
    median = float(counts["os_median_followup_days"])
    deaths = min(n, max(1, round(counts["os_deaths"] * scale)))
    os_time, os_event = endpoint_times(n, deaths, risk, median, rng)
    os_time[rng.choice(n, size=min(n, round(counts["os_time_zero"] * scale)), replace=False)] = 0.0
    table = pd.DataFrame({"PATIENT_ID": patients, "CANCER_TYPE_ACRONYM": cancer})
    table["OS_STATUS"] = np.where(os_event, "1:DECEASED", "0:LIVING")
    table["OS_MONTHS"] = np.round(os_time / DAYS_PER_MONTH, 4)
    dss = np.zeros(n, dtype=bool)
    dss[rng.choice(np.flatnonzero(os_event), size=min(deaths, round(counts["dss_events"] * scale)), replace=False)] = (
        True
    )
    table["DSS_STATUS"] = np.where(dss, "1:DEAD WITH TUMOR", "0:ALIVE OR DEAD TUMOR FREE")
    table["DSS_MONTHS"] = table["OS_MONTHS"]
    if counts["pfi_events"] > 0:
        _, pfs_event = endpoint_times(n, min(n, max(1, round(counts["pfi_events"] * scale))), risk, median, rng)
        pfs_time = np.where(pfs_event, os_time * rng.uniform(0.2, 1.0, n), os_time)
        table["PFS_STATUS"] = np.where(pfs_event, "1:PROGRESSION", "0:CENSORED")
        table["PFS_MONTHS"] = np.round(pfs_time / DAYS_PER_MONTH, 4)
    else:
        table["PFS_STATUS"], table["PFS_MONTHS"] = "[Not Available]", "[Not Available]"
    disease_free = rng.random(n) < 0.5
    dfs_event = disease_free & (rng.random(n) < 0.4)
    table["DFS_STATUS"] = np.where(disease_free, np.where(dfs_event, "1:Recurred/Progressed", "0:DiseaseFree"), "")
    table["DFS_MONTHS"] = np.where(disease_free, np.round(os_time * 0.8 / DAYS_PER_MONTH, 4).astype(str), "")
    table["AGE"] = np.round(rng.normal(61, 12, n)).clip(18, 90).astype(int)
    table["SEX"] = rng.choice(["Male", "Female"], n)
    table["AJCC_PATHOLOGIC_TUMOR_STAGE"] = rng.choice(["STAGE I", "STAGE II", "STAGE III", "STAGE IV", ""], n)
    samples = pd.DataFrame({"PATIENT_ID": patients, "SAMPLE_ID": [f"{p}-01" for p in patients]})
    samples["CANCER_TYPE"] = "Colorectal Adenocarcinoma" if cancer in COMBINED else cancer
    samples["CANCER_TYPE_DETAILED"] = DETAILED.get(cancer, cancer)
    samples["ONCOTREE_CODE"] = cancer
    if cancer in COMBINED:
        mucinous = rng.random(n) < MUCINOUS_SHARE
        samples.loc[mucinous, "ONCOTREE_CODE"], samples.loc[mucinous, "CANCER_TYPE_DETAILED"] = MUCINOUS
    samples["SAMPLE_TYPE"] = "Primary"
    calls = calls[sequenced[calls["sample"]]]
    calls = calls.assign(sample=samples["SAMPLE_ID"].to_numpy()[calls["sample"]])
    return table, samples, samples["SAMPLE_ID"][sequenced].tolist(), calls, hit, os_time, os_event


def clinical_text(table: pd.DataFrame, names: dict[str, str]) -> str:
    """cBioPortal's clinical file: 4 '#' lines (names, descriptions, datatypes, priorities), the header, rows."""
    columns = list(table.columns)
    numeric = {"OS_MONTHS", "DSS_MONTHS", "PFS_MONTHS", "DFS_MONTHS", "AGE"}
    lines = [
        "#" + "\t".join(names.get(c, c.replace("_", " ").title()) for c in columns),
        "#" + "\t".join(names.get(c, c.replace("_", " ").title()) for c in columns),
        "#" + "\t".join("NUMBER" if c in numeric else "STRING" for c in columns),
        "#" + "\t".join("1" for _ in columns),
    ]
    return "\n".join(lines) + "\n" + table.to_csv(sep="\t", index=False, lineterminator="\n")


def maf_frame(calls: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """MAF columns of the calls (the reader needs Hugo_Symbol, Variant_Classification, Tumor_Sample_Barcode, FILTER)."""
    n = len(calls)
    position = rng.integers(1_000_000, 200_000_000, n)
    frame = pd.DataFrame(
        {
            "Hugo_Symbol": calls["gene"].to_numpy(),
            "Entrez_Gene_Id": 0,
            "Center": ".",
            "NCBI_Build": "GRCh37",
            "Chromosome": rng.integers(1, 23, n),
            "Start_Position": position,
            "End_Position": position,
            "Strand": "+",
            "Variant_Classification": calls["class"].to_numpy(),
            "Variant_Type": "SNP",
            "Reference_Allele": rng.choice(list("ACGT"), n),
            "Tumor_Seq_Allele1": rng.choice(list("ACGT"), n),
            "Tumor_Seq_Allele2": rng.choice(list("ACGT"), n),
            "Tumor_Sample_Barcode": calls["sample"].to_numpy(),
            "Matched_Norm_Sample_Barcode": [s[:-2] + "10" for s in calls["sample"]],
            "HGVSp_Short": "p.X1X",
            "t_depth": rng.integers(20, 400, n),
            "t_alt_count": rng.integers(3, 100, n),
            "FILTER": calls["filter"].to_numpy(),
        }
    )
    for column in FILLER_COLUMNS:
        frame[column] = "annotation"
    return frame


def write_study(out: Path, cancers: list[str], parts: dict, rng: np.random.Generator) -> None:
    study = study_name(cancers[0])
    folder = out / study
    (folder / "case_lists").mkdir(parents=True, exist_ok=True)
    patients = pd.concat([parts[c][0] for c in cancers], ignore_index=True)
    samples = pd.concat([parts[c][1] for c in cancers], ignore_index=True)
    sequenced = [s for c in cancers for s in parts[c][2]]
    calls = pd.concat([parts[c][3] for c in cancers], ignore_index=True)
    type_of_cancer = cancers[0].lower() if len(cancers) == 1 else study.split("_")[0]
    (folder / "meta_study.txt").write_text(
        f"type_of_cancer: {type_of_cancer}\ncancer_study_identifier: {study}\n"
        f"name: Synthetic {'/'.join(cancers)} (TCGA PanCanAtlas-shaped)\n"
        "description: synthetic study of pancan's scale tests (scripts/benchmarks/synthetic_pancanatlas.py)\n"
    )
    (folder / "data_clinical_patient.txt").write_text(clinical_text(patients, {"PATIENT_ID": "Patient Identifier"}))
    (folder / "data_clinical_sample.txt").write_text(clinical_text(samples, {"SAMPLE_ID": "Sample Identifier"}))
    maf_frame(calls, rng).to_csv(folder / "data_mutations.txt", sep="\t", index=False, lineterminator="\n")
    (folder / "case_lists" / "cases_sequenced.txt").write_text(
        f"cancer_study_identifier: {study}\nstable_id: {study}_sequenced\n"
        "case_list_name: Samples profiled for mutations\n"
        "case_list_description: Samples profiled for mutations (synthetic)\n"
        "case_list_ids: " + "\t".join(sequenced) + "\n"
    )


def write_big_study(out: Path, megabytes: float, reference, rng: np.random.Generator) -> int:
    """A UCEC-like study (531 samples, as UCEC's MC3 count) whose MAF is about `megabytes` MB; returns its calls.

    The burdens are the snapshot's, scaled up so that the MAF reaches the size (UCEC's hypermutated tumours);
    the MAF is written in chunks of 20 samples, never held whole.
    """
    burdens, genes, weights, _edges, classes = reference
    n_samples, row_bytes = 531, 1000  # about a kB per row (measured on these rows)
    pooled = np.concatenate(list(burdens.values()))
    scaled = np.maximum(1, np.round(pooled * megabytes * 1e6 / row_bytes / (n_samples * pooled.mean()))).astype(int)
    folder = out / "ucec_tcga_pan_can_atlas_2018"
    (folder / "case_lists").mkdir(parents=True, exist_ok=True)
    patients = [f"TCGA-UC-{i:04d}" for i in range(n_samples)]
    samples = [f"{p}-01" for p in patients]
    time = rng.exponential(900, n_samples)
    event = rng.random(n_samples) < 0.17
    clinical = pd.DataFrame(
        {
            "PATIENT_ID": patients,
            "OS_STATUS": np.where(event, "1:DECEASED", "0:LIVING"),
            "OS_MONTHS": np.round(time / DAYS_PER_MONTH, 4),
            "AGE": np.round(rng.normal(63, 11, n_samples)).astype(int),
        }
    )
    (folder / "data_clinical_patient.txt").write_text(clinical_text(clinical, {}))
    sample_table = pd.DataFrame({"PATIENT_ID": patients, "SAMPLE_ID": samples, "ONCOTREE_CODE": "UCEC"})
    (folder / "data_clinical_sample.txt").write_text(clinical_text(sample_table, {}))
    (folder / "meta_study.txt").write_text(
        "type_of_cancer: ucec\ncancer_study_identifier: ucec_tcga_pan_can_atlas_2018\n"
        "name: Synthetic UCEC-sized study (parsing test)\n"
    )
    (folder / "case_lists" / "cases_sequenced.txt").write_text(
        "cancer_study_identifier: ucec_tcga_pan_can_atlas_2018\nstable_id: ucec_tcga_pan_can_atlas_2018_sequenced\n"
        "case_list_ids: " + "\t".join(samples) + "\n"
    )
    rows = 0
    with open(folder / "data_mutations.txt", "w", newline="") as handle:
        for start in range(0, n_samples, 20):
            block = np.arange(start, min(start + 20, n_samples))
            calls = draw_calls(scaled, len(block), genes, weights, classes, np.arange(MODULE_SIZE), rng)
            calls["sample"] = np.asarray(samples)[block][calls["sample"]]
            handle.write(maf_frame(calls, rng).to_csv(sep="\t", index=False, header=start == 0, lineterminator="\n"))
            rows += len(calls)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder of the study folders")
    parser.add_argument("--types", default="all", help="'all' or comma-separated TCGA codes")
    parser.add_argument("--fraction", type=float, default=1.0, help="patients per type, as a fraction of TCGA-CDR's")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--big-study", type=Path, help="also write one UCEC-sized study (MAF of --megabytes) here")
    parser.add_argument("--megabytes", type=float, default=900.0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    reference = snapshot_reference()
    if args.big_study:
        rows = write_big_study(args.big_study, args.megabytes, reference, rng)
        size = (args.big_study / "ucec_tcga_pan_can_atlas_2018" / "data_mutations.txt").stat().st_size
        print(f"{args.big_study}: a MAF of {size / 1e6:.0f} MB, {rows:,} calls")
    if args.out is None:
        return
    counts = pd.read_csv(COUNTS, sep="\t").set_index("cancer_type")
    cancers = list(counts.index) if args.types == "all" else args.types.split(",")
    unknown = sorted(set(cancers) - set(counts.index))
    if unknown:
        sys.exit(f"--types: {unknown} are not TCGA-CDR types ({', '.join(counts.index)})")
    module = plant_module(reference[3], reference[1], rng)
    (args.out).mkdir(parents=True, exist_ok=True)
    (args.out / "planted_module.txt").write_text("\n".join(reference[1][module]) + "\n")
    parts = {
        cancer: simulate_type(
            cancer, counts.loc[cancer], reference, module, args.fraction, rng, site_code(cancer, list(counts.index))
        )
        for cancer in cancers
    }
    from sksurv.exceptions import NoComparablePairException
    from sksurv.metrics import concordance_index_censored

    for study in dict.fromkeys(study_name(c) for c in cancers):
        members = [c for c in cancers if study_name(c) == study]
        write_study(args.out, members, parts, rng)
    for cancer in cancers:
        _, _, _, calls, hit, time, event = parts[cancer]
        try:
            c = concordance_index_censored(event, time, hit.astype(float))[0]
        except NoComparablePairException:  # a tiny type whose only death is the latest time
            c = float("nan")
        print(
            f"{cancer}: {len(hit)} patients, {int(event.sum())} deaths, {len(calls):,} calls, "
            f"{hit.mean():.0%} with a module call, Harrell's C of the module on OS {c:.3f}"
        )


if __name__ == "__main__":
    main()
