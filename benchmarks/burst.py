"""A burst: ten times the usual rate of submissions for a minute, with a worker routing them.

    .venv/bin/python benchmarks/burst.py [--usual-per-day 100000] [--factor 10] [--seconds 60]
        [--workers 4] [--database-url postgres://postgres@127.0.0.1:5432/mh_burst]
        [--broker-url redis://127.0.0.1:6379/12]

It (re)creates the database with the sample district, starts the platform as production runs it
(gunicorn with WORKERS sync workers, production settings) and one Celery worker (prefork, two
processes), then sends citizen API submissions at FACTOR × USUAL-PER-DAY / 86,400 a second for
SECONDS seconds, evenly spaced, from enough threads that a slow answer does not slow the pace.
The usual rate is Guangzhou's 12345 (about 100,000 a day), so the default burst is about 11.6 a
second, 694 in the minute. It reports the answers (every one must be 201), the answer times
(median, p99), then waits until every demand has left 「已提交」 (routed, or queued for a
dispatcher) and reports how long the backlog took to drain after the burst ended, and that the
demands in the database are exactly the ones answered."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.percentiles import percentile  # noqa: E402

PORT = 18097
BODY = {
    "title": "小区路灯损坏",
    "content": "坪山街道六和社区六联路12号附近的路灯已经连续一周不亮，晚上行人和电动车经过很危险，请相关部门尽快维修。",
    "citizen_name": "王先生",
    "location_text": "坪山街道六和社区六联路12号",
}


def post(n: int) -> tuple[int, float]:
    body = json.dumps({**BODY, "title": f"小区路灯损坏 #{n}", "citizen_phone": f"139{n:08d}"}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/api/v1/citizen/demands/",
        data=body,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return status, (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--usual-per-day", type=int, default=100_000)
    parser.add_argument("--factor", type=float, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/mh_burst")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    import psycopg2
    import redis
    from cryptography.fernet import Fernet

    name = args.database_url.rsplit("/", 1)[1]
    admin = psycopg2.connect(args.database_url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(args.broker_url).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "PERSONAL_DATA_KEYS": Fernet.generate_key().decode(),
        "TRUSTED_PROXIES": "0",
        "CELERY_BROKER_URL": args.broker_url,
        "CITIZEN_THROTTLE_RATE": "100000000/hour",
        "CITIZEN_SUBMIT_ADDRESS_RATE": "100000000/hour",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    for command in (["migrate", "-v0"], ["load_sample_district"], ["collectstatic", "--no-input", "-v0"]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    bin_dir = Path(python).parent
    logs = Path("/tmp/minsheng-burst")
    logs.mkdir(exist_ok=True)
    web = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{PORT}", "config.wsgi"],
        cwd=ROOT, env=env, stdout=(logs / "gunicorn.log").open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = subprocess.Popen(
        [python, "-m", "celery", "-A", "config", "worker", "-c", "2", "-l", "warning", "--without-mingle",
         "--without-gossip"],
        cwd=ROOT, env=env, stdout=(logs / "worker.log").open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        run(args, env)
    finally:
        web.terminate()
        worker.terminate()
        web.wait(timeout=30)
        worker.wait(timeout=30)


def run(args: argparse.Namespace, env: dict[str, str]) -> None:
    import psycopg2

    deadline = time.monotonic() + 60
    while post(0)[0] != 201:
        if time.monotonic() > deadline:
            raise SystemExit("The platform did not answer (see /tmp/minsheng-burst/).")
        time.sleep(0.5)
    rate = args.factor * args.usual_per_day / 86400
    total = int(rate * args.seconds)
    print(
        f"burst: {rate:.1f} submissions a second ({args.factor:g} × {args.usual_per_day:,} a day) for {args.seconds} s"
    )
    answers: list[tuple[int, float]] = []
    lock = threading.Lock()

    def send(n: int) -> None:
        answer = post(n)
        with lock:
            answers.append(answer)

    threads = []
    started = time.monotonic()
    for n in range(1, total + 1):
        pause = started + n / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        thread = threading.Thread(target=send, args=(n,))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    sent_in = time.monotonic() - started
    ended = time.monotonic()
    times = sorted(ms for _, ms in answers)
    statuses: dict[int, int] = {}
    for status, _ in answers:
        statuses[status] = statuses.get(status, 0) + 1
    print(f"sent {total} in {sent_in:.1f} s; answers by status: {statuses}")
    print(f"answer times: median {statistics.median(times):.0f} ms, p99 {percentile(times, 99):.0f} ms")
    connection = psycopg2.connect(args.database_url)
    connection.autocommit = True
    cursor = connection.cursor()
    waiting = None
    while time.monotonic() - ended < 600:
        cursor.execute("SELECT count(*) FILTER (WHERE status = 'submitted'), count(*) FROM demands_demand")
        waiting, stored = cursor.fetchone()
        if waiting == 0:
            break
        time.sleep(0.2)
    drained = time.monotonic() - ended
    print(f"demands stored: {stored} (answered 201: {statuses.get(201, 0)} and the warm-up's 1)")
    print(
        f"backlog drained {drained:.1f} s after the burst ended"
        if waiting == 0
        else f"{waiting} still waiting after 600 s"
    )
    cursor.execute(
        "SELECT count(*) FROM demands_demand d WHERE NOT EXISTS (SELECT 1 FROM demands_demandevent e WHERE e.demand_id = d.id AND e.action <> 'submit')"
    )
    print(f"demands with nothing after their submission: {cursor.fetchone()[0]}")


if __name__ == "__main__":
    main()
