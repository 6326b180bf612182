"""Rule prepare_network: publisher or snapshot files -> canonical gene graph."""

import os
from pathlib import Path

import pandas as pd

from pancan.atomic import write_table_atomic
from pancan.data.manifest import verify_files
from pancan.networks.sources import (
    pathway_commons_network,
    read_string_download,
    read_string_snapshot,
    string_network,
)
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    name, settings = sm.wildcards.network, sm.params.settings
    snapshot = sm.params.network_source == "snapshot"
    if snapshot:
        root = sm.params.snapshot_dir
        verify_files(root, [os.path.relpath(path, root) for path in sm.input])
    if name == "pathway_commons":
        source = sm.input.table if snapshot else sm.input.pathway_commons
        network = pathway_commons_network(source, settings.get("interaction_types", []), name=name)
    else:
        source = sm.input.table if snapshot else sm.input.string_links
        table = read_string_snapshot(source) if snapshot else read_string_download(source, sm.input.string_info)
        network = string_network(table, settings.get("min_score", 900), source=source, name=name)
    network.save(Path(sm.output.adjacency).parent)
    summary = network.summary()
    write_table_atomic(pd.DataFrame([summary]), sm.output.summary)
    log.info("%s: %d genes, %d undirected edges", name, summary["nodes"], summary["edges"])
