# Two commands matter: `make run` and `make test`. Both create .venv,
# install the project and the system pieces PDF reports need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 poppler-utils
# The browser tests (tests/browser) drive Debian's chromium with Playwright.
TEST_SYSTEM_PACKAGES := chromium
PG_URL ?= $(or $(TEST_POSTGRES_URL),postgres://postgres@127.0.0.1:5432/test)
HOST ?= 127.0.0.1
PORT ?= 8000
# Two workers: the test machines have two cores.
PYTEST_WORKERS ?= 2

.PHONY: run test test-sqlite test-postgres bench lint system install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP) system

# Installs missing Debian packages when root, otherwise prints the command.
system:
	@if ! command -v dpkg >/dev/null 2>&1; then \
		echo "note: not a Debian system; install CJK fonts, libharfbuzz-subset and poppler yourself"; \
		exit 0; \
	fi; \
	missing=""; \
	for pkg in $(SYSTEM_PACKAGES) $(EXTRA_PACKAGES); do \
		dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "installing system packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else \
			echo "missing system packages; run:  sudo apt-get install -y$$missing"; \
		fi; \
	fi

run: install
	$(BIN)/appraisal migrate
	$(BIN)/appraisal demo --if-empty
	@echo "serving on http://$(HOST):$(PORT)  (API docs: http://$(HOST):$(PORT)/schema)"
	$(BIN)/appraisal serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check appraisal tests
	$(BIN)/lint-imports

test: EXTRA_PACKAGES = $(TEST_SYSTEM_PACKAGES)
test: install lint test-sqlite test-postgres

test-sqlite: $(STAMP)
	APPRAISAL_TEST_DB=sqlite $(BIN)/pytest -n $(PYTEST_WORKERS) -q

# PostgreSQL runs when TEST_POSTGRES_URL is set or a server answers on 127.0.0.1:5432;
# every run makes (and drops) its own schema inside the database.
test-postgres: $(STAMP)
	@if [ -n "$(TEST_POSTGRES_URL)" ] || $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
		echo "== PostgreSQL: $(PG_URL)"; \
		APPRAISAL_TEST_DB=postgres TEST_POSTGRES_URL="$(PG_URL)" $(BIN)/pytest -n $(PYTEST_WORKERS) -q; \
	else \
		echo "== PostgreSQL not reachable on 127.0.0.1:5432 and TEST_POSTGRES_URL unset: skipped"; \
	fi

# The write benchmark drives the server with wrk (C: light on the CPU it measures).
bench: EXTRA_PACKAGES = wrk
bench: install
	$(BIN)/python -m tests.benchmarks
