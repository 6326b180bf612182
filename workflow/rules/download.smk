# Download stage (data_source: cbioportal, or local with downloaded networks) and local study
# import (data_source: local): every file is validated, then pinned by a sha256 lock. A refused
# version removes what was built from the pinned one (`downstream`), so no later run reuses it.


rule download_cbioportal_study:
    """Download a cancer type's cBioPortal datahub study archive, check it, pin it, and extract its MAF and clinical files."""
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
        code=code_version("download_cbioportal_study.py"),
        study=lambda wildcards: cbioportal_study(wildcards.cancer),
        url=lambda wildcards: cbioportal_study_url(wildcards.cancer),
        lock_dir=LOCK_DIR,
        options=download_options(),
        downstream=cohort_downstream,
    script:
        "../../scripts/download_cbioportal_study.py"


rule import_local_study:
    """Copy a cancer type's cBioPortal-format study from disk (folder or archive) and pin its files' sha256."""
    input:
        unpack(local_study_files),
    output:
        mutations=f"{LOCAL_DIR}/{{cancer}}/data_mutations.txt",
        clinical_patient=f"{LOCAL_DIR}/{{cancer}}/data_clinical_patient.txt",
        clinical_sample=f"{LOCAL_DIR}/{{cancer}}/data_clinical_sample.txt",
    log:
        "logs/download/local_{cancer}.log",
    benchmark:
        "benchmarks/download/local_{cancer}.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    params:
        code=code_version("import_local_study.py"),
        study=lambda wildcards: local_study(wildcards.cancer),
        lock_dir=LOCK_DIR,
        downstream=cohort_downstream,
    script:
        "../../scripts/import_local_study.py"


rule download_network_file:
    """Download one network file from its publisher, check it parses into a network with edges, and pin it."""
    input:
        unpack(network_download_inputs),
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
        mem_mb=1500,  # parsed as prepare_network parses it
        runtime=60,
    params:
        code=code_version("download_network_file.py"),
        url=lambda wildcards: config["network_urls"][wildcards.resource],
        lock_dir=LOCK_DIR,
        options=download_options(),
        settings=lambda wildcards: network_settings(wildcards.resource),
        downstream=network_downstream,
    script:
        "../../scripts/download_network_file.py"
