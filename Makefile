# The two commands a newcomer needs: `make run` and `make test`.
# Each creates .venv, installs what it needs (system packages for Qt too, where apt-get exists),
# and then does its job. `make help` lists the rest.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help setup run demo test bench soak bundle system-deps clean

help:
	@echo "make run      open PetitionDesk (sets everything up first)"
	@echo "make demo     open PetitionDesk against the built-in simulator (no network needed)"
	@echo "make test     run the test suite (sets everything up first)"
	@echo "make bench    print the performance figures"
	@echo "make soak     faults, kill -9, hostile servers, bad files, a long-running window (~5 min; prints a table)"
	@echo "make bundle   build the PyInstaller one-folder app in dist/"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bundle]'
	touch $(STAMP)

setup: system-deps $(STAMP)

system-deps:
	@bash packaging/install-system-deps.sh

run: system-deps $(STAMP)
	$(BIN)/petitiondesk

demo: system-deps $(STAMP)
	$(BIN)/petitiondesk --demo

test: system-deps $(STAMP)
	$(BIN)/python -m pytest

bench: system-deps $(STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

soak: system-deps $(STAMP)
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

bundle: system-deps $(STAMP)
	BUNDLE_VENV=$(VENV) bash packaging/build-bundle.sh

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info
