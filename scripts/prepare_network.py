"""Rule prepare_network: publisher or snapshot files -> canonical gene graph (the source's reader: pancan.networks.registry)."""

import os
from pathlib import Path

import pandas as pd

from pancan.atomic import write_table_atomic
from pancan.data.manifest import verify_files
from pancan.networks.registry import NETWORKS
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    name, settings = sm.wildcards.network, sm.params.settings
    source = NETWORKS[name]
    if sm.params.network_source == "snapshot":
        root = sm.params.snapshot_dir
        verify_files(root, [os.path.relpath(path, root) for path in sm.input])
        network = source.from_snapshot(sm.input.table, settings)
    else:
        network = source.network(dict(sm.input.items()), settings)
    network.save(Path(sm.output.adjacency).parent)
    summary = network.summary()
    write_table_atomic(pd.DataFrame([summary]), sm.output.summary)
    log.info("%s: %d genes, %d undirected edges", name, summary["nodes"], summary["edges"])
