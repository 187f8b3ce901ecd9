# Praktika — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
INSTANCE := $(or $(INSTANCE_PATH),instance)
PYTEST_ARGS ?=
# pytest-xdist workers: one per core (`make test PYTEST_WORKERS=0` runs in one process).
PYTEST_WORKERS ?= auto

.PHONY: run test fuzz lint install install-dev translations check-system migrate demo worker bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

translations: $(BIN)/python
	$(BIN)/python scripts/i18n.py compile

check-system: $(BIN)/python
	$(BIN)/python scripts/check_system.py

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) seed-demo

$(INSTANCE)/.demo-loaded:
	$(MAKE) demo
	touch $@

# The worker (mail, reminders, waitlist expiry) runs beside the server and stops with it.
run: install check-system migrate $(INSTANCE)/.demo-loaded
	@$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port 5000

worker: install
	$(FLASK) worker

node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; \
	else echo "npm is missing (axe-core and calendar parsers for tests): apt-get install -y nodejs npm" >&2; fi

# Bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE), into a folder of
# its own: the suite starts many interpreters (workers, CLI and server subprocesses, the fresh-import check)
# that would otherwise each compile the app's sources again.
test: install-dev node_modules/.package-lock.json
	$(BIN)/python scripts/check_system.py --for-tests
	PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/.pycache $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The quality gate's fuzzers (tests/gate) with a larger budget than `make test` gives them.
FUZZ_EXAMPLES ?= 200
fuzz: install-dev
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/gate/test_fuzz.py tests/gate/test_fuzz_api.py $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check app tests bench scripts

bench: install-dev
	$(BIN)/python bench/event_list.py
	$(BIN)/python bench/registrations.py
	$(BIN)/python bench/feeds.py

clean:
	rm -rf $(VENV) .pytest_cache
