# Akutindblik — the two commands: `make run` and `make test`. Both set up what they need, and are quick
# and quiet the second time.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.requirements-installed
DB     ?= data/generated/akutindblik.duckdb
DEMO_SCALE ?= 1
PORT   ?= 8501

.PHONY: run test setup demo clean-db help

help:
	@echo "make run   - set up, build the demo database if missing, open the dashboard"
	@echo "make test  - set up and run every test"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV). On Debian: apt-get install -y python3-venv"; exit 1; }

$(STAMP): requirements.txt | $(BIN)/python
	@echo "Installing pinned requirements into $(VENV) …"
	@$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP)

$(DB): | $(STAMP)
	@echo "Building the demo database $(DB) (scale $(DEMO_SCALE)) …"
	@$(BIN)/python -m analysis demo --db $(DB) --scale $(DEMO_SCALE)

demo: $(DB)

run: setup $(DB)
	@AKUTINDBLIK_DB=$(DB) OPENBLAS_NUM_THREADS=1 $(BIN)/python -m streamlit run app.py --server.port $(PORT)

test: setup
	@OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -q

clean-db:
	rm -f $(DB) $(DB).lock
