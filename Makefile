# Two commands matter: `make run` and `make test`. Both set everything up first and are fast
# when nothing changed (stamp files in the virtual environments and models/).
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help setup index migrate run run-scaled nginx test lint validate rasa-test pytest bench chromium constraints clean

VENV        := .venv
RASA_VENV   := .venv-rasa
PY          := $(VENV)/bin/python
RASA        := PYTHONWARNINGS=ignore $(RASA_VENV)/bin/rasa  # its dependencies deprecate a lot, loudly
PYTHON311   ?= python3.11
PYTHON310   ?= $(shell scripts/find-python310.sh)
MODEL       := models/supportbot.tar.gz
BOT_SOURCES := config.yml $(shell find bot/domain bot/data -type f -name '*.yml' 2>/dev/null)
PIP_LOG     := var/pip.log

# Defaults for every process; override any of them in the environment (see README).
# dev: the placeholder secrets below are accepted. A deployment sets production (and real
# secrets); nothing starts without ENVIRONMENT (bridge/settings.py).
export ENVIRONMENT         ?= dev
export RASA_TOKEN          ?= dev-rasa-token
export ACTION_SERVER_TOKEN ?= dev-action-server-token
# Nothing in front of the bridge: believe no X-Forwarded-For (run-scaled.sh trusts its nginx).
export FORWARDED_ALLOW_IPS ?=
export RASA_PORT           ?= 5005
export RASA_MODEL          ?= $(MODEL)
export RASA_TRACKER_URL    ?= sqlite:///var/rasa_tracker.db
export ACTION_PORT         ?= 5055
export ACTION_ENDPOINT_URL ?= http://127.0.0.1:$(ACTION_PORT)/webhook
export BRIDGE_HOST         ?= 127.0.0.1
export BRIDGE_PORT         ?= 8000
export RASA_URL            ?= http://127.0.0.1:$(RASA_PORT)
export ACTION_SERVER_URL   ?= http://127.0.0.1:$(ACTION_PORT)
export PUBLIC_URL          ?= http://$(BRIDGE_HOST):$(BRIDGE_PORT)
export BRIDGE_URL          ?= http://$(BRIDGE_HOST):$(BRIDGE_PORT)
export DATABASE_URL        ?= sqlite+aiosqlite:///var/bridge.db
export RUN_DIR             ?= $(CURDIR)/var
export HF_HUB_OFFLINE      := 1
# Rasa would try to send usage data and crash reports to the internet: never.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

help:
	@echo "make run    set up, train, migrate, start Rasa + actions + bridge, print the URLs"
	@echo "make run-scaled  the same on PostgreSQL + Redis: nginx, 2 bridges, 2 Rasa processes"
	@echo "make test   set up, then validate, rasa test, ruff and the whole pytest suite"
	@echo "make bench  benchmarks (results in docs/benchmarks.md)"

var:
	@mkdir -p var

$(RASA_VENV)/.installed: requirements-rasa.txt constraints-rasa.txt | var
	@echo "==> creating $(RASA_VENV) (Python 3.10, Rasa 3.6; first time takes a few minutes)"
	@test -n "$(PYTHON310)" || exit 1
	@test -x $(RASA_VENV)/bin/python || $(PYTHON310) -m venv $(RASA_VENV)
	@$(RASA_VENV)/bin/pip install --quiet --upgrade pip setuptools wheel >>$(PIP_LOG) 2>&1
	@$(RASA_VENV)/bin/pip install --quiet -r requirements-rasa.txt -c constraints-rasa.txt >>$(PIP_LOG) 2>&1 \
		|| { tail -40 $(PIP_LOG); exit 1; }
	@touch $@

$(VENV)/.installed: pyproject.toml constraints.txt | var
	@echo "==> creating $(VENV) (Python 3.11, the project)"
	@test -x $(VENV)/bin/python || $(PYTHON311) -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --upgrade pip setuptools wheel >>$(PIP_LOG) 2>&1
	@$(VENV)/bin/pip install --quiet -e '.[dev]' -c constraints.txt >>$(PIP_LOG) 2>&1 \
		|| { tail -40 $(PIP_LOG); exit 1; }
	@touch $@

# Retrain only when the pipeline or the bot's domain/data changed.
$(MODEL): $(RASA_VENV)/.installed $(BOT_SOURCES)
	@echo "==> training the Rasa model"
	@$(RASA) train --config config.yml --domain bot/domain --data bot/data \
		--out models --fixed-model-name supportbot --quiet

