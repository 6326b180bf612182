# Network stage: canonical undirected gene graphs (symmetric, deduplicated, no self-loops).


rule prepare_network:
    """Build a canonical undirected gene graph (symmetric, no self-loops, small molecules dropped) from a network's source files."""
    input:
        unpack(network_inputs),
    output:
        adjacency="results/networks/{network}/adjacency.npz",
        genes="results/networks/{network}/genes.txt",
        summary="results/networks/{network}/summary.tsv",
    log:
        "logs/networks/prepare_network_{network}.log",
    benchmark:
        "benchmarks/networks/prepare_network_{network}.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1500,  # Pathway Commons: 0.27 GB peak measured (docs/benchmarks.md)
        runtime=10,
    params:
        code=code_version("prepare_network.py"),
        network_source=NETWORK_SOURCE,
        snapshot_dir=SNAPSHOT_DIR,
        settings=lambda wildcards: config["networks"].get(wildcards.network, {}),
    script:
        "../../scripts/prepare_network.py"
