# Two commands do all set-up (see README):  make run  |  make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# stamps: reinstall only when pyproject.toml changes
$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml $(VENV)/.run-deps
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# this machine only by default; a classroom on the local network: make run ADDRESS=0.0.0.0
ADDRESS ?= 127.0.0.1
# while editing the code: make run WATCH=auto (reruns on save; .streamlit/config.toml says why none)
WATCH ?= none
run: $(VENV)/.run-deps
	$(BIN)/streamlit run app.py --server.address $(ADDRESS) --server.fileWatcherType $(WATCH) --browser.gatherUsageStats false

# the linter first: it takes a second, the tests minutes
test: $(VENV)/.test-deps
	scripts/ensure-chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# benchmarks/app_speed.py drives Chromium through Playwright (a test dependency). Every
# benchmark runs; those that missed a target (exit 3) are named at the end, and only a
# failure (any other non-zero exit) fails the command.
bench: $(VENV)/.test-deps
	scripts/ensure-chromium
	@failed=""; missed=""; for script in benchmarks/[!_]*.py; do \
	  echo "== $$script"; $(BIN)/python $$script; rc=$$?; \
	  if [ $$rc -eq 3 ]; then missed="$$missed $$script"; \
	  elif [ $$rc -ne 0 ]; then failed="$$failed $$script"; fi; \
	done; \
	if [ -n "$$missed" ]; then echo "ran, and missed a target (MISSES above; README says why):$$missed"; fi; \
	if [ -n "$$failed" ]; then echo "failed:$$failed"; exit 1; fi

clean:
	rm -rf $(VENV) artifacts .pytest_cache .hypothesis
