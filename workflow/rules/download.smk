# Download stage (data_source: cbioportal): study archives and network files, pinned by sha256 locks.


rule download_cbioportal_study:
    output:
        mutations=f"{DOWNLOAD_DIR}/cbioportal/{{cancer}}/data_mutations.txt",
        clinical_patient=f"{DOWNLOAD_DIR}/cbioportal/{{cancer}}/data_clinical_patient.txt",
        clinical_sample=f"{DOWNLOAD_DIR}/cbioportal/{{cancer}}/data_clinical_sample.txt",
    log:
        "logs/download/cbioportal_{cancer}.log",
    benchmark:
        "benchmarks/download/cbioportal_{cancer}.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=60,
    params:
        study=lambda wildcards: cbioportal_study(wildcards.cancer),
        url=lambda wildcards: cbioportal_study_url(wildcards.cancer),
        lock_dir=config["download"]["lock_dir"],
        options=download_options(),
    script:
        "../../scripts/download_cbioportal_study.py"


rule download_network_file:
    output:
        f"{DOWNLOAD_DIR}/networks/{{resource}}.txt.gz",
    log:
        "logs/download/{resource}.log",
    benchmark:
        "benchmarks/download/{resource}.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=60,
    params:
        url=lambda wildcards: config["network_urls"][wildcards.resource],
        lock_dir=config["download"]["lock_dir"],
        options=download_options(),
    script:
        "../../scripts/download_network_file.py"
