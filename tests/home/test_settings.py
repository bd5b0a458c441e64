"""Production settings fail loudly instead of starting with an unsafe default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_check(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    clean.update(DJANGO_SETTINGS_MODULE="learning.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check(ALLOWED_HOSTS="classes.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_check(SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_both():
    result = run_check(SECRET_KEY="x" * 50, ALLOWED_HOSTS="classes.example.org")
    assert result.returncode == 0, result.stderr


def test_production_runs_with_debug_off():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="learning.settings.production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="a")
    result = subprocess.run(
        [sys.executable, "-c", "import django;from django.conf import settings;django.setup();print(settings.DEBUG)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("url,backend", [("", "channels.layers.InMemoryChannelLayer"),
                                         ("redis://127.0.0.1:6379/0", "channels_redis.core.RedisChannelLayer")])
def test_redis_url_chooses_the_channel_layer(url, backend):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="learning.settings.dev", REDIS_URL=url)
    result = subprocess.run(
        [sys.executable, "-c", "import django;from django.conf import settings;django.setup();"
                               "print(settings.CHANNEL_LAYERS['default']['BACKEND'])"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.stdout.strip() == backend
