# Two commands on a fresh machine with only Python >= 3.10: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
NUM_PROC ?= 2

.PHONY: help demo test bench lint format clean loop

help:
	@echo "make demo   - create $(VENV), install codetune, build the bundled example into out/example"
	@echo "make test   - install the test extras and run the test suite"
	@echo "make bench  - build throughput benchmark (writes benchmarks/results/*.json)"
	@echo "make lint   - ruff check + format check"
	@echo "make loop   - build, train from scratch, evaluate, export to GGUF, serve, evaluate the GGUFs (CPU)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(PIP) -e .
	@touch $@

# llama-cpp-python compiles llama.cpp from its sdist (minutes); pip's wheel cache keeps the build, so a
# machine pays it once. Portable flags: a -march=native build crashed on q8_0 on this CPU (NOTES.md).
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

$(VENV)/.installed-test: $(VENV)/.installed
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) -e ".[test,dev]"
	@touch $@

demo: $(VENV)/.installed
	$(BIN)/codetune build --out out/example --num-proc $(NUM_PROC)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks.build_throughput
	$(BIN)/python -m benchmarks.dedup_throughput
	$(BIN)/python -m benchmarks.redaction
	$(BIN)/python -m benchmarks.secret_coverage
	$(BIN)/python -m benchmarks.train_throughput
	$(BIN)/python -m benchmarks.label_throughput
	$(BIN)/python -m benchmarks.local_inference
	$(BIN)/python -m benchmarks.sandbox_throughput
	$(BIN)/python -m benchmarks.eval_throughput
	$(BIN)/python -m benchmarks.learning

loop: $(VENV)/.installed-test
	BIN=$(BIN) bash examples/loop.sh

lint: $(VENV)/.installed-test
	$(BIN)/ruff check codetune dataset_scripts tests benchmarks recipes
	$(BIN)/ruff format --check codetune dataset_scripts tests benchmarks recipes

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix codetune dataset_scripts tests benchmarks recipes
	$(BIN)/ruff format codetune dataset_scripts tests benchmarks recipes

clean:
	rm -rf out .codetune-work out/.codetune-work
