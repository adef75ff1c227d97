# The two commands of the README: `make demo` and `make test`. Both create the virtual
# environment on first use. torch is installed first, pinned, so that pip takes the CPU build
# (on this project's machines it lies on disk; elsewhere set TORCH_INDEX, see README).
PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?=
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo offline-demo test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) '$(TORCH_SPEC)'
	$(BIN)/python -m pip install --quiet -e '.[dev,ct2,opencc,ray,embed]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/pipeline run configs/seed.yaml

offline-demo: install
	$(BIN)/pipeline run configs/offline-demo.yaml

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check pipeline tests

clean:
	rm -rf $(VENV) outputs/*/ .pytest_cache
