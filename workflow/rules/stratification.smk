# Stratification stage: network-based stratification (NBS) of each cancer type into mutation subtypes.
STRATIFICATION = config["stratification"]
STRATIFIED = list(STRATIFICATION["representations"])
STRATIFICATION_BATCHES = list(
    range(-(-STRATIFICATION["subsamples"] // STRATIFICATION["subsamples_per_job"]))
)
STRATIFICATION_PATTERN = "|".join(STRATIFIED)
SIMULATION = STRATIFICATION["simulation"]
# scikit-learn's NMF (raw, factorization nmf) needs a tolerance where network NMF makes
# pyNBS's fixed number of updates: its own default, 1e-4, when tol is 0
RAW_NMF_TOL = STRATIFICATION["tol"] or 1.0e-4


rule build_influence_graph:
    """kNN influence graph of a network (top genes of (L + gamma I)^-1), once per network."""
    input:
        adjacency="results/networks/{network}/adjacency.npz",
        genes="results/networks/{network}/genes.txt",
    output:
        "results/stratification/networks/{network}/influence_knn.npz",
    log:
        "logs/stratification/build_influence_graph_{network}.log",
    benchmark:
        "benchmarks/stratification/build_influence_graph_{network}.tsv"
    wildcard_constraints:
        network=NETWORK_OR_CONTROL,
    conda:
        "../../envs/pancan.yaml"
    threads: 2
    resources:
        # Pathway Commons (20,057 genes): a 1.6 GB float32 inverse, about 1.9 GB peak, 1-2 min
        mem_mb=2500,
        runtime=20,
    params:
        code=code_version("stratify_influence_graph.py"),
        gamma=STRATIFICATION["influence"]["gamma"],
        neighbours=STRATIFICATION["influence"]["neighbours"],
        digits=STRATIFICATION["influence"]["digits"],
    script:
        "../../scripts/stratify_influence_graph.py"


rule prepare_stratification_profiles:
    """The profiles one representation clusters (NBS: quantile-normalised propagation), once per cohort."""
    input:
        unpack(stratification_profile_inputs),
    output:
        "results/stratification/{cancer}/{representation}/profiles.npz",
    log:
        "logs/stratification/prepare_stratification_profiles_{cancer}_{representation}.log",
    benchmark:
        "benchmarks/stratification/prepare_stratification_profiles_{cancer}_{representation}.tsv"
    wildcard_constraints:
        representation=STRATIFICATION_PATTERN,
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=10,
    params:
        code=code_version("stratify_profiles.py"),
        min_mutations=STRATIFICATION["min_mutations"],
        strict=STRATIFICATION["scheme"] == "pynbs",
        quantile_ties=STRATIFICATION["quantile_ties"],
        netnorm_k=STRATIFICATION["netnorm_k"],
    script:
        "../../scripts/stratify_profiles.py"


rule cluster_subsamples:
    """Factorise a batch of subsamples for every k; labels of the sampled patients (seeded per subsample)."""
    input:
        unpack(stratification_subsample_inputs),
    output:
        "results/stratification/{cancer}/{representation}/subsamples/batch{batch}.npz",
    log:
        "logs/stratification/cluster_subsamples_{cancer}_{representation}_{batch}.log",
    benchmark:
        "benchmarks/stratification/cluster_subsamples_{cancer}_{representation}_{batch}.tsv"
    wildcard_constraints:
        representation=STRATIFICATION_PATTERN,
        batch="[0-9]+",
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=60,
    params:
        code=code_version("stratify_subsamples.py"),
        runs=stratification_runs,
        ks=STRATIFICATION["ks"],
        seed=config["seed"],
        patient_fraction=STRATIFICATION["patient_fraction"],
        gene_fraction=STRATIFICATION["gene_fraction"],
        factorization=lambda wildcards: (
            "nmf"
            if stratification_network(wildcards.representation) is None
            else STRATIFICATION["factorization"]
        ),
        regularization=STRATIFICATION["regularization"],
        max_iter=STRATIFICATION["max_iter"],
        tol=lambda wildcards: (
            RAW_NMF_TOL
            if stratification_network(wildcards.representation) is None
            or STRATIFICATION["factorization"] == "nmf"
            else STRATIFICATION["tol"]
        ),
        alpha=STRATIFICATION["alpha"],
        min_mutations=STRATIFICATION["min_mutations"],
        quantile_ties=STRATIFICATION["quantile_ties"],
    script:
        "../../scripts/stratify_subsamples.py"


rule build_consensus:
    """Consensus matrices, PAC and cophenetic correlation per k, subtypes per k and the chosen k."""
    input:
        profiles="results/stratification/{cancer}/{representation}/profiles.npz",
        batches=lambda wildcards: expand(
            "results/stratification/{cancer}/{representation}/subsamples/batch{batch}.npz",
            cancer=wildcards.cancer,
            representation=wildcards.representation,
            batch=STRATIFICATION_BATCHES,
        ),
        patients="results/cohorts/{cancer}/patients.tsv",
    output:
        consensus="results/stratification/{cancer}/{representation}/consensus.npz",
        assignments="results/stratification/{cancer}/{representation}/assignments.tsv",
        model_selection=report(
            "results/stratification/{cancer}/{representation}/model_selection.tsv",
            caption="../report/stratification_model_selection_table.rst",
            category="Stratification",
            subcategory="{cancer}",
        ),
    log:
        "logs/stratification/build_consensus_{cancer}_{representation}.log",
    benchmark:
        "benchmarks/stratification/build_consensus_{cancer}_{representation}.tsv"
    wildcard_constraints:
        representation=STRATIFICATION_PATTERN,
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=10,
    params:
        code=code_version("stratify_consensus.py"),
        ks=STRATIFICATION["ks"],
        k=STRATIFICATION["k"],
        pac_window=STRATIFICATION["pac_window"],
        min_subtype_size=STRATIFICATION["min_subtype_size"],
    script:
        "../../scripts/stratify_consensus.py"


rule test_subtype_survival:
    """Log-rank test of the subtypes per k (BH over k) and a Cox model at the chosen k, adjusted for age and stage."""
    input:
        assignments="results/stratification/{cancer}/{representation}/assignments.tsv",
        model_selection="results/stratification/{cancer}/{representation}/model_selection.tsv",
        patients="results/cohorts/{cancer}/patients.tsv",
        clinical="results/cohorts/{cancer}/clinical.tsv",
    output:
        logrank=report(
            "results/stratification/{cancer}/{representation}/logrank.tsv",
            caption="../report/stratification_survival_table.rst",
            category="Stratification",
            subcategory="{cancer}",
        ),
        cox="results/stratification/{cancer}/{representation}/cox.tsv",
    log:
        "logs/stratification/test_subtype_survival_{cancer}_{representation}.log",
    benchmark:
        "benchmarks/stratification/test_subtype_survival_{cancer}_{representation}.tsv"
    wildcard_constraints:
        representation=STRATIFICATION_PATTERN,
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_version("stratify_survival.py"),
        ks=STRATIFICATION["ks"],
        covariates=STRATIFICATION["cox_covariates"],
        stage_columns=STRATIFICATION["stage_columns"],
    script:
        "../../scripts/stratify_survival.py"


rule summarize_stratification:
    """One row per cancer type and representation: chosen k, subtype sizes, log-rank p and q (the report's table)."""
    input:
        unpack(stratification_summary_inputs),
    output:
        "results/stratification/summary.tsv",
    log:
        "logs/stratification/summarize_stratification.log",
    benchmark:
        "benchmarks/stratification/summarize_stratification.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_version("summarize_stratification.py"),
    script:
        "../../scripts/summarize_stratification.py"


rule find_subtype_signatures:
    """Genes scoring higher in each subtype (rank-sum, BH) and the network module they form."""
    input:
        unpack(signature_network_inputs),
        profiles="results/stratification/{cancer}/{representation}/profiles.npz",
        assignments="results/stratification/{cancer}/{representation}/assignments.tsv",
    output:
        signatures=report(
            "results/stratification/{cancer}/{representation}/signatures.tsv",
            caption="../report/stratification_signatures_table.rst",
            category="Stratification",
            subcategory="{cancer}",
        ),
        modules="results/stratification/{cancer}/{representation}/modules.tsv",
    log:
        "logs/stratification/find_subtype_signatures_{cancer}_{representation}.log",
    benchmark:
        "benchmarks/stratification/find_subtype_signatures_{cancer}_{representation}.tsv"
    wildcard_constraints:
        representation=STRATIFICATION_PATTERN,
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        # measured (docs/benchmarks.md): BRCA nbs 1.73 GB, the other types at most 1.04 GB
        mem_mb=3500,
        runtime=10,
    params:
        code=code_version("stratify_signatures.py"),
        fdr=STRATIFICATION["signature_fdr"],
        max_genes=STRATIFICATION["signature_genes"],
    script:
        "../../scripts/stratify_signatures.py"


rule plot_stratification_model_selection:
    """PAC and cophenetic correlation against k, one line per representation."""
    input:
        tables=lambda wildcards: expand(
            "results/stratification/{cancer}/{representation}/model_selection.tsv",
            cancer=wildcards.cancer,
            representation=STRATIFIED,
        ),
    output:
        png=report(
            "results/report/stratification/model_selection/{cancer}.png",
            caption="../report/stratification_model_selection.rst",
            category="Stratification",
            subcategory="{cancer}",
        ),
        svg="results/report/stratification/model_selection/{cancer}.svg",
    log:
        "logs/stratification/plot_stratification_model_selection_{cancer}.log",
    benchmark:
        "benchmarks/stratification/plot_stratification_model_selection_{cancer}.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_version("stratify_figures.py"),
        representations=STRATIFIED,
    script:
        "../../scripts/stratify_figures.py"


rule plot_subtype_consensus:
    """Consensus matrix at the chosen k, patients in dendrogram order, with subtype bars."""
    input:
        consensus="results/stratification/{cancer}/{representation}/consensus.npz",
        model_selection="results/stratification/{cancer}/{representation}/model_selection.tsv",
    output:
        png=report(
            "results/report/stratification/consensus/{cancer}_{representation}.png",
            caption="../report/stratification_consensus.rst",
            category="Stratification",
            subcategory="{cancer}",
        ),
        svg="results/report/stratification/consensus/{cancer}_{representation}.svg",
    log:
        "logs/stratification/plot_subtype_consensus_{cancer}_{representation}.log",
    benchmark:
        "benchmarks/stratification/plot_subtype_consensus_{cancer}_{representation}.tsv"
    wildcard_constraints:
        representation=STRATIFICATION_PATTERN,
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_version("stratify_figures.py"),
    script:
        "../../scripts/stratify_figures.py"


rule plot_subtype_survival:
    """Kaplan-Meier curves of the subtypes at the chosen k, with the number at risk."""
    input:
        assignments="results/stratification/{cancer}/{representation}/assignments.tsv",
        logrank="results/stratification/{cancer}/{representation}/logrank.tsv",
        model_selection="results/stratification/{cancer}/{representation}/model_selection.tsv",
        patients="results/cohorts/{cancer}/patients.tsv",
    output:
        png=report(
            "results/report/stratification/kaplan_meier/{cancer}_{representation}.png",
            caption="../report/stratification_kaplan_meier.rst",
            category="Stratification",
            subcategory="{cancer}",
        ),
        svg="results/report/stratification/kaplan_meier/{cancer}_{representation}.svg",
    log:
        "logs/stratification/plot_subtype_survival_{cancer}_{representation}.log",
    benchmark:
        "benchmarks/stratification/plot_subtype_survival_{cancer}_{representation}.tsv"
    wildcard_constraints:
        representation=STRATIFICATION_PATTERN,
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_version("stratify_figures.py"),
    script:
        "../../scripts/stratify_figures.py"


rule plot_subtype_signatures:
    """Signature genes of each subtype (AUC against the other patients), module genes marked."""
    input:
        signatures="results/stratification/{cancer}/{representation}/signatures.tsv",
        modules="results/stratification/{cancer}/{representation}/modules.tsv",
    output:
        png=report(
            "results/report/stratification/signatures/{cancer}_{representation}.png",
            caption="../report/stratification_signatures.rst",
            category="Stratification",
            subcategory="{cancer}",
        ),
        svg="results/report/stratification/signatures/{cancer}_{representation}.svg",
    log:
        "logs/stratification/plot_subtype_signatures_{cancer}_{representation}.log",
    benchmark:
        "benchmarks/stratification/plot_subtype_signatures_{cancer}_{representation}.tsv"
    wildcard_constraints:
        representation=STRATIFICATION_PATTERN,
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_version("stratify_figures.py"),
    script:
        "../../scripts/stratify_figures.py"


rule simulate_planted_subtypes:
    """Planted-module simulation (NBS paper Fig 2) for one module size and seed, every fraction."""
    input:
        patients=f"results/cohorts/{SIMULATION['cancer']}/patients.tsv",
        mutations=f"results/cohorts/{SIMULATION['cancer']}/mutations.npz",
        genes=f"results/cohorts/{SIMULATION['cancer']}/genes.txt",
        clinical=f"results/cohorts/{SIMULATION['cancer']}/clinical.tsv",
        network_adjacency=f"results/networks/{config['networks']['main']}/adjacency.npz",
        network_genes=f"results/networks/{config['networks']['main']}/genes.txt",
        influence=f"results/stratification/networks/{config['networks']['main']}/influence_knn.npz",
    output:
        "results/stratification/simulation/size{size}_seed{seed}.tsv",
    log:
        "logs/stratification/simulate_planted_subtypes_{size}_{seed}.log",
    benchmark:
        "benchmarks/stratification/simulate_planted_subtypes_{size}_{seed}.tsv"
    wildcard_constraints:
        size="[0-9]+",
        seed="[0-9]+",
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=60,
    params:
        code=code_version("stratify_simulation.py"),
        fractions=SIMULATION["fractions"],
        subtypes=SIMULATION["subtypes"],
        subsamples=SIMULATION["subsamples"],
        base_seed=config["seed"],
        alpha=STRATIFICATION["alpha"],
        patient_fraction=STRATIFICATION["patient_fraction"],
        gene_fraction=STRATIFICATION["gene_fraction"],
        regularization=STRATIFICATION["regularization"],
        max_iter=STRATIFICATION["max_iter"],
        tol=STRATIFICATION["tol"],
        raw_tol=RAW_NMF_TOL,
        min_mutations=STRATIFICATION["min_mutations"],
    script:
        "../../scripts/stratify_simulation.py"


rule plot_planted_subtypes:
    """ARI of NBS and raw-profile clustering against the planted subtypes, across fractions and module sizes."""
    input:
        expand(
            "results/stratification/simulation/size{size}_seed{seed}.tsv",
            size=SIMULATION["module_sizes"],
            seed=range(SIMULATION["seeds"]),
        ),
    output:
        table="results/stratification/simulation/ari.tsv",
        png=report(
            "results/report/stratification/simulation.png",
            caption="../report/stratification_simulation.rst",
            category="Stratification",
        ),
        svg="results/report/stratification/simulation.svg",
    log:
        "logs/stratification/plot_planted_subtypes.log",
    benchmark:
        "benchmarks/stratification/plot_planted_subtypes.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_version("stratify_figures.py"),
    script:
        "../../scripts/stratify_figures.py"
