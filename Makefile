# The two commands in the README do all set-up on a fresh machine: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
ASSETS := rhc_app/web/static/rhc.css rhc_app/web/static/govuk-frontend.min.js
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install install-runtime run test test-sqlite test-postgres lint bench clean assets lock

# Locked with hashes (requirements/*.txt, from pyproject.toml by `make lock`): pip refuses any
# file whose hash differs. The deployed environment (`make run`) gets the runtime set only;
# `make test`, `lint` and `bench` add the test and profiling tools.
$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.runtime: requirements/runtime.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/runtime.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.test: requirements/test.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet --require-hashes -r requirements/test.txt
	touch $@

install-runtime: $(VENV)/.runtime $(ASSETS)

install: $(VENV)/.test $(ASSETS)

# Re-lock after changing a dependency in pyproject.toml (pip-tools in a venv of its own).
lock:
	$(PY) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet pip-tools==7.6.2
	for set in runtime test; do \
	    .venv-lock/bin/pip-compile --quiet --allow-unsafe --generate-hashes --strip-extras \
	        --no-emit-index-url --no-emit-find-links $$([ $$set = test ] && echo --extra test) \
	        -o requirements/$$set.txt pyproject.toml || exit 1; \
	done

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts

$(ASSETS) assets: node_modules/.package-lock.json rhc_app/web/assets/scss/app.scss
	npx --no-install sass --quiet --no-source-map --style=compressed --load-path=node_modules \
	    rhc_app/web/assets/scss/app.scss rhc_app/web/static/rhc.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js rhc_app/web/static/

# The demo passwords are printed once the server answers, so they are the last thing on screen
# rather than scrolled away by gunicorn's start-up lines.
run: install-runtime
	@demo="$$($(BIN)/rhc init --demo)" || exit 1; \
	RHC_SESSION_COOKIE_SECURE=false $(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 \
	    'rhc_app.wsgi:app' & server=$$!; \
	trap 'kill $$server 2>/dev/null; wait $$server' INT TERM; \
	for _ in $$(seq 100); do \
	    $(BIN)/python -c "import urllib.request as u; u.urlopen('http://$(HOST):$(PORT)/healthz', timeout=1)" \
	        2>/dev/null && break; \
	    kill -0 $$server 2>/dev/null || break; sleep 0.2; \
	done; \
	echo; echo "$$demo"; echo; echo "rhc_app is serving on http://$(HOST):$(PORT) (Ctrl-C to stop)"; \
	wait $$server

# Every test against SQLite, then again against a throwaway PostgreSQL server.
test: install
	$(BIN)/pytest -q -p no:cacheprovider
	$(BIN)/python -m tests.pgserver $(BIN)/pytest -q -p no:cacheprovider -m "not browser"

# ruff, import layers, module and function sizes, bandit (with its allow-list) and pip-audit;
# .ci/run calls it before `make test`.
lint: install
	$(BIN)/python -m tools.lint

bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .venv-lock node_modules rhc_app/web/static/rhc.css rhc_app/web/static/govuk-frontend.min.js
