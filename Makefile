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
	browser-test instructor readme site a11y-deps

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

# The course website, from the notebooks' stored outputs (nothing executed), into _site/; every
# internal link and anchor is checked. Its tools are pinned in site/requirements.txt.
SITE_STAMP := $(VENV)/.site-$(shell cat site/requirements.txt constraints.txt | sha256sum | cut -c1-16)
$(SITE_STAMP): $(STAMP) site/requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c constraints.txt -r site/requirements.txt
	@rm -f $(VENV)/.site-*
	@touch $@

site: setup $(SITE_STAMP)
	$(BIN)/python site/readme_link.py
	$(BIN)/python site/build.py

# axe-core (npm) for the accessibility tests in tests/a11y and tests/site, into .a11y/
AXE_VERSION := 4.14.1
a11y-deps:
	@test -f .a11y/node_modules/axe-core/package.json \
		&& grep -q '"version": "$(AXE_VERSION)"' .a11y/node_modules/axe-core/package.json \
		|| npm install --prefix .a11y --no-audit --no-fund --silent axe-core@$(AXE_VERSION)
