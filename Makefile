# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.nnlab-installed
# The CPU wheel of torch lies on disk; pin it so pip never pulls a multi-GB CUDA build.
TORCH  := torch==2.13.0
WHEELS := /opt/wheels
OUT    ?= results

.PHONY: setup run test lint docs bench bench-full bench-widget bench-seed bench-engines bench-matmul bench-sweep bench-playground bench-precision clean

setup: $(STAMP)

# Re-install only when the package metadata changes; a second `make setup` is a no-op.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --find-links $(WHEELS) '$(TORCH)'
	$(PY) -m pip install --quiet --disable-pip-version-check --find-links $(WHEELS) -e '.[dev,ray,notebook,docs]'
	# compile the fast engine's kernels once (about 20 s); later processes load them from the disk cache
	$(PY) -c "from nnlab.training.engines.fast_fit import load_kernels; load_kernels()"
	$(PY) -c "from nnlab.playground.session import Session; Session().train_for(0.01)"
	$(PY) -c "import numpy as np; from nnlab.scratch.matmul import matmul; a = np.ones((4, 4), np.float32); [matmul(a, a, v) for v in ('numba-ijk', 'numba-ikj', 'numba-tiled')]"
	touch $(STAMP)

run: setup
	$(VENV)/bin/nnlab tour --out $(OUT)/

test: setup
	$(PY) -m pytest -q

# Lint and import order (ruff, configured in pyproject.toml) and type checks of the core (mypy).
lint: setup
	$(PY) -m ruff check src tests benchmarks docs
	$(PY) -m mypy

# The documentation site into site/: every lab page is made anew from a quick run of the lab (about 2 minutes).
docs: setup
	rm -rf docs/labs/*/ site
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

# The seed's own program in C++ against libtorch, built beside the venv when g++ and shared/ are there.
SEED_CPP := $(VENV)/seed_mlp
ANCHOR   := ../shared/anchors/seed_mlp/build.sh

# All benchmarks; each also runs alone.
bench: bench-seed bench-engines bench-matmul bench-sweep bench-playground bench-precision bench-widget

# Every lab in full mode with its claims checked (about 17 minutes); the lab numbers in the docs come from it.
bench-full: setup
	$(PY) benchmarks/full_runs.py

bench-widget: setup
	$(PY) benchmarks/widget.py

bench-precision: setup
	$(PY) benchmarks/precision.py

bench-playground: setup
	$(PY) benchmarks/playground.py

bench-sweep: setup
	$(PY) benchmarks/sweep.py

bench-matmul: setup
	$(PY) benchmarks/matmul.py

bench-engines: setup
	$(PY) benchmarks/engines.py

bench-seed: setup
	@if [ -f $(ANCHOR) ] && command -v g++ >/dev/null && [ ! -x $(SEED_CPP) ]; then \
	  PYTHON=$(PY) bash $(ANCHOR) $(SEED_CPP) || echo "C++ build failed; benchmarking the Python variants only"; fi
	$(PY) benchmarks/seed_mlp.py $$( [ -x $(SEED_CPP) ] && echo --cpp $(SEED_CPP) )

clean:
	rm -rf $(VENV) results build site docs/labs/*/ src/*.egg-info .pytest_cache
