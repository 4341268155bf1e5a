# Recommendation Tracker. `make run` to try it, `make test` for the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
NPM ?= npm
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Where `make run` tells the app it is served: the links of its emails, calendar feeds and API.
SITE_URL ?= http://$(HOST):$(PORT)
# The PostgreSQL leg of `make test`; pytest-django creates and drops test_<name> on this server.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tracker
# Both legs of `make test` cache in this Redis server (each run under keys of its own; the load test uses database 2).
TEST_CACHE_URL ?= redis://127.0.0.1:6379/1

DEV_ENV := DJANGO_DEBUG=true
# `make run` offers single sign-on through a local OpenID Connect provider (scripts/oidc_provider.mjs, npm's
# oidc-provider) on this port, configured as any provider is (README "Single sign-on"); demo use only.
IDP_PORT ?= 8090
DEMO_SSO := TRACKER_SSO_PROVIDERS=demo TRACKER_SSO_DEMO_NAME="Demo Police (local identity provider)" \
	TRACKER_SSO_DEMO_ISSUER=http://$(HOST):$(IDP_PORT) TRACKER_SSO_DEMO_CLIENT_ID=recommendation-tracker-demo \
	TRACKER_SSO_DEMO_CLIENT_SECRET=demo-only-client-secret TRACKER_SSO_DEMO_EMAIL_DOMAINS=demo.police.uk
DEMO_IDP_STATE := var/demo-identity-provider.json
SEEDS ?= ../shared/seeds

.PHONY: help install assets chromium postgresql-client postgresql redis-server services migrate load-fixtures fixtures import-report load-report demo clean-db run test test-sqlite test-postgres bench bench-scale loadtest mutation lint check-deploy clean

help:
	@echo "make run    install, migrate, load the shipped reports and the demo, serve on http://$(HOST):$(PORT)/"
	@echo "           (with single sign-on through a local identity provider on port $(IDP_PORT))"
	@echo "make import-report FILE=report.pdf PUBLISHED=YYYY-MM-DD   turn a report into fixtures/reports/<slug>.json"
	@echo "make load-report FIXTURE=fixtures/reports/<slug>.json    load it (safe to repeat)"
	@echo "make test   ruff, then the whole suite on SQLite, then on PostgreSQL ($(TEST_DATABASE_URL)), caching in Redis"
	@echo "make bench  time the main pages at national scale (100,000 actions) on SQLite and PostgreSQL"
	@echo "make bench-scale  every page at 10k, 100k and 1M actions, with how each grows (builds its data sets once)"
	@echo "make loadtest  two gunicorn hosts, one PostgreSQL, one Redis, 20 clients for 60 s, with faults; nothing may be lost"
	@echo "make mutation  mutation testing of the rule modules (mutmut); writes bench/mutation.json"
	@echo "make lint   ruff"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=/path/to/python3.11" >&2; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# GOV.UK Frontend and the app's styles, built from the npm packages into static/dist/.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v $(NPM) >/dev/null || { echo "error: npm not found; install Node.js 20 (Debian: apt-get install nodejs npm)" >&2; exit 1; }
	$(NPM) ci --no-audit --no-fund
	@touch $@

assets: node_modules/.package-lock.json
	$(NPM) run --silent build

