# Pillars: `make run` opens the app on demo data; `make test` runs the whole suite offscreen.
# Both create .venv and install when it is missing or pyproject.toml changed, and not otherwise.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The suite runs on every core (pytest-xdist), a whole file to a worker so that a module's shared
# fixtures (the county demo, a throwaway server) are made once; modules that make PostgreSQL roles
# take turns through a lock (tests/conftest.py, server_roles). A worker that crashes is not
# replaced: the run ends with the test it crashed on named as failed (with --dist loadfile, xdist
# 3.8 can wait for ever on a replacement worker: pytest-xdist issues #784, #1378). A test that
# hangs ends its worker the same way (faulthandler_timeout in pyproject.toml).
# `make test PYTEST_ARGS=...` replaces these.
PYTEST_ARGS ?= -n auto --dist loadfile --max-worker-restart 0

# Qt's system libraries: the shared object PySide6 loads, and the Debian package that has it.
QT_LIBS := libglib-2.0.so.0:libglib2.0-0 libEGL.so.1:libegl1 libGL.so.1:libgl1 \
           libX11.so.6:libx11-6 libdbus-1.so.3:libdbus-1-3 libfontconfig.so.1:libfontconfig1 \
           libfreetype.so.6:libfreetype6 libxkbcommon.so.0:libxkbcommon0

.PHONY: run test bench lint qt-libs clean

run: $(STAMP) qt-libs
	$(VENV)/bin/pillars gui

test: $(STAMP) qt-libs
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff check db desktop ui tests
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP) qt-libs
	QT_QPA_PLATFORM=offscreen $(PY) -m tests.perf $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check db desktop ui tests
	$(VENV)/bin/ruff format --check db desktop ui tests
	$(VENV)/bin/mypy

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

# Say which of Qt's libraries are missing and how to install them, instead of a linker error.
qt-libs:
	@missing=""; \
	for pair in $(QT_LIBS); do \
	  lib=$${pair%%:*}; pkg=$${pair##*:}; \
	  ldconfig -p 2>/dev/null | grep -q "$$lib" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Pillars needs Qt's system libraries, and these are missing:$$missing"; \
	  echo "Install them with:"; \
	  echo "  sudo apt-get install -y$$missing"; \
	  exit 1; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .bench bench-results.json
