# Duizhao: `make run` to read, `make test` to check. Every target works from a clean clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# Debian packages the browser tests need (headless Chromium and CJK fonts for screenshots).
BROWSER_PACKAGES := chromium chromium-driver fonts-noto-cjk

.PHONY: setup run dev test test-postgres postgres-deps bench screenshots browser-deps axe-core clean help

help:
	@echo "make run    install, migrate, ingest, index, and serve at http://127.0.0.1:$(PORT)/ (gunicorn)"
	@echo "make dev    the same with Django's runserver and DEBUG on"
	@echo "make bench  benchmarks (throwaway database and index)"
	@echo "make setup  everything but serving"
	@echo "make test   the whole test suite (installs Chromium for the browser tests)"
	@echo "make test-postgres  the suite but the browser tests on a throwaway PostgreSQL cluster"

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

# axe-core for the browser tests' accessibility audit, from the npm registry into the venv (never
# into the repo); installed once per version. npm comes from Debian if it is missing (needs root
# and apt, as on CI); where it cannot be had, this is an error, not a skipped audit.
AXE_CORE_VERSION := 4.14.1
AXE_CORE_DIR     := $(VENV)/axe-core-$(AXE_CORE_VERSION)
AXE_CORE_JS      := $(AXE_CORE_DIR)/node_modules/axe-core/axe.min.js

$(AXE_CORE_JS):
	@command -v npm >/dev/null 2>&1 || { echo "Installing npm …"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; } || true
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: the accessibility audit needs axe-core \
	from the npm registry. Install Node.js and npm (Debian: apt-get install nodejs npm), then rerun."; exit 1; }
	npm install --prefix $(AXE_CORE_DIR) --no-save --no-audit --no-fund --loglevel=error axe-core@$(AXE_CORE_VERSION)
	test -f $@

axe-core: $(AXE_CORE_JS)

test: $(VENV)/.installed browser-deps $(AXE_CORE_JS)
	AXE_CORE_JS=$(CURDIR)/$(AXE_CORE_JS) $(BIN)/pytest

# Debian's PostgreSQL server, installed only if it is missing (needs root and apt, as on CI).
postgres-deps:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "PostgreSQL present."; \
	else \
		echo "Installing postgresql …"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	fi

# The suite but the browser tests, on PostgreSQL: a throwaway cluster in a temporary directory,
# listening only on a Unix socket there (no port to clash over), fsync off (it is thrown away).
# PostgreSQL refuses to run as root, so as root (CI) the cluster belongs to the postgres user.
# The site's role may create databases, as pytest-django needs for test_duizhao. The cluster is
# stopped and the directory removed whatever the outcome, Ctrl-C included.
# `make test-postgres POSTGRES_TESTS=tests/test_postgres.py` runs only those.
POSTGRES_TESTS ?= tests --ignore=tests/browser
test-postgres: $(VENV)/.installed postgres-deps
	@set -eu; started=$$(date +%s); \
	bindir=$$(dirname "$$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)"); \
	tmp=$$(mktemp -d /tmp/duizhao-pg.XXXXXX); \
	owner=""; if [ "$$(id -u)" = 0 ]; then chown postgres: "$$tmp"; owner="runuser -u postgres --"; fi; \
	cleanup() { $$owner "$$bindir/pg_ctl" -D "$$tmp/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$$tmp"; }; \
	trap cleanup EXIT; trap 'exit 130' INT TERM; \
	$$owner "$$bindir/initdb" -D "$$tmp/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null; \
	$$owner "$$bindir/pg_ctl" -D "$$tmp/data" -l "$$tmp/server.log" -w -s start \
		-o "-k $$tmp -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; \
	"$$bindir/psql" -h "$$tmp" -U postgres -d postgres -qX \
		-c "CREATE ROLE duizhao LOGIN CREATEDB" -c "CREATE DATABASE duizhao OWNER duizhao"; \
	echo "$$("$$bindir/postgres" --version), a throwaway cluster in $$tmp"; \
	export DATABASE_URL="postgres://duizhao@$$(echo "$$tmp" | sed 's|/|%2F|g')/duizhao"; \
	status=0; $(BIN)/pytest $(POSTGRES_TESTS) || status=$$?; \
	echo "test-postgres: pytest exited $$status after $$(( $$(date +%s) - started )) s"; \
	exit $$status

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
