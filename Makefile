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

.PHONY: assets browser demo test test-sqlite test-postgres lint fmt messages compile-messages install clean bench

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) compile-messages assets

# Front-end packages come from npm (package.json, package-lock.json) and are copied into the
# static folder the consoles serve; nothing from node_modules is ever committed.
VENDOR := src/arrears/static_build/vendor
ASSETS_STAMP := $(VENDOR)/.built
assets: $(ASSETS_STAMP)
$(ASSETS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/htmx-ext-sse/dist/sse.min.js $(VENDOR)/htmx-sse.min.js
	cp node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/pico.min.css
	cp node_modules/chart.js/dist/chart.umd.js $(VENDOR)/chart.umd.js
	touch $@

# Compile gettext catalogues with Babel (pure Python: no system gettext needed).
compile-messages: $(STAMP) $(MO)
$(LOCALES)/%/LC_MESSAGES/django.mo: $(LOCALES)/%/LC_MESSAGES/django.po
	$(BIN)/pybabel compile -i $< -o $@ >/dev/null

# Re-extract translatable strings (needs GNU gettext's xgettext), then edit the .po files.
messages: $(STAMP)
	cd src/arrears && ../../$(BIN)/django-admin makemessages -l zh_Hans -l en --no-obsolete --settings=arrears.config.settings.test --pythonpath=..

demo: install
	$(BIN)/arrears demo --borrowers $(BORROWERS) --days $(DAYS) --seed $(SEED)

# Debian's Chromium for the Playwright browser tests (tests/browser); installed when missing and
# this user may install packages, else those tests skip and say why.
# A CJK font too, or Chinese screenshots show empty boxes.
BROWSER_PACKAGES := chromium fonts-wqy-zenhei
browser:
	@{ command -v chromium >/dev/null 2>&1 && [ -d /usr/share/fonts/truetype/wqy ]; } || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null)) \
	  || echo "chromium or a CJK font is not installed: the browser tests may be skipped"; }

test: install browser
	$(BIN)/pytest -q -n 2 --dist loadfile --ds=arrears.config.settings.test

test-sqlite: test

test-postgres: install browser
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
	rm -rf $(VENV) node_modules src/arrears/static_build arrears.sqlite3* staticfiles .pytest_cache .mypy_cache .ruff_cache
