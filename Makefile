# Two commands on a fresh machine:  `make run`  (the portal with demo data)  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The laptop defaults: DEBUG on so the development secret key is accepted.
export DEBUG ?= true

.PHONY: run test venv migrate demo worker beat messages messages-check lint clean bench

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

venv: $(VENV)/.installed

migrate: venv
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

# Both cores: pytest-xdist gives each worker its own test database and Redis index.
PYTEST_ARGS ?= -n auto
test: venv
	$(PY) -m pytest -p tests.plugins.xdist_services $(PYTEST_ARGS)

worker: venv
	$(VENV)/bin/celery -A portal worker --loglevel=INFO

beat: venv
	$(VENV)/bin/celery -A portal beat --loglevel=INFO

# Regenerate the Chinese catalogue from the sources and compile it (needs GNU gettext).
messages: venv
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=$(VENV) --ignore=bench
	$(PY) manage.py compilemessages -l zh_Hans --ignore=$(VENV)

# Fails when a string a person sees has no Chinese translation (needs GNU gettext).
messages-check: messages
	@stats=$$(LC_ALL=C msgfmt --statistics -o /dev/null locale/zh_Hans/LC_MESSAGES/django.po 2>&1); echo "zh_Hans: $$stats"; \
	if echo "$$stats" | grep -Eq 'fuzzy|untranslated'; then \
	  msgattrib --untranslated locale/zh_Hans/LC_MESSAGES/django.po | head -60; \
	  echo "Translate the entries above in locale/zh_Hans/LC_MESSAGES/django.po"; exit 1; fi

# Every benchmark under bench/, one table into bench/results.md (PostgreSQL, Redis and wrk needed;
# stops within 15 minutes; throwaway databases; traffic to 127.0.0.1 only).
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/12
bench: venv
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install -y wrk"; exit 1; }
	BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/run.py

lint: venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