migrate: $(VENV)/.installed
	@$(VENV)/bin/supportbot db upgrade

# Index the published articles (the database's; the Markdown files seed a new one) when an
# article, a language's model (KB_MODEL_EN, KB_MODEL_HU, ...) or an index option changed:
# `kb index` compares with the manifest and does nothing otherwise, and embeds only the
# changed articles and languages.
index: migrate
	@echo "==> indexing the knowledge base"
	@$(VENV)/bin/supportbot kb index

setup: $(RASA_VENV)/.installed $(VENV)/.installed $(MODEL) migrate index

# supervisord restarts a process that dies (Ctrl-C stops them all); deploy/supervisord.conf.
run: setup
	@$(VENV)/bin/supervisord -c deploy/supervisord.conf

# nginx in front of two bridges, two Rasa processes and the action server, on PostgreSQL and
# Redis (README "Running on several hosts"); scripts/run-scaled.sh has the settings.
run-scaled: setup nginx
	@scripts/run-scaled.sh

nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
		if [ "$$(id -u)" = 0 ]; then \
			echo "==> installing Debian's nginx for the scaled stack"; \
			apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
		else echo "nginx is missing: sudo apt-get install nginx"; exit 1; fi; }

validate: setup
	@echo "==> supportbot kb validate"
	@$(VENV)/bin/supportbot kb validate
	@echo "==> rasa data validate"
	@$(RASA) data validate --config config.yml --domain bot/domain --data bot/data --fail-on-warnings --quiet

rasa-test: setup
	@echo "==> rasa test (conversation stories in bot/tests)"
	@# --e2e: the stories' user text goes through the NLU, so intents are checked too.
	@$(RASA) test core --stories bot/tests --model $(MODEL) --out var/rasa-test-results --e2e \
		--fail-on-prediction-errors --quiet

lint: $(VENV)/.installed
	@echo "==> ruff"
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@echo "==> mypy"
	@$(VENV)/bin/mypy

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then \
			echo "==> installing Debian's chromium for the browser tests"; \
			apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "chromium is missing: sudo apt-get install chromium"; exit 1; fi; }

pytest: setup chromium nginx
	@echo "==> pytest"
	@$(VENV)/bin/pytest

test: validate rasa-test lint pytest

bench: setup
	@$(PY) -m bench.turn_latency
	@$(PY) -m bench.capacity
	@$(PY) -m bench.handoff_relay
	@$(PY) -m bench.report_scale
	@$(PY) -m bench.conversation_search
	@$(PY) -m bench.kb_speed
	@$(PY) -m bench.help_center
	@$(PY) -m bench.studio_speed
	@$(PY) -m bench.publish_speed
	@$(PY) -m bench.e5_engines
	@$(PY) -m bench.kb_quality
	@$(PY) -m bench.answers
	@$(PY) -m bench.prepare_covid var/bench >/dev/null
	@$(VENV)/bin/supportbot bench retrieval --kb var/bench/covid_kb.csv \
		--queries var/bench/covid_queries.csv --write-section "Retrieval: COVID-19 FAQ (deepset)"
	@$(VENV)/bin/supportbot bench retrieval --queries bench/data/sample_kb_test.csv \
		--calibrate bench/data/sample_kb_dev.csv --write-section "Retrieval: sample knowledge base"
	@$(VENV)/bin/supportbot bench retrieval --queries bench/data/answers_test.csv \
		--calibrate bench/data/answers_dev.csv --write-section "Retrieval: answer questions, test half"

# Pin what the environments have now (after a dependency change passed make test), so a
# fresh clone and CI install exactly the tested versions.
constraints: $(RASA_VENV)/.installed $(VENV)/.installed
	@{ echo "# Versions 'make' installs into .venv (pip -c): CI gets what was tested. Refresh with"; \
	   echo "# 'make constraints' after changing pyproject.toml, and run make test."; \
	   $(VENV)/bin/pip freeze --exclude-editable | sed 's/+cpu$$//'; } > constraints.txt
	@{ echo "# Versions 'make' installs into .venv-rasa (pip -c). Refresh with 'make constraints'."; \
	   $(RASA_VENV)/bin/pip freeze | sed 's/+cpu$$//'; } > constraints-rasa.txt

clean:
	rm -rf var models .pytest_cache
