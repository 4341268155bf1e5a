"""
Throughput and tail latency under gunicorn (2 sync workers) with 20 concurrent clients on loopback.

Runs of BENCH_CONCURRENCY_SECONDS each (default 20) on the national dashboard: one client alone (the
single-request median), 20 reviewers at work (each reads the page, then reads it for a while: a random think
time, exponential with a mean of BENCH_THINK_SECONDS, default 2), and 20 clients with no think time at all
(a saturation run: each request waits for the ones before it, so its latency is at least 20 ÷ 2 workers times
one request's, whatever the page costs; it measures throughput). Then PSD leads updating actions with no think
time (alternately adding a progress note and handing the action to a colleague, which locks the row, checks its
version and writes a history row). The clients are plain threads with one new connection per request, as
gunicorn's sync workers close each connection. Prints one JSON list.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import secrets
import statistics
import sys
import threading
import time
import urllib.parse

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.local import free_port, start_gunicorn, stop_gunicorn  # noqa: E402
from tracker.models import Action, Force, ProgressNote, User  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
SECONDS = float(os.environ.get("BENCH_CONCURRENCY_SECONDS", "20"))
THINK_SECONDS = float(os.environ.get("BENCH_THINK_SECONDS", "2"))
WORKERS = 2
FORCE = "west-midlands"
NOTE = "Benchmark progress note (concurrency)."


def session_cookie(username: str) -> str:
    client = Client()
    client.force_login(User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies["sessionid"].value


def request(port: int, method: str, path: str, cookies: dict, body: dict | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Connection": "close"}
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def load(port: int, make_request, *, clients: int = CLIENTS, think: float = 0.0, seconds: float = SECONDS) -> dict:
    """
    Run `clients` threads calling make_request(client_index, iteration) for `seconds`, each pausing for a random
    think time (exponential, mean `think` seconds) after each answer; return the figures.
    """
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(index: int) -> None:
        iteration = 0
        pauses = random.Random(index)  # the same think times on every run
        if think:  # reviewers arrive over a think time rather than all in the same instant
            time.sleep(min(pauses.uniform(0, think), max(0.0, stop_at - time.monotonic())))
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status = make_request(index, iteration)
            except OSError:
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
            iteration += 1
            if think:
                time.sleep(min(pauses.expovariate(1 / think), max(0.0, stop_at - time.monotonic())))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - began
    ok = sum(n for status, n in statuses.items() if 200 <= status < 400)
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "errors": len(latencies) - ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "throughput_rps": round(ok / duration, 1),
        "median_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(quantiles[94], 1),
        "p99_ms": round(quantiles[98], 1),
        "seconds": round(duration, 1),
    }


def main() -> None:
    force = Force.objects.get(slug=FORCE)
    leads = list(User.objects.filter(forces=force, username__startswith="demo.psd.").order_by("username"))
    targets = list(
        Action.objects.filter(force=force, status=Action.Status.NOT_STARTED)
        .order_by("pk")
        .values_list("pk", flat=True)[:CLIENTS]
    )
    versions = dict(Action.objects.filter(pk__in=targets).values_list("pk", "version"))
    owners = dict(Action.objects.filter(pk__in=targets).values_list("pk", "owner_id"))
    csrf = secrets.token_hex(16)  # an unmasked 32-character secret: the cookie and the form field must match
    reviewer = {"sessionid": session_cookie("demo.reviewer")}
    lead = {"sessionid": session_cookie(leads[0].username), "csrftoken": csrf}
    connection.close()  # gunicorn's workers do the work from here on

    port = free_port()
    process = start_gunicorn(port, workers=WORKERS, env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    results = []
    try:
        dashboard = lambda i, n: request(port, "GET", "/dashboard/", reviewer)  # noqa: E731
        results.append({"name": f"Dashboard, 1 client, gunicorn ×{WORKERS}", **load(port, dashboard, clients=1)})
        reviewers = load(port, dashboard, think=THINK_SECONDS, seconds=max(SECONDS, 30))
        results.append(
            {
                "name": f"Dashboard, {CLIENTS} reviewers at work, gunicorn ×{WORKERS}",
                "think_seconds": THINK_SECONDS,
                **reviewers,
            }
        )
        results.append({"name": f"Dashboard, {CLIENTS} clients, gunicorn ×{WORKERS}", **load(port, dashboard)})

        def update(index: int, iteration: int) -> int:
            pk = targets[index % len(targets)]
            if iteration % 2 == 0:
                return request(port, "POST", f"/actions/{pk}/notes/", lead, {"text": NOTE, "csrfmiddlewaretoken": csrf})
            owner = next(u for u in leads[iteration % len(leads) :] + leads if u.pk != owners[pk])
            status = request(
                port,
                "POST",
                f"/actions/{pk}/owner/",
                lead,
                {"owner": owner.pk, "version": versions[pk], "csrfmiddlewaretoken": csrf},
            )
            if status == 302:  # each thread changes its own action, so it knows the next version
                versions[pk] += 1
                owners[pk] = owner.pk
            return status

        updates = load(port, update)
        results.append({"name": f"Action update, {CLIENTS} clients, gunicorn ×{WORKERS}", **updates})
    finally:
        stop_gunicorn(process)
    ProgressNote.objects.filter(text=NOTE).delete()
    for result in results:
        result.update({"database": connection.vendor, "rows": Action.objects.count(), "queries": None})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
