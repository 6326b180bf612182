# Download stage (data_source: cbioportal, or local with downloaded networks) and local study
# import (data_source: local): every file is validated, then pinned by a sha256 lock. A refused
# version removes what was built from the pinned one (`downstream`), so no later run reuses it.


rule download_cbioportal_study:
    """Download a cBioPortal datahub study archive, check it, pin it, and extract its MAF, clinical files and case list."""

    # {study} is the label of the study: a cancer type, or COADREAD, whose one download COAD and READ share.
    output:
        mutations=f"{DOWNLOAD_DIR}/cbioportal/{{study}}/data_mutations.txt",
        clinical_patient=f"{DOWNLOAD_DIR}/cbioportal/{{study}}/data_clinical_patient.txt",
        clinical_sample=f"{DOWNLOAD_DIR}/cbioportal/{{study}}/data_clinical_sample.txt",
        # empty when the study has no case_lists/cases_sequenced.txt
        case_list=f"{DOWNLOAD_DIR}/cbioportal/{{study}}/cases_sequenced.txt",
    log:
        "logs/download/cbioportal_{study}.log",
    benchmark:
        "benchmarks/download/cbioportal_{study}.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=60,
    params:
        code=code_version("download_cbioportal_study.py"),
        study=lambda wildcards: cbioportal_study(wildcards.study),
        url=lambda wildcards: cbioportal_study_url(wildcards.study),
        lock_dir=LOCK_DIR,
        options=download_options(),
        downstream=cohort_downstream,
    script:
        "../../scripts/download_cbioportal_study.py"


rule import_local_study:
    """Copy a cBioPortal-format study from disk (folder or archive) and pin its files' sha256 (one import per study)."""
    input:
        unpack(local_study_files),
    output:
        mutations=f"{LOCAL_DIR}/{{study}}/data_mutations.txt",
        clinical_patient=f"{LOCAL_DIR}/{{study}}/data_clinical_patient.txt",
        clinical_sample=f"{LOCAL_DIR}/{{study}}/data_clinical_sample.txt",
        # empty when the study has no case_lists/cases_sequenced.txt
        case_list=f"{LOCAL_DIR}/{{study}}/cases_sequenced.txt",
    log:
        "logs/download/local_{study}.log",
    benchmark:
        "benchmarks/download/local_{study}.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    params:
        code=code_version("import_local_study.py"),
        study=lambda wildcards: local_study(wildcards.study),
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
