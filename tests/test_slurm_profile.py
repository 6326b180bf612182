"""The SLURM profile's job arrays, checked without a cluster (tests/test_slurm.py runs the profile on one).

The executor plugin submits an array rule's ready jobs as one array whose tasks all get the first
job's resources, and holds an array rule's jobs back until every ready job of the rule is selected.
"""

import re

import yaml
from helpers import REPO

PROFILE = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
RULES = "\n".join(path.read_text() for path in sorted((REPO / "workflow" / "rules").glob("*.smk")))


def rule_text(name: str) -> list[str]:
    """Every definition of a rule (benchmark.smk defines evaluate_representation twice, per job_per_repeat)."""
    return re.findall(rf"^ *rule {name}:\n(.*?)(?=^ *(?:rule|checkpoint) \w+:|^else:|\Z)", RULES, re.M | re.S)


def test_array_rules_exist_and_declare_one_set_of_resources():
    array_rules = [name.strip() for name in PROFILE["slurm-array-jobs"].split(",")]
    assert array_rules == ["cluster_subsamples", "evaluate_representation"]
    overrides = dict(entry.split("=") for entry in PROFILE["set-resources"])
    for name in array_rules:
        definitions = rule_text(name)
        assert definitions, f"{name} is not a rule of the workflow"
        for text in definitions:
            memory = re.search(r"mem_mb=(.*?),\n\s+runtime", text, re.S).group(1)
            declared = [int(value) for value in re.findall(r"\b\d+\b", memory)]
            if len(declared) > 1:  # memory varies between the rule's jobs: the profile sets the largest for all
                assert int(overrides[f"{name}:mem_mb"]) == max(declared), (name, declared)
            assert "threads: 1" in text and "lambda" not in text.split("runtime=")[1].split("\n")[0]


def test_jobs_are_unlimited_with_arrays():
    # with a jobs limit, an array rule's jobs held back by it would never be submitted
    assert PROFILE["jobs"] == "unlimited"
    # an array's jobs travel on sbatch's command line (about 1.8 kB each); past 128 kB the plugin falls back to a
    # script that loses the other tasks' commands, so every task runs the first job and fails
    assert PROFILE["slurm-array-limit"] <= 50
    assert PROFILE["config"] == ["benchmark={job_per_repeat: true}"]
