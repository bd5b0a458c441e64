# The README's two commands: `make run` and `make test`. `make bench` measures.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# `make bench BENCH=group_chat` runs one benchmark (pages, timetable, join_to_video, group_chat).
BENCH ?=

.PHONY: run test bench install migrate messages browser clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# Compile translations when gettext is there; the compiled files are committed
# too, so a machine without gettext still serves Chinese.
messages: $(STAMP)
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore=.venv -v 0; fi

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

run: install messages migrate
	$(PY) manage.py seed_demo
	@echo ""
	@echo "社区课堂 is running at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo ""
	@# The notifications worker (reminders, change notices) runs beside the web server and stops with it.
	$(PY) manage.py db_worker --backend notifications --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) -m learning.serve -b $(HOST) -p $(PORT) learning.asgi:application

# The browser tests need Debian's Chromium. As root it is installed here; otherwise make
# stops and names the command: the browser tests are never skipped quietly.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Chromium for the browser tests (apt-get install chromium)…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else \
	    echo "The browser tests need Chromium. Run: sudo apt-get install chromium fonts-noto-cjk  then make test again." >&2; \
	    exit 1; \
	  fi; \
	fi

test: install messages browser
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) -m benchmarks $(BENCH)

clean:
	rm -rf $(VENV) .test-db*.sqlite3* .test-media staticfiles
