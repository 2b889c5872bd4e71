# Set-up and the two jobs of the README. Each target creates .venv itself.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
# torch comes first and pinned: a plain `torch` requirement pulls a multi-GB CUDA build.
TORCH  := torch==2.13.0
DEMO_EXTRAS := models,transformers,retrieval,llm,viz
TEST_EXTRAS := models,transformers,retrieval,llm,dask,viz,dev

.PHONY: demo test lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip wheel setuptools

$(VENV)/.demo-installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install -q "$(TORCH)"
	$(BIN)/pip install -q -e ".[$(DEMO_EXTRAS)]"
	touch $@

$(VENV)/.test-installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install -q "$(TORCH)"
	$(BIN)/pip install -q -e ".[$(TEST_EXTRAS)]"
	touch $@

demo: $(VENV)/.demo-installed
	$(BIN)/nlpkit demo

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check nlpkit tests benchmarks pipelines
	$(BIN)/ruff format --check nlpkit tests benchmarks pipelines

format: $(VENV)/.test-installed
	$(BIN)/ruff format nlpkit tests benchmarks pipelines
	$(BIN)/ruff check --fix nlpkit tests benchmarks pipelines

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache runs
