# KernelPerf: every target installs what it needs itself, so a fresh machine needs only `make`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KP := $(BIN)/kernelperf
DEMO_OUT ?= out/demo

.PHONY: help install demo test test-fast lint schemas bench engine browser screenshot clean gpu-check

help:
	@echo "make demo    run the quick profile natively on CPU, validate it and rank it"
	@echo "make test    lint, type-check and run every test (starts Docker when needed)"
	@echo "make bench   print harness overhead ratios measured side by side"
	@echo "make lint    ruff, ruff format --check, mypy, import-linter, schema staleness"
	@echo "make schemas export the JSON Schema files from the pydantic models"
	@echo "make gpu-check  the 10-minute first GPU run: out/gpu-check/REPORT.md (docs/GPU_CHECK.md)"
	@echo "make clean   remove the virtual environment and outputs"

# torch==2.13.0 first: on CPU machines that takes the wheel on disk instead of a CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[harness,audit,dev,publisher]'
	touch $@

install: $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO_OUT)
	$(KP) run --suite all --profile quick --out $(DEMO_OUT)
	$(BIN)/mpiexec -n 2 $(KP) run --suite allreduce --profile quick --out $(DEMO_OUT)
	$(KP) validate $(DEMO_OUT)
	$(KP) leaderboard $(DEMO_OUT)

schemas: $(STAMP)
	$(BIN)/python -m schemas.export

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m schemas.export --check

# A Docker engine for the container tests: installed and started only when none answers.
engine:
	@bash containers/engine.sh

# Debian's Chromium for the leaderboard's browser tests, installed only when missing.
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# The Slurm tests (marker `slurm`) start their own cluster of containers on that engine, once per
# session (`kernelperf cluster up --engine slurm`), and remove it afterwards.
test: $(STAMP) lint engine browser
	$(BIN)/pytest -q

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not docker and not slurm and not browser"

bench: $(STAMP)
	$(BIN)/python -m tests.bench $(SECTIONS)

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# docs/leaderboard.png: the reference round's index page, taken the way the browser test opens it.
screenshot: $(STAMP) browser
	$(BIN)/python -m tests.tools.screenshot

# The first GPU run, at most 10 minutes on one GPU; without a GPU it writes a REPORT.md saying so.
GPU_CHECK_OUT ?= out/gpu-check
gpu-check: $(STAMP)
	$(BIN)/python -m tests.tools.gpu_check --out $(GPU_CHECK_OUT) $(GPU_CHECK_FLAGS)
