# Download stage (data_source: cbioportal): study archives and network files, pinned by sha256 locks.


rule download_cbioportal_study:
    output:
        mutations=f"{DOWNLOAD_DIR}/cbioportal/{{cancer}}/data_mutations.txt",
        clinical_patient=f"{DOWNLOAD_DIR}/cbioportal/{{cancer}}/data_clinical_patient.txt",
        clinical_sample=f"{DOWNLOAD_DIR}/cbioportal/{{cancer}}/data_clinical_sample.txt",
    params:
        study=lambda wildcards: config["cbioportal"]["study_id"].format(
            cancer=wildcards.cancer, cancer_lower=wildcards.cancer.lower()
        ),
        url_template=config["cbioportal"]["study_url"],
        lock_dir=config["download"]["lock_dir"],
        options=download_options(),
    log:
        "logs/download/cbioportal_{cancer}.log",
    benchmark:
        "benchmarks/download/cbioportal_{cancer}.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=60,
    conda:
        "../../envs/pancan.yaml"
    script:
        "../../scripts/download_cbioportal_study.py"


rule download_network_file:
    output:
        f"{DOWNLOAD_DIR}/networks/{{resource}}.txt.gz",
    params:
        url=lambda wildcards: config["network_urls"][wildcards.resource],
        lock_dir=config["download"]["lock_dir"],
        options=download_options(),
    log:
        "logs/download/{resource}.log",
    benchmark:
        "benchmarks/download/{resource}.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=60,
    conda:
        "../../envs/pancan.yaml"
    script:
        "../../scripts/download_network_file.py"
