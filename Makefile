# The course's two commands:
#   make lab   set up .venv from nothing (if needed) and open JupyterLab on lesson 01
#   make test  set up .venv from nothing (if needed) and run every test
# Installation is skipped when the pins (pyproject.toml, constraints.txt) have not changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PINS_HASH := $(shell cat pyproject.toml constraints.txt | grep -v '^\s*\#' | sha256sum | cut -c1-16)
STAMP  := $(VENV)/.installed-$(PINS_HASH)
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PORT   ?= 8888
JOBS   ?= 2

.PHONY: setup lab test exercises check-exercises execute bench lint clean \
	browser-test instructor readme binder-env install-test hub-test

setup: $(STAMP)

# The exact versions come from the lock, constraints.txt; pyproject.toml states the ranges.
# tools/setup_progress.py prints a line per package and the elapsed time while pip unpacks.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || { echo "setup: creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@$(BIN)/python tools/setup_progress.py --lock constraints.txt -- \
		-c constraints.txt -e ".[lab,test]"
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

# Binder's environment.yml from the lock (tests/test_environment.py fails when it drifts).
binder-env: setup
	$(BIN)/python -m lessons.binder

# Install the course WITHOUT the lock into fresh venvs and run unit tests + notebooks 01 and 04
# there: Python 3.12 with other in-range versions of numpy, matplotlib, sympy, ipywidgets, then
# Python 3.13 with the lock (3.11 is the main environment); INSTALL_OLD, INSTALL_NEW pick others.
INSTALL_OLD ?= python3.12
INSTALL_NEW ?= python3.13
install-test:
	nice $(PYTHON) tests/install/check_install.py --python $(INSTALL_OLD) \
		--pin numpy==2.2.6 --pin matplotlib==3.9.4 --pin sympy==1.13.3 --pin ipywidgets==8.1.5
	nice $(PYTHON) tests/install/check_install.py --python $(INSTALL_NEW) --lock

# A real JupyterHub on localhost (its own .venv-hub, configurable-http-proxy from npm in
# .hub-node/), two students in Chromium: nbgitpuller, answers kept across an update, and the
# nbgrader exchange. Timings are printed and written to artifacts/hub/timings.json.
hub-test: setup
	$(BIN)/python tests/hub/install.py
	LESSONS_HUB_TEST=1 $(BIN)/python -m pytest -p no:xdist -s tests/hub

lint: setup
	$(BIN)/ruff check lessons tests benchmarks

clean:
	rm -rf $(VENV)
