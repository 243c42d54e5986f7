"""Real processes for the integration tests: a Celery worker, a Redis server of the test's own,
and waiting for what they do."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """A real Celery worker in its own process, on the test database and a given broker."""

    def __init__(self, broker_url: str, log: Path, **env: str) -> None:
        db = settings.DATABASES["default"]
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": broker_url,
            "DEBUG": "false",
            **env,
        }
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        offset = self.log.stat().st_size if self.log.exists() else 0
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-l", "info",
             "--without-mingle", "--without-gossip", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE,
             "-n", f"test-{os.getpid()}-{time.monotonic_ns()}@%h"],
            cwd=ROOT, env=self.env, stdout=self.log.open("a"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while "ready." not in self.log.read_text()[offset:]:
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Celery worker did not start:\n{self.log.read_text()}")
            time.sleep(0.2)
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement of what it was doing."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def point_celery_at(broker_url: str) -> None:
    """Make this process publish to another broker (its pools are built lazily on first use)."""
    # The app reads Django settings under the CELERY_ namespace, and it resolves the write URL
    # once: override every spelling so the next publish goes to the new broker.
    for key in ("CELERY_BROKER_URL", "CELERY_BROKER_WRITE_URL", "broker_url", "broker_write_url"):
        setattr(celery_app.conf, key, broker_url)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


class PrivateRedis:
    """A Redis server of the test's own, which the test may stop and start again."""

    def __init__(self, port: int, folder: Path) -> None:
        self.port, self.folder = port, folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("private redis-server did not start")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def free_port() -> int:
    # Chosen by the system, not fixed: two checkouts' suites may run side by side on one machine.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    """What the predicate returns once it is true, or its last answer when the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()
