# rnncast: every target bootstraps .venv itself.
#   make demo   the lecture's experiment on bundled data (runs/demo/)
#   make test   the test suite
#   make bench  the measurements in benchmarks/ (results go to BENCHMARKS.md by hand)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test bench lint clean

setup: $(STAMP)

# torch==2.13.0 first: it is the CPU build on this machine's disk; an unpinned torch would pull a CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install -q "torch==2.13.0"
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/rnncast demo

# One thread per process: the tests' models are tiny, and on 2 shared cores torch's and BLAS's
# thread pools fight each other (measured: up to 10x slower under load).
test: $(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/seed_task.py
	$(BIN)/python benchmarks/demo_walltime.py
	$(BIN)/python benchmarks/demo_seeds.py
	$(BIN)/python benchmarks/scratch_speed.py
	$(BIN)/python benchmarks/backtest.py
	OPENBLAS_NUM_THREADS=1 $(BIN)/python benchmarks/text_lm.py --torch-threads 1
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/stock_default.py
	$(BIN)/python benchmarks/memory.py --batch-size 256 --batches 40
	$(BIN)/python benchmarks/hostile_inputs.py
	@echo "competitions (M1, Tourism): pip install -e '.[bench]' && python benchmarks/competitions.py [--quick]"

clean:
	rm -rf $(VENV) runs build src/*.egg-info
