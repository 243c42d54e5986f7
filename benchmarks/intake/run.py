"""Citizen intake through gunicorn, side by side with django-helpdesk's public form in one run.

    .venv/bin/python benchmarks/intake/run.py [--rounds 3] [--duration 20] [--workers 4]
        [--paths api form bare] [--harness ../shared/bench/peer_helpdesk]

For each of the platform's paths it runs the peer harness once (`run.sh`, see its README), which
starts a throwaway PostgreSQL cluster, django-helpdesk and the platform (benchmarks/intake/start.sh:
production settings, gunicorn with --workers sync workers, persistent connections, Redis as
broker and cache, no worker), and drives helpdesk's public form and then the platform's path in
each round with the same wrk settings, verifying every response against the rows made:

- api:  POST /api/v1/citizen/demands/ (the harness's ours_citizen_api.lua)
- form: POST / as a browser sends the citizen form (benchmarks/intake/form.lua)
- bare: POST /bench/bare-create/, a bare DRF CreateAPIView on the demands table with the API's body
  (benchmarks/intake/urls.py): the floor of a create through Django, DRF and PostgreSQL here.

It prints each path's median round (req/s, p50, p99) and its ratio to helpdesk's form measured in
the same invocation; api and form against bare are compared through that common baseline (each
invocation's helpdesk form), since the harness drives one platform path per invocation."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LINE = re.compile(r"^(?:# round: )?(helpdesk|ours) (\S+) req/s=([\d.]+) p50_ms=([\d.]+) p99_ms=([\d.]+) created=(\S+)")


def csrf_pair() -> tuple[str, str]:
    """A CSRF cookie and a masked token of it, as a GET of the form would give: Django accepts any
    masked token of the cookie's secret, so one pair serves every request (no exemption)."""
    import django
    from django.conf import settings

    settings.configure(SECRET_KEY="csrf-pair-only")
    django.setup()
    from django.http import HttpRequest
    from django.middleware.csrf import get_token

    request = HttpRequest()
    token = get_token(request)
    return token, request.META["CSRF_COOKIE"]


def invoke(harness: Path, path: str, args: argparse.Namespace, csrf: tuple[str, str]) -> list[dict]:
    port = 18090
    url = {
        "api": f"http://127.0.0.1:{port}/api/v1/citizen/demands/",
        "form": f"http://127.0.0.1:{port}/",
        "bare": f"http://127.0.0.1:{port}/bench/bare-create/",
    }[path]
    lua = {"api": harness / "ours_citizen_api.lua", "form": HERE / "form.lua", "bare": harness / "ours_citizen_api.lua"}
    env = {
        **os.environ,
        "RUNS": str(args.rounds),
        "DURATION": str(args.duration),
        "PATHS": "form",
        "OURS_URL": url,
        "OURS_LUA": str(lua[path]),
        "OURS_LUA_ARGS": " ".join(csrf) if path == "form" else "",
        "OURS_NAME": path,
        "OURS_PORT": str(port),
        "OURS_START_CMD": f"PROJECT={shlex.quote(str(ROOT))} WORKERS={args.workers} OURS_PORT={port} "
        f"bash {shlex.quote(str(HERE / 'start.sh'))}",
        "OURS_STOP_CMD": "kill -- -$(cat /tmp/ours.pid) 2>/dev/null || kill $(cat /tmp/ours.pid)",
        "OURS_COUNT_CMD": 'psql -XAt -h 127.0.0.1 -p $PG_PORT -U postgres -d ours -c "select count(*) from demands_demand"',
    }
    print(f"# {path}: {harness / 'run.sh'} (RUNS={args.rounds} DURATION={args.duration})", flush=True)
    done = subprocess.run(["bash", str(harness / "run.sh")], env=env, capture_output=True, text=True)
    sys.stdout.write("".join(f"#   {line}\n" for line in done.stdout.splitlines() if line.startswith("# ")))
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"run.sh failed for {path} (exit {done.returncode}); logs in /tmp/peer-helpdesk-logs/")
    rounds = [m for line in done.stdout.splitlines() if (m := LINE.match(line)) and line.startswith("# round: ")]
    if not rounds:  # one round: the summary lines are the rounds
        rounds = [m for line in done.stdout.splitlines() if (m := LINE.match(line))]
    rows = [
        {"who": m[1], "name": m[2], "rps": float(m[3]), "p50": float(m[4]), "p99": float(m[5]), "created": m[6]}
        for m in rounds
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--paths", nargs="+", default=["api", "form", "bare"], choices=["api", "form", "bare"])
    parser.add_argument("--harness", type=Path, default=ROOT.parent / "shared" / "bench" / "peer_helpdesk")
    args = parser.parse_args()
    if not (args.harness / "run.sh").exists():
        raise SystemExit(f"The peer harness is not at {args.harness} (--harness names it).")
    csrf = csrf_pair()
    normalised: dict[str, float] = {}
    print(f"{'path':6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'helpdesk form req/s':>20} {'ratio':>6}")
    summary = []
    for path in args.paths:
        rows = invoke(args.harness, path, args, csrf)
        ours = [r for r in rows if r["who"] == "ours"]
        peer = [r for r in rows if r["who"] == "helpdesk"]
        # Each round's ratio against the helpdesk form of the same round, then their median.
        ratios = [o["rps"] / p["rps"] for o, p in zip(ours, peer, strict=True)]
        normalised[path] = statistics.median(ratios)
        line = (
            f"{path:6} {statistics.median(r['rps'] for r in ours):8.1f} {statistics.median(r['p50'] for r in ours):8.1f} "
            f"{statistics.median(r['p99'] for r in ours):8.1f} {statistics.median(r['rps'] for r in peer):20.1f} "
            f"{normalised[path]:6.2f}"
        )
        summary.append(line)
        print(line, flush=True)
    print("\n# medians of the rounds; ratio = the platform's req/s over helpdesk's form in the same round")
    print("\n".join(summary))
    if "bare" in normalised:
        for path in ("api", "form"):
            if path in normalised:
                print(
                    f"{path} / bare (through the helpdesk form baseline): {normalised[path] / normalised['bare']:.2f}"
                )


if __name__ == "__main__":
    main()
