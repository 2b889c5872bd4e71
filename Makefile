# Set-up and the two jobs of the README. Each target creates .venv itself.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
# torch comes first and pinned: a plain `torch` requirement pulls a multi-GB CUDA build.
TORCH  := torch==2.13.0
DEMO_EXTRAS := models,transformers,retrieval,llm,viz
TEST_EXTRAS := models,transformers,retrieval,llm,spacy-llm,dask,viz,dev
# llama.cpp's default build uses every instruction the build machine reports; on a VM
# that reports AMX without enabling it, prompt processing dies with SIGILL. Build once
# for AVX2 (any x86-64 of the last decade), bypassing pip's wheel cache, which may hold
# a native build from another machine.
LLAMA  := llama-cpp-python==0.3.36
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

.PHONY: demo test lint format clean bench-quick bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip wheel setuptools

$(VENV)/.llama-portable: $(BIN)/python
	CMAKE_ARGS="$(LLAMA_CMAKE)" $(BIN)/pip install -q --no-cache-dir --no-binary llama-cpp-python "$(LLAMA)"
	touch $@

$(VENV)/.demo-installed: $(BIN)/python $(VENV)/.llama-portable setup.cfg pyproject.toml
	$(BIN)/pip install -q "$(TORCH)"
	$(BIN)/pip install -q -e ".[$(DEMO_EXTRAS)]"
	touch $@

$(VENV)/.test-installed: $(BIN)/python $(VENV)/.llama-portable setup.cfg pyproject.toml
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

# Benchmarks: every declared experiment, results into benchmarks/results/ and the
# tables of benchmarks/README.md re-rendered from them. Run on an idle machine.
# bench-quick: a budget of 15 minutes on 2 cores; bench: about 5 hours (an estimate,
# see benchmarks/README.md). Each ends with a table of every experiment's seconds.
bench-quick: $(VENV)/.test-installed
	$(BIN)/python -m benchmarks.run --size quick

bench: $(VENV)/.test-installed
	$(BIN)/python -m benchmarks.run --size full

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache runs
