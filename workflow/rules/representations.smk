# Representation stage: patient-wise transforms of a whole cohort that several later jobs share.


rule smooth_profiles:
    """Network smoothing (propagation to convergence) of every patient of a cohort at one alpha.

    Patient-wise, so computed once per cohort and reused by every NSQN / smoothing
    evaluation job and by the stratification stage.
    """
    input:
        patients="results/cohorts/{cancer}/patients.tsv",
        mutations="results/cohorts/{cancer}/mutations.npz",
        genes="results/cohorts/{cancer}/genes.txt",
        network_adjacency="results/networks/{network}/adjacency.npz",
        network_genes="results/networks/{network}/genes.txt",
    output:
        "results/representations/{cancer}/{network}/smoothed_{normalization}_alpha{alpha}.npy",
    log:
        "logs/representations/smooth_profiles_{cancer}_{network}_{normalization}_{alpha}.log",
    benchmark:
        "benchmarks/representations/smooth_profiles_{cancer}_{network}_{normalization}_{alpha}.tsv"
    wildcard_constraints:
        # the main network or one of its randomised controls
        network=NETWORK_OR_CONTROL,
    # before the evaluation jobs (evaluation_priority), which wait for it: NSQN's then start early too
    priority: 1000
    conda:
        "../../envs/pancan.yaml"
    threads: 2
    resources:
        # BRCA (973 patients x 20,057 genes): 78 MB output, about 0.6 GB peak
        mem_mb=1500,
        runtime=15,
    params:
        code=code_version("smooth_profiles.py"),
        tol=config["benchmark"]["smoothing"]["tol"],
    script:
        "../../scripts/smooth_profiles.py"