# The browser tests drive Debian's Chromium; nothing downloads a browser of its own.
CHROMIUM := /usr/bin/chromium
chromium:
	@test -x $(CHROMIUM) || { \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@test -x $(CHROMIUM) || { echo "error: $(CHROMIUM) is still missing; install Debian's chromium" >&2; exit 1; }

# The PostgreSQL leg backs up and restores with pg_dump and pg_restore (tests/test_backup_restore.py).
postgresql-client:
	@command -v pg_dump >/dev/null && command -v pg_restore >/dev/null || { \
		echo "Installing Debian's postgresql-client for the PostgreSQL leg's backup test"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql-client >/dev/null; }
	@command -v pg_dump >/dev/null && command -v pg_restore >/dev/null || { \
		echo "error: pg_dump or pg_restore is still missing; install Debian's postgresql-client" >&2; exit 1; }

# The servers the tests and the load test talk to, from Debian's packages: installed, started and waited for when they
# do not answer on this machine (scripts/services.sh); one that still does not, or one elsewhere, fails the run.
postgresql:
	@scripts/services.sh "$(TEST_DATABASE_URL)"

redis-server:
	@scripts/services.sh "$(TEST_CACHE_URL)"

services: postgresql redis-server

migrate: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput

load-fixtures: migrate
	$(DEV_ENV) $(PY) manage.py loaddata fixtures/forces.json
	$(DEV_ENV) $(PY) manage.py load_reports

# Regenerate the shipped report fixtures from the seed reports (see fixtures/report-sources.json).
fixtures: install
	$(PY) scripts/make_report_fixtures.py $(SEEDS)

# Import a report on a development checkout (after `make run`'s set-up): README's "Importing a report".
import-report:
	@test -n "$(FILE)" || { echo "usage: make import-report FILE=report.pdf [PUBLISHED=2016-03-10] [FORCE=west-midlands]" >&2; exit 2; }
	@test -x $(PY) || { echo "error: no $(PY): run make install (or make run) first" >&2; exit 1; }
	@$(DEV_ENV) $(PY) manage.py report_to_fixture "$(FILE)" $(if $(PUBLISHED),--published "$(PUBLISHED)") $(if $(FORCE),--force "$(FORCE)")

load-report:
	@test -n "$(FIXTURE)" || { echo "usage: make load-report FIXTURE=fixtures/reports/<slug>.json" >&2; exit 2; }
	@test -x $(PY) || { echo "error: no $(PY): run make install (or make run) first" >&2; exit 1; }
	@$(DEV_ENV) $(PY) manage.py load_reports $(FIXTURE)

# The shipped reports brought to life up to today (owners, progress, reviews, a round under way) and the demo
# log-ins; a database that already holds the demo, or anyone's changes, is kept as it is.
demo: load-fixtures
	$(DEV_ENV) $(PY) manage.py build_demo

run: assets demo
	@$(DEV_ENV) $(DEMO_SSO) $(PY) manage.py demo_identity_provider $(DEMO_IDP_STATE) \
		--redirect-uri $(SITE_URL)/accounts/sso/demo/callback/
	@echo ""
	@echo "Recommendation Tracker: http://$(HOST):$(PORT)/  (sign in with a demo log-in above; Ctrl-C to stop)"
	@node scripts/oidc_provider.mjs $(DEMO_IDP_STATE) > var/demo-identity-provider.log 2>&1 & idp=$$!; \
		trap 'kill $$idp 2>/dev/null' EXIT; \
		$(DEV_ENV) $(DEMO_SSO) SITE_URL=$(SITE_URL) $(PY) manage.py runserver $(HOST):$(PORT)

# Lint first: a finding fails `make test` before a test runs.
test: lint test-sqlite test-postgres

test-sqlite: install assets chromium redis-server
	CACHE_URL="$(TEST_CACHE_URL)" $(PY) -m pytest

test-postgres: install assets chromium postgresql postgresql-client redis-server
	@$(PY) scripts/require_postgres.py "$(TEST_DATABASE_URL)"
	DATABASE_URL="$(TEST_DATABASE_URL)" CACHE_URL="$(TEST_CACHE_URL)" $(PY) -m pytest

# Not part of `make test`: timings, not assertions. Builds its data set on first use (BENCH_ACTIONS=100000).
bench: install
	$(PY) -m bench.run

# Not part of `make test` or `make bench`: every page at 10k, 100k and 1M actions (README "How cost grows"); builds
# and keeps a data set per size on first use (1M: about 6 GB on PostgreSQL, minutes to build).
bench-scale: install
	$(PY) -m bench.scale

# Bounded (20 clients × 60 s on 127.0.0.1), on a PostgreSQL server and a tmpfs evidence store of its own (it
# stops the one and fills the other) and Redis database 2; writes bench/loadtest.json.
loadtest: install services
	$(PY) bench/loadtest.py

# Not part of `make test`: mutmut against the non-browser suite; exits 1 below 95% killed (README "Mutation testing").
# SURVIVORS=path also writes the mutants not killed there, one diff each.
mutation: install assets
	$(PY) scripts/mutation.py $(if $(SURVIVORS),--survivors "$(SURVIVORS)")

lint: install
	$(VENV)/bin/ruff check .

check-deploy: install
	DJANGO_SECRET_KEY=check-only-$$RANDOM$$RANDOM$$RANDOM$$RANDOM$$RANDOM-key-that-is-long-enough DJANGO_ALLOWED_HOSTS=tracker.example.org \
		SITE_URL=https://tracker.example.org $(PY) manage.py check --deploy --fail-level WARNING

# Start the development database afresh (the next `make run` builds the demo again, relative to that day).
clean-db:
	rm -f db.sqlite3

clean:
	rm -rf $(VENV) node_modules static/dist var db.sqlite3
