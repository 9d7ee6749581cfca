# The two commands of the README live here: `make run` and `make test`.
# Each creates its own virtual environment (.venv) and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WEB_STAMP := $(VENV)/.stamp-web
ALL_STAMP := $(VENV)/.stamp-all
export SCIKIT_LEARN_DATA := $(CURDIR)/.cache/scikit_learn_data
export NUMBA_CACHE_DIR := $(CURDIR)/.cache/numba

.PHONY: run test bench lint chromium clean

# every install takes the versions of constraints.txt (the set the suite passed with)
PIP := $(BIN)/python -m pip install --quiet -c constraints.txt

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip

$(WEB_STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e '.[web]'
	touch $@

$(ALL_STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e '.[web,lab,ray,dev]'
	touch $@ $(WEB_STAMP)

chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
		else \
			echo "chromium is missing: install Debian's chromium package (needs root)"; exit 1; \
		fi; \
	fi

## Serve the lesson on http://127.0.0.1:8000
run: $(WEB_STAMP)
	$(BIN)/batchlab serve

## Lint, type-check and run every test (unit, property, oracle, API, browser)
test: $(ALL_STAMP) chromium
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(ALL_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

## Benchmarks that print speed ratios against peers measured in the same run
bench: $(ALL_STAMP)
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/lab.py

clean:
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache .hypothesis
