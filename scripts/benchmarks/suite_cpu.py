"""CPU seconds of each test of the suite: its worker's own and its subprocesses' (Snakemake, jobs), then a summary.

    PYTHONPATH=scripts/benchmarks SUITE_CPU_LOG=../suite_cpu.tsv \
        .venv/bin/python -m pytest -q -n 2 --dist loadscope --no-loadscope-reorder -p suite_cpu
    .venv/bin/python scripts/benchmarks/suite_cpu.py ../suite_cpu.tsv      # per module, then the slowest tests

As a pytest plugin (`-p suite_cpu`), it appends one line per test to $SUITE_CPU_LOG: the
test's id, the CPU seconds of its worker process and of the subprocesses it waited for,
and its wall seconds. Wall time in a parallel run includes the other worker's load; CPU
seconds do not, so they show what each test costs the suite.
"""

from __future__ import annotations

import os
import resource
import sys
import time

import pytest

COLUMNS = ["test", "own_cpu", "children_cpu", "wall"]


def _cpu_seconds() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Around each test's setup, call and teardown (module fixtures count in the test that first needs them)."""
    own, children = _cpu_seconds()
    started = time.perf_counter()
    yield
    own_after, children_after = _cpu_seconds()
    line = f"{item.nodeid}\t{own_after - own:.2f}\t{children_after - children:.2f}\t{time.perf_counter() - started:.2f}"
    with open(os.environ.get("SUITE_CPU_LOG", "suite_cpu.tsv"), "a") as log:
        log.write(line + "\n")


def main() -> None:
    import pandas as pd

    table = pd.read_csv(sys.argv[1], sep="\t", header=None, names=COLUMNS)
    table["cpu"] = table["own_cpu"] + table["children_cpu"]
    table["module"] = table["test"].str.split("::").str[0]
    print(f"{len(table)} tests: {table['cpu'].sum() / 60:.1f} CPU-minutes, {table['wall'].sum() / 60:.1f} test-minutes")
    modules = table.groupby("module")[["cpu", "own_cpu", "children_cpu", "wall"]].sum()
    print(modules.sort_values("cpu", ascending=False).head(15).round(1).to_string())
    print(table.sort_values("cpu", ascending=False).head(15)[["test", "cpu", "wall"]].round(1).to_string(index=False))


if __name__ == "__main__":
    main()
