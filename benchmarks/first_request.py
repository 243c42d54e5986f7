"""How long the platform takes to start, and how long the first citizen then waits.

Starts `manage.py run_platform` (the embedded mode `make run` serves) on a free port, times until
it answers, then submits one demand through the citizen form and times that request: in process,
the demand is routed on commit inside it, so a router loaded lazily shows up here. Each round is a
fresh process; medians are printed. Run it on a database `make run` has filled (the demo's model
is what there is to load):

    .venv/bin/python benchmarks/first_request.py --rounds 3

`--checkout DIR` runs another checkout's manage.py (with its own .venv and db.sqlite3), so a
baseline can be measured in the same go; `--database-url` points both at one copy of the same data
(migrated by each checkout's code as needed)."""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

FORM = {
    "title": "小区门口路灯坏了",
    "content": "坪山街道六和城小区门口的路灯坏了一个星期，晚上出行很不安全，请尽快维修。",
    "location_text": "坪山街道六和城",
    "urgency": "normal",
    "citizen_name": "测试",
    "citizen_phone": "13800000000",
    "consent": "on",
    "repeat": "new",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_round(checkout: Path, database_url: str) -> tuple[float, float]:
    port = free_port()
    python = checkout / ".venv" / "bin" / "python"
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(python), "manage.py", "run_platform", f"127.0.0.1:{port}"],
        cwd=checkout,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={
            "PATH": "/usr/bin:/bin",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            **({"DATABASE_URL": database_url} if database_url else {}),
        },
    )
    base = f"http://127.0.0.1:{port}"
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        deadline = started + 180
        while True:
            try:
                page = opener.open(base + "/", timeout=60).read().decode()
                break
            except OSError:
                if time.perf_counter() > deadline:
                    raise
                time.sleep(0.1)
        ready = time.perf_counter() - started
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**FORM, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(base + "/", data=body, headers={"Referer": base + "/"})
        sent = time.perf_counter()
        response = opener.open(request, timeout=120)
        answer = response.read().decode()
        first = time.perf_counter() - sent
        if not response.geturl().endswith("/submitted/"):
            errors = re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', answer, re.S)
            raise SystemExit(f"The form refused the demand: {errors or answer[:500]}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return ready, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--checkout", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--database-url", default="", help="another database than the checkout's db.sqlite3")
    args = parser.parse_args()
    readies, firsts = [], []
    for number in range(1, args.rounds + 1):
        ready, first = one_round(args.checkout, args.database_url)
        readies.append(ready)
        firsts.append(first)
        print(f"round {number}: serving after {ready:.1f} s, first submission took {first:.2f} s", flush=True)
    print(
        f"{args.checkout}: median start {statistics.median(readies):.1f} s, "
        f"median first submission {statistics.median(firsts):.2f} s ({args.rounds} rounds)"
    )


if __name__ == "__main__":
    sys.exit(main())
