from __future__ import annotations

import shutil

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from tests.integration.workers import PrivateRedis, Worker, free_port, point_celery_at
from tests.services import require_postgres, require_redis


@pytest.fixture
def real_services(transactional_db):
    require_postgres()
    require_redis()
    previous = celery_app.conf.task_always_eager
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = False
    try:
        yield
    finally:
        celery_app.conf.CELERY_TASK_ALWAYS_EAGER = previous
        point_celery_at(settings.CELERY_BROKER_URL)
        connection.close()


@pytest.fixture
def celery_worker_process(real_services, tmp_path):
    """The test's own process stops executing tasks eagerly, so `.delay()` goes through Redis."""
    celery_app.control.purge()
    worker = Worker(settings.CELERY_BROKER_URL, tmp_path / "worker.log").start()
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server on PATH")
    server = PrivateRedis(free_port(), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
