# Arrears — the two commands a newcomer needs are `make demo` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
LOCALES := src/arrears/locale
PO      := $(wildcard $(LOCALES)/*/LC_MESSAGES/django.po)
MO      := $(PO:.po=.mo)
BORROWERS ?= 2000
DAYS    ?= 90
SEED    ?= 42

.PHONY: demo test test-sqlite test-postgres lint fmt messages compile-messages install clean bench

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) compile-messages

# Compile gettext catalogues with Babel (pure Python: no system gettext needed).
compile-messages: $(STAMP) $(MO)
$(LOCALES)/%/LC_MESSAGES/django.mo: $(LOCALES)/%/LC_MESSAGES/django.po
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

# Re-extract translatable strings (needs GNU gettext's xgettext), then edit the .po files.
messages: $(STAMP)
	cd src/arrears && ../../$(BIN)/django-admin makemessages -l zh_Hans -l en --no-obsolete --settings=arrears.config.settings.test --pythonpath=..

demo: install
	$(BIN)/arrears demo --borrowers $(BORROWERS) --days $(DAYS) --seed $(SEED)

test: install
	$(BIN)/pytest -q -n 2 --dist loadfile --ds=arrears.config.settings.test

test-sqlite: test

test-postgres: install
	ARREARS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(BIN)/pytest -q -n 2 --dist loadfile --ds=arrears.config.settings.test

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy src
	DJANGO_SETTINGS_MODULE=arrears.config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

fmt: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

clean:
	rm -rf $(VENV) arrears.sqlite3* staticfiles .pytest_cache .mypy_cache .ruff_cache
