# The README's two commands: `make run` and `make test`. `make bench` measures.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# `make bench BENCH=group_chat` runs one benchmark (pages, page_speed, timetable, join_to_video, group_chat, media).
BENCH ?=
# Janus, the SFU for live classes (docs/deploy.md): its configs are rendered from deploy/janus/
# into .janus/, which also keeps the admin key made the first time (never in the repo).
JANUS_DIR := .janus
JANUS_HTTP_PORT ?= 8088
JANUS_WS_PORT ?= 8188
# Janus may record classes into one folder only: the site's RECORDINGS_DIR (learning/settings/base.py).
RECORDINGS_DIR ?= $(CURDIR)/private-media/janus-recordings
JANUS_RENDER := $(PYTHON) deploy/janus/render.py $(JANUS_DIR) --admin-key-file $(JANUS_DIR)/admin_key \
	--http-port $(JANUS_HTTP_PORT) --ws-port $(JANUS_WS_PORT) --recordings-dir $(RECORDINGS_DIR)
JANUS_START := janus --configs-folder=$(CURDIR)/$(JANUS_DIR) --disable-colors
JANUS_ENV := RECORDINGS_DIR=$(RECORDINGS_DIR) JANUS_URL=http://127.0.0.1:$(JANUS_HTTP_PORT)/janus JANUS_PUBLIC_URL=ws://127.0.0.1:$(JANUS_WS_PORT)/ \
	JANUS_ADMIN_KEY=$$(cat $(JANUS_DIR)/admin_key)
# Exits 0 if our Janus (server_name in deploy/janus/janus.jcfg) answers on the HTTP port, e.g. `make janus` in another terminal.
JANUS_OURS_ANSWERS := $(PYTHON) -c 'import json, sys, urllib.request as u; sys.exit(json.load(u.build_opener(u.ProxyHandler({})).open(sys.argv[1], timeout=2)).get("server-name") != "classes-sfu")' \
	http://127.0.0.1:$(JANUS_HTTP_PORT)/janus/info 2>/dev/null
# Exits non-zero if anything listens on one of the given loopback ports.
PORTS_FREE := $(PYTHON) -c 'import socket, sys; sys.exit(any(socket.socket().connect_ex(("127.0.0.1", int(p))) == 0 for p in sys.argv[1:]))'

.PHONY: run test screenshots bench loadtest install migrate messages browser janus janus-package clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# Compile translations when gettext is there; the compiled files are committed
# too, so a machine without gettext still serves Chinese. Extraction stays by hand:
# `manage.py makemessages -l zh_Hans --no-obsolete` (the django domain only; Wagtail's admin
# words it lacks survive through home/admin_strings.py). locale/zh_Hans/LC_MESSAGES/djangojs.po
# holds Wagtail's JavaScript words and is edited by hand: never makemessages -d djangojs.
messages: $(STAMP)
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore=.venv -v 0; fi

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

run: install messages migrate
	$(PY) manage.py seed_demo
	@echo ""
	@echo "社区课堂 is running at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@# The notifications worker (reminders, change notices) and, when it is installed, Janus (the
	@# SFU for live classes) run beside the web server and stop with it. Only the web server is
	@# told where Janus is; without Janus, live classes run embedded, as before.
	@$(PY) manage.py db_worker --backend notifications --no-reload & pids=$$!; \
	trap 'kill $$pids 2>/dev/null' EXIT INT TERM; \
	sfu=""; \
	if ! command -v janus >/dev/null; then \
	  echo "Live classes: 视频由老师的浏览器直接传送 (embedded: the teacher's browser sends to each learner)."; \
	  echo "              For the SFU: sudo apt-get install janus, then make run again."; \
	elif $(JANUS_OURS_ANSWERS); then \
	  sfu="$(JANUS_ENV)"; \
	  echo "Live classes: 视频经 Janus 服务器转发 (SFU: the Janus already running at ws://127.0.0.1:$(JANUS_WS_PORT)/)."; \
	elif ! $(PORTS_FREE) $(JANUS_HTTP_PORT) $(JANUS_WS_PORT); then \
	  echo "Live classes: 视频由老师的浏览器直接传送 (embedded): port $(JANUS_HTTP_PORT) or $(JANUS_WS_PORT) is taken" \
	       "by something else (Debian's own janus service? sudo systemctl disable --now janus)."; \
	else \
	  $(JANUS_RENDER) || exit 1; \
	  $(JANUS_START) > $(JANUS_DIR)/janus.log 2>&1 & pids="$$pids $$!"; \
	  sfu="$(JANUS_ENV)"; \
	  echo "Live classes: 视频经 Janus 服务器转发 (SFU: Janus at ws://127.0.0.1:$(JANUS_WS_PORT)/, its log in $(JANUS_DIR)/janus.log)."; \
	fi; \
	echo ""; \
	env $$sfu $(PY) -m learning.serve -b $(HOST) -p $(PORT) learning.asgi:application

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

# The SFU tests need Debian's Janus, in the same way. Debian starts and enables its own Janus
# service (every plugin, ports 8088 and 8188) on install; ours runs from deploy/janus/ instead,
# so that one is stopped and disabled where systemd runs it.
janus-package:
	@if ! command -v janus >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Janus, the SFU (apt-get install janus)…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq janus >/dev/null; \
	    if [ -d /run/systemd/system ]; then systemctl disable --now janus >/dev/null 2>&1 || true; fi; \
	  else \
	    echo "Janus (the SFU) is not installed. Run: sudo apt-get install janus && sudo systemctl disable --now janus  then make $(MAKECMDGOALS) again." >&2; \
	    exit 1; \
	  fi; \
	fi
	@# Janus's recordings of classes become videos with janus-pp-rec (janus-tools) and ffmpeg.
	@if ! command -v janus-pp-rec >/dev/null || ! command -v ffmpeg >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing what makes class recordings into videos (apt-get install janus-tools ffmpeg)…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq janus-tools ffmpeg >/dev/null; \
	  else \
	    echo "Class recordings need janus-pp-rec and ffmpeg. Run: sudo apt-get install janus-tools ffmpeg  then make $(MAKECMDGOALS) again." >&2; \
	    exit 1; \
	  fi; \
	fi

# Janus alone, in the foreground, as make run starts it (HTTP API on 8088 for the server,
# WebSocket on 8188 for browsers); the admin key is in .janus/admin_key.
janus: janus-package
	$(JANUS_RENDER)
	$(JANUS_START)

test: install messages browser janus-package
	$(PY) -m pytest $(PYTEST_ARGS)

# The README's pictures (docs/screenshots/), taken anew by the browser tests that show each page.
screenshots: install messages browser janus-package
	SCREENSHOTS=1 $(PY) -m pytest tests/browser -p no:randomly -q

bench: install
	$(PY) -m benchmarks $(BENCH)

# Ten live classes of 30 learners and a teacher for 60 s on two Daphne processes, through a
# killed Daphne, a Redis restart and a database cut (benchmarks/loadtest.py); JSON lines,
# non-zero unless nothing was lost or duplicated. Its own Redis and PostgreSQL database.
loadtest: install
	$(PY) -m benchmarks.loadtest

clean:
	rm -rf $(VENV) .test-db*.sqlite3* .test-media staticfiles
