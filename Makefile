# Duizhao: `make run` to read, `make test` to check. Every target works from a clean clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# Debian packages the browser tests need (headless Chromium and CJK fonts for screenshots).
BROWSER_PACKAGES := chromium chromium-driver fonts-noto-cjk

.PHONY: setup run dev test bench screenshots browser-deps clean help

help:
	@echo "make run    install, migrate, ingest, index, and serve at http://127.0.0.1:$(PORT)/ (gunicorn)"
	@echo "make dev    the same with Django's runserver and DEBUG on"
	@echo "make bench  benchmarks (throwaway database and index)"
	@echo "make setup  everything but serving"
	@echo "make test   the whole test suite (installs Chromium for the browser tests)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when requirements.txt changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.installed
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py ingest

# A local secret key, made once, never committed (var/ is ignored).
var/secret_key: | $(BIN)/python
	mkdir -p var
	umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# `make run` serves the way production does: gunicorn, production settings, hashed and
# compressed static files through whitenoise; plain HTTP on 127.0.0.1 (no HTTPS redirect).
PRODUCTION_ENV = DJANGO_SETTINGS_MODULE=config.settings.production \
	DJANGO_SECRET_KEY="$$(cat var/secret_key)" ALLOWED_HOSTS=127.0.0.1,localhost \
	DJANGO_SECURE_SSL_REDIRECT=0

run: setup var/secret_key
	$(PRODUCTION_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	@echo "Serving http://127.0.0.1:$(PORT)/ with gunicorn (Ctrl-C to stop)"
	$(PRODUCTION_ENV) PORT=$(PORT) $(BIN)/gunicorn -c config/gunicorn.py config.wsgi

# Development: Django's runserver with DEBUG on and auto-reload.
dev: setup
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Installs Chromium from Debian only if it is missing (needs root and apt, as on CI).
browser-deps:
	@if command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; then \
		echo "Chromium and CJK fonts present."; \
	else \
		echo "Installing $(BROWSER_PACKAGES) …"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES); \
	fi

test: $(VENV)/.installed browser-deps
	$(BIN)/pytest

# The README's two screenshots (desktop and 375 px), taken by the browser tests' tooling.
screenshots: $(VENV)/.installed browser-deps
	mkdir -p docs/screenshots
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest -q tests/browser -k screenshot

clean:
	rm -rf var .pytest_cache

# Benchmarks run on a throwaway database and index, never on var/. wrk comes from Debian.
bench: $(VENV)/.installed var/secret_key
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	@tmp=$$(mktemp -d); \
	export DATABASE_URL=sqlite:///$$tmp/bench.sqlite3 SEARCH_INDEX_PATH=$$tmp/index DJANGO_SETTINGS_MODULE=config.settings.dev; \
	$(BIN)/python manage.py migrate -v0 --noinput && \
	$(BIN)/python manage.py bench_site && \
	$(BIN)/python manage.py bench_search; \
	status=$$?; rm -rf $$tmp; exit $$status
