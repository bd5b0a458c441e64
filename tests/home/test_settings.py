"""Production settings fail loudly instead of starting with an unsafe default."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_check(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    clean.update(DJANGO_SETTINGS_MODULE="learning.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
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


def test_production_passes_the_deploy_check_without_a_warning():
    result = run_check("--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stderr


def production_setting(name: str, **env) -> str:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="learning.settings.production", SECRET_KEY="x" * 50,
               ALLOWED_HOSTS="a", **env)
    result = subprocess.run(
        [sys.executable, "-c", f"import django;from django.conf import settings;django.setup();print(settings.{name})"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    return result.stdout.strip()


def test_production_redirects_to_https_and_sends_hsts_by_default():
    assert production_setting("SECURE_SSL_REDIRECT") == "True"
    assert production_setting("SECURE_HSTS_SECONDS") == str(365 * 24 * 60 * 60)


def test_a_proxy_that_redirects_and_sends_hsts_itself_can_turn_both_off():
    assert production_setting("SECURE_SSL_REDIRECT", SECURE_SSL_REDIRECT="0") == "False"
    assert production_setting("SECURE_HSTS_SECONDS", SECURE_HSTS_SECONDS="0") == "0"


def test_production_runs_with_debug_off():
    assert production_setting("DEBUG") == "False"


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
