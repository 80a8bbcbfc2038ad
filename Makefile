# Every target bootstraps .venv from pyproject.toml when it is missing or stale.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-pg lint format bench i18n i18n-extract clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Compiled catalogs are build output: made from locales/*/LC_MESSAGES/messages.po.
i18n: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d locales -D messages --statistics 2>&1 | grep -v '^compiling' || true

# Re-extract messages.pot from the code and merge it into the vi and en catalogs.
i18n-extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ -k t -k ngettext:1,2 --no-location --sort-output --no-wrap -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete --no-wrap
	# Timestamps in the headers only cause merge conflicts.
	sed -i '/^"POT-Creation-Date:/d; /^"PO-Revision-Date:/d' locales/messages.pot locales/*/LC_MESSAGES/messages.po

run: i18n
	$(BIN)/taskbot run

test: i18n
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: i18n
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) taskbot.db locales/*/LC_MESSAGES/*.mo
