"""The README's registry examples, run as written: a new representation and a new model reach the schema,
the jobs' parameters and the engine."""

import re

import numpy as np
import pytest
import scipy.sparse as sp
from helpers import REPO
from sklearn.base import BaseEstimator, TransformerMixin
from test_benchmark import planted_cohort

from pancan import config_schema
from pancan.benchmark.protocol import BenchmarkSettings, benchmark_search
from pancan.benchmark.settings import job_setting_keys
from pancan.models.coxnet import SparseCoxnet
from pancan.models.registry import MODELS
from pancan.networks.adjacency import NetworkAdjacency
from pancan.representations.registry import REGISTRY, RepresentationContext


def readme_block(heading: str) -> str:
    """The first python block after a bold paragraph heading of the README."""
    readme = (REPO / "README.md").read_text()
    start = readme.index(heading)
    return re.search(r"```python\n(.*?)```", readme[start:], re.DOTALL).group(1)


class MyTransformer(TransformerMixin, BaseEstimator):
    """NetNorM-like toy: each patient's log(1 + number of mutated neighbours), for the k best-connected genes."""

    def __init__(self, adjacency=None, k: int = 10):
        self.adjacency = adjacency
        self.k = k

    def fit(self, X, y=None):
        degree = np.asarray(self.adjacency.matrix.sum(axis=0)).ravel()
        self.columns_ = np.sort(np.argsort(-degree, kind="stable")[: self.k])
        return self

    def transform(self, X):
        n = self.adjacency.n_genes
        counts = (sp.csr_matrix(X)[:, :n] @ self.adjacency.matrix).toarray()
        return np.log1p(counts[:, self.columns_])


class MyCox(SparseCoxnet):
    """Toy model of the README: Coxnet with a `ties` option it records."""

    def __init__(self, alpha: float = 0.01, l1_ratio: float = 1.0, max_iter: int = 100000, ties: str = "efron"):
        super().__init__(alpha=alpha, l1_ratio=l1_ratio, max_iter=max_iter)
        self.ties = ties


@pytest.fixture
def readme_entries():
    namespace = {"MyTransformer": MyTransformer, "MyCox": MyCox}
    exec(compile(readme_block("**Adding a representation**"), "README.md", "exec"), namespace)
    exec(compile(readme_block("**Adding a model**"), "README.md", "exec"), namespace)
    config_schema.refresh()
    yield
    REGISTRY.remove("netnorm_log")
    MODELS.entries.pop("my_cox")
    MODELS.declared.pop("my_cox")
    config_schema.refresh()


def test_readme_registry_examples_run_through_schema_jobs_and_engine(readme_entries):
    config = config_schema.validate_workflow_config(
        {
            "benchmark": {
                "representations": ["netnorm_log"],
                "comparisons": [],
                "netnorm_log_k": [5, 20],
                "model": "my_cox",
                "my_cox": {"ties": "breslow"},
            },
            "report": {"kaplan_meier_representation": "netnorm_log"},
        }
    )
    keys = job_setting_keys("netnorm_log", "my_cox")
    assert {"netnorm_log_k", "my_cox"} <= set(keys) and "penalties" not in keys and "netnorm_k" not in keys
    settings = BenchmarkSettings.from_config(config)
    aligned, network, y, _ = planted_cohort(n=150, seed=2)
    context = RepresentationContext(NetworkAdjacency(network.adjacency), aligned.n_network)
    search = benchmark_search("netnorm_log", settings, context, random_state=0)
    assert search.param_grid == {"representation__k": [5, 20]} and search.estimator[-1].ties == "breslow"
    search.fit(aligned.X[:120], y[:120])
    k = search.best_params_["representation__k"]
    assert search.best_estimator_.named_steps["representation"].transform(aligned.X[120:]).shape == (30, k)
    assert search.path_length_ == 8 and np.isfinite(search.predict(aligned.X[120:])).all()
