# Two entry points, both self-installing on a fresh machine:
#   make run    the whole workflow on the bundled snapshot (offline)
#   make test   the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= 2

.PHONY: run test lint clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# --report: Snakemake's own default-resource code leaves 'coroutine ... never awaited' RuntimeWarnings
# (one per job; harmless): silence exactly those.
run: $(BIN)/.installed
	$(BIN)/snakemake --cores $(CORES) --profile profiles/default
	PYTHONWARNINGS="ignore:coroutine 'InputFiles._predicated_size_files:RuntimeWarning" $(BIN)/snakemake --report results/report.html

# One pytest worker per core (pytest-xdist); each test module runs on one worker, so its fixtures run once,
# in the order tests/conftest.py gives (the slowest modules first).
test: $(BIN)/.installed
	$(BIN)/python -m pytest -q -n $(CORES) --dist loadscope --no-loadscope-reorder

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakemake --lint
	$(BIN)/snakefmt --check Snakefile workflow/rules

clean:
	rm -rf results logs benchmarks .snakemake
