# The course's two commands:
#   make lab   set up .venv from nothing (if needed) and open JupyterLab on lesson 01
#   make test  set up .venv from nothing (if needed) and run every test
# Installation is skipped when the pins (pyproject.toml, constraints.txt) have not changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PINS_HASH := $(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
STAMP  := $(VENV)/.installed-$(PINS_HASH)
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PORT   ?= 8888
JOBS   ?= 2

.PHONY: setup lab test exercises check-exercises execute bench lint clean \
	browser-test instructor readme fuzz

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
	@rm -f $(VENV)/.installed-*
	@touch $@

lab: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) --port=$(PORT) --ServerApp.root_dir=. \
		--LabApp.default_url=/lab/tree/notebooks/01_definitions.ipynb

# No MPLBACKEND here: the kernels nbval starts must use the inline backend that produced the
# stored figures (tests that draw pick Agg themselves).
test: setup
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope \
		--nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg \
		tests notebooks solutions

exercises: setup
	$(BIN)/python -m lessons.build exercises

check-exercises: setup
	$(BIN)/python -m lessons.build exercises --check

execute: setup
	$(BIN)/python -m lessons.build execute
	$(BIN)/python -m lessons.build exercises

bench: setup
	$(BIN)/python benchmarks/run.py

# JupyterLab in headless Chromium (apt-get install chromium chromium-driver); screenshots and
# latencies in artifacts/browser/. `make test` runs it too, when Chromium is there.
browser-test: setup
	$(BIN)/python -m pytest tests/browser

# An nbgrader course directory from solutions/: make instructor COURSE=../grading [ARGS=--release]
instructor: setup
	$(if $(COURSE),,$(error usage: make instructor COURSE=path/to/course [ARGS="--release"]))
	$(BIN)/python -m lessons.instructor $(COURSE) $(ARGS)

# Rewrite the README's notebook table (titles, descriptions, Binder badges) from the notebooks.
readme: setup
	$(BIN)/python -m lessons.readme

lint: setup
	$(BIN)/ruff check lessons tests benchmarks

clean:
	rm -rf $(VENV)

# Fuzz every checker kind with many examples (hypothesis; figures per checker kind at the end).
# `make test` runs a small derandomised slice of the same suite.
FUZZ_EXAMPLES ?= 800
fuzz: setup
	LESSONS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -p no:xdist -q tests/fuzz
