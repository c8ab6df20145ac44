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

.PHONY: setup lab test exercises check-exercises execute bench lint mutate clean browser-test \
	instructor readme fuzz binder-env install-test hub-test site a11y-deps

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
		--ServerApp.contents_manager_class=lessons.labserver.CourseContentsManager \
		--LabApp.default_url=/lab/tree/notebooks/01_definitions.ipynb

# No MPLBACKEND here: the kernels nbval starts must use the inline backend that produced the
# stored figures (tests that draw pick Agg themselves).
test: setup site
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope \
		--nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg \
		tests notebooks solutions

exercises: setup
	$(BIN)/python -m lessons.build exercises $(ARGS)

check-exercises: setup
	$(BIN)/python -m lessons.build exercises --check

execute: setup
	$(BIN)/python -m lessons.build execute
	$(BIN)/python -m lessons.build exercises

# Everything (course vs its kernel-start floor, large fits, latencies, browser); writes
# benchmarks/results.md and the README's table. `make bench ARGS=--course-only`: just the
# course against its floor, each notebook and the large fits, printed.
bench: setup
	$(BIN)/python benchmarks/run.py $(ARGS)

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

# The same ruff run as tests/test_lint.py (which checks that these paths agree with it).
lint: setup
	$(BIN)/ruff check --output-format concise --no-cache lessons tests benchmarks tools notebooks solutions

# Break the code on purpose, one mutation at a time (in a temporary copy), and count how many
# the tests catch: tools/mutate.py. `make mutate ARGS="-k fitting -v"` for a subset.
mutate: setup
	$(BIN)/python tools/mutate.py $(ARGS)

clean:
	rm -rf $(VENV)

# Fuzz every checker kind with many examples (hypothesis; figures per checker kind at the end).
# `make test` runs a small derandomised slice of the same suite.
FUZZ_EXAMPLES ?= 800
fuzz: setup
	LESSONS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -p no:xdist -q tests/fuzz

# The learner's commands (lessons/update.py, lessons/selfcheck.py; see the README).
.PHONY: update selfcheck
# Take the course's update (git pull) and keep every answer saved in exercises/.
update: setup
	$(BIN)/python -m lessons.update

# Grade exercise notebooks in a fresh kernel exactly as nbgrader autograde would:
#   make selfcheck [NB=exercises/02_gradients.ipynb]
NB ?= exercises/*.ipynb
selfcheck: setup
	$(BIN)/python -m lessons.selfcheck $(NB)

# Store the metadata JupyterLab writes on opening (the python3 kernel's language_info) in every
# notebook, without re-running them: an untouched notebook then opens unmodified.
.PHONY: normalise
normalise: setup
	$(BIN)/python -m lessons.build normalise

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
