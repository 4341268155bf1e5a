"""
A bounded load test with nothing lost: two gunicorn hosts (2 workers each) on two ports, one PostgreSQL and one
Redis, 20 clients spread over both hosts for 60 seconds, mixing page reads with status changes and progress notes,
then a reconciliation against the database.

    .venv/bin/python bench/loadtest.py        # or: make loadtest; writes bench/loadtest.json

Loopback only (127.0.0.1, free ports); every client stops at the deadline and every request has a
timeout, so it ends by itself. It recreates, migrates and seeds its own database, `tracker_loadtest`
(LOADTEST_DATABASE_URL to use another), and never touches the development or test databases. Both hosts cache
in Redis database 2 (LOADTEST_CACHE_URL), under keys starting `loadtest:`, which it deletes before and after,
and only those: what one host caches (trends' ended months, the lists' filter form) the other reads.

Each client acts like a person: it opens an action's page, reads the version and the changes on offer,
then posts one of them (or a progress note) with a unique marker in the text. Two clients on one action
race: the loser gets 409 ("changed by X"), which is the optimistic check working, not an error.
Afterwards: no 5xx, every accepted change has exactly its own history row and note, and the counts add up.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import secrets
import statistics
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "bench" / "loadtest.json"
CLIENTS = int(os.environ.get("LOADTEST_CLIENTS", "20"))
SECONDS = float(os.environ.get("LOADTEST_SECONDS", "60"))
DATABASE_URL = os.environ.get("LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_loadtest")
CACHE_URL = os.environ.get("LOADTEST_CACHE_URL", "redis://127.0.0.1:6379/2")
CACHE_KEY_PREFIX = "loadtest"
HOSTS = 2
WORKERS = 2  # each host's
REVIEWER_CLIENTS = max(1, CLIENTS * 3 // 10)
REQUEST_TIMEOUT = 30
UPDATE_SHARE = 0.4  # of a client's turns: post a change (after reading the page), else read a list or page
MARKER = "loadtest"

# Production settings, on plain HTTP on loopback, against the load test's own database.
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": DATABASE_URL,
        "CACHE_URL": CACHE_URL,
        "CACHE_KEY_PREFIX": CACHE_KEY_PREFIX,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": os.environ.get("LOADTEST_SECRET_KEY") or secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_MEDIA_ROOT": str(ROOT / "var" / "loadtest-media"),
    }
)
sys.path.insert(0, str(ROOT))

import dj_database_url  # noqa: E402
import django  # noqa: E402
import psycopg  # noqa: E402
import redis  # noqa: E402

from bench.local import free_port, postgres_server, start_gunicorn, stop_gunicorn  # noqa: E402


def recreate_database(url: str) -> None:
    """Drop and create the load test's database, so every run starts from the same seed."""
    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"error: the load test runs on PostgreSQL; LOADTEST_DATABASE_URL is {url}")
    name = config["NAME"]
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or "loadtest" not in name:
        sys.exit(f"error: refusing to recreate database {name!r}: its name must contain 'loadtest'")
    try:
        with postgres_server(url) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            server.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        sys.exit(f"error: PostgreSQL does not answer at {url}: {str(exc).strip().splitlines()[0]}")


def delete_cached(url: str) -> int:
    """Delete the load test's keys from the Redis server `url` names (never anyone else's); return how many."""
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=5) as server:
            keys = list(server.scan_iter(match=f"{CACHE_KEY_PREFIX}:*", count=1000))
            if keys:
                server.delete(*keys)
            return len(keys)
    except redis.RedisError as exc:
        sys.exit(f"error: Redis does not answer at {url}: {exc}")


@dataclass
class Cast:
    """Who the clients sign in as, and which actions each PSD lead works on."""

    reviewer_cookies: list[str]
    lead_cookies: list[str]
    lead_actions: list[list[int]]
    all_actions: list[int]
    forces: list[str]


def seed() -> Cast:
    """Migrate, load the shipped forces and reports, and make the users; return their session cookies."""
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client

    from tracker.models import Action, Force, User

    if not (ROOT / "static" / "dist" / "app.css").is_file():
        sys.exit("error: static/dist is missing: run `make assets` first")
    # Production settings serve hashed static files through whitenoise, as a deployment does.
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("loaddata", str(ROOT / "fixtures" / "forces.json"), verbosity=0)
    call_command("load_reports", *sorted(str(p) for p in (ROOT / "fixtures" / "reports").glob("*.json")), verbosity=0)
    lead_clients = CLIENTS - REVIEWER_CLIENTS
    forces = list(
        Force.objects.annotate(n=Count("actions")).filter(n__gt=0).order_by("-n", "slug")[: max(1, lead_clients // 4)]
    )

    def cookie(user: User) -> str:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client.cookies["sessionid"].value

    reviewer_cookies = [
        cookie(User.objects.create_user(f"{MARKER}.reviewer.{i}", role=User.Role.REVIEWER, first_name=f"Reviewer {i}"))
        for i in range(REVIEWER_CLIENTS)
    ]
    lead_cookies, lead_actions = [], []
    for i in range(lead_clients):
        force = forces[i % len(forces)]
        lead = User.objects.create_user(f"{MARKER}.psd.{force.slug}.{i}", first_name=f"Lead {i}", last_name=force.name)
        lead.forces.set([force])
        lead_cookies.append(cookie(lead))
        lead_actions.append(list(Action.objects.filter(force=force).order_by("pk").values_list("pk", flat=True)))
    all_actions = [pk for actions in lead_actions for pk in actions]
    return Cast(reviewer_cookies, lead_cookies, lead_actions, sorted(set(all_actions)), [f.slug for f in forces])


@dataclass
class Update:
    kind: str  # a transition name, or "note"
    action: int
    username: str
    token: str


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    hosts: Counter = field(default_factory=Counter)  # requests per port
    accepted: list[Update] = field(default_factory=list)
    refused_stale: int = 0
    refused_other: int = 0
    connection_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


VERSION_RE = re.compile(r'name="version" value="(\d+)"')
CHANGE_RE = re.compile(r'action="/actions/(\d+)/change/([a-z_]+)/"')


class Session:
    """One simulated person: their cookies, and every request timed into the shared tally."""

    def __init__(self, port: int, cookie: str, username: str, tally: Tally):
        self.port, self.username, self.tally = port, username, tally
        self.csrf = secrets.token_hex(16)  # an unmasked 32-character secret: cookie and form field match
        self.cookies = f"sessionid={cookie}; csrftoken={self.csrf}"

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": self.cookies, "Connection": "close", "Host": "127.0.0.1"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": self.csrf})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            status = response.status
        except OSError:
            status, text = 0, ""
        finally:
            conn.close()
        with self.tally.lock:
            self.tally.latencies.append((time.perf_counter() - started) * 1000)
            self.tally.statuses[status] += 1
            self.tally.hosts[self.port] += 1
            if status == 0:
                self.tally.connection_errors += 1
        return status, text

    def update(self, pk: int, rng: random.Random) -> None:
        """Open the action's page, then post one of the changes it offers, or a progress note."""
        status, page = self.request("GET", f"/actions/{pk}/")
        if status != 200:
            return
        version = VERSION_RE.search(page)
        changes = [name for found, name in CHANGE_RE.findall(page) if int(found) == pk]
        token = f"{MARKER}-{secrets.token_hex(8)}"
        if changes and version and rng.random() < 0.7:
            kind = rng.choice(changes)
            path, form = f"/actions/{pk}/change/{kind}/", {"version": version.group(1), "text": f"Change {token}"}
        else:
            kind, path, form = "note", f"/actions/{pk}/notes/", {"text": f"Progress {token}"}
        status, _ = self.request("POST", path, form)
        with self.tally.lock:
            if status == 302:
                self.tally.accepted.append(Update(kind, pk, self.username, token))
            elif status == 409:
                self.tally.refused_stale += 1
            elif status != 0:
                self.tally.refused_other += 1


READS_FOR_LEADS = ["/actions/", "/actions/overdue/", "/actions/mine/", "/actions/upcoming/?days=60", "/reports/"]
READS_FOR_REVIEWERS = [
    "/dashboard/",
    "/review/",
    "/actions/overdue/",
    "/actions/?status=completed",
    "/reports/",
    "/trends/",
]


def run_clients(ports: list[int], cast: Cast, usernames: dict[str, str]) -> tuple[Tally, float]:
    """Run the clients until the deadline, each on one host, taking turns: client i on host i mod HOSTS."""
    tally = Tally()
    stop_at = time.monotonic() + SECONDS

    def client(index: int) -> None:
        rng = random.Random(index)
        if index < REVIEWER_CLIENTS:
            cookie, actions, reads = cast.reviewer_cookies[index], cast.all_actions, READS_FOR_REVIEWERS
        else:
            lead = index - REVIEWER_CLIENTS
            cookie, actions, reads = cast.lead_cookies[lead], cast.lead_actions[lead], READS_FOR_LEADS
            reads = [*reads, f"/forces/{cast.forces[lead % len(cast.forces)]}/"]
        session = Session(ports[index % len(ports)], cookie, usernames[cookie], tally)
        # Each client works mostly on a few actions, as people do, so clients sometimes meet on one.
        focus = rng.sample(actions, min(len(actions), 6))
        while time.monotonic() < stop_at:
            if rng.random() < UPDATE_SHARE:
                session.update(rng.choice(focus), rng)
            elif rng.random() < 0.5:
                session.request("GET", f"/actions/{rng.choice(actions)}/")
            else:
                session.request("GET", rng.choice(reads))

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(SECONDS + REQUEST_TIMEOUT * 3)
    return tally, time.monotonic() - began


def reconcile(tally: Tally, before: dict) -> dict:
    """Check every accepted change against the database: its own history row or note, and nothing else."""
    from django.db import connection

    from tracker.models import Action, ProgressNote

    connection.close()  # a fresh connection sees everything the workers committed
    history = list(
        Action.history.filter(history_change_reason__contains=MARKER).values_list(
            "id", "history_change_reason", "history_user__username"
        )
    )
    notes = list(
        ProgressNote.objects.filter(text__contains=MARKER).values_list("action_id", "text", "author__username")
    )
    missing = []
    for update in tally.accepted:
        if update.kind == "note":
            found = [n for n in notes if n[0] == update.action and update.token in n[1] and n[2] == update.username]
        else:
            found = [h for h in history if h[0] == update.action and update.token in h[1] and h[2] == update.username]
        if len(found) != 1:
            missing.append(f"{update.kind} on action {update.action} by {update.username} ({update.token})")
    transitions = sum(u.kind != "note" for u in tally.accepted)
    history_added = Action.history.count() - before["history"]
    notes_added = ProgressNote.objects.count() - before["notes"]
    versions_added = sum(Action.objects.values_list("version", flat=True)) - before["versions"]
    return {
        "history_rows_added": history_added,
        "notes_added": notes_added,
        "missing_updates": missing[:20],
        # One history row and one version per status change (its text the row's reason); one note per note.
        "counts_reconcile": not missing
        and history_added == transitions == versions_added
        and notes_added == len(tally.accepted) - transitions,
    }


def main() -> int:
    recreate_database(DATABASE_URL)
    delete_cached(CACHE_URL)
    django.setup()
    from django.db import connection

    from tracker.models import Action, ProgressNote, User

    cast = seed()
    usernames = {}
    from django.contrib.sessions.models import Session as StoredSession

    for cookie in cast.reviewer_cookies + cast.lead_cookies:
        user_id = StoredSession.objects.get(session_key=cookie).get_decoded()["_auth_user_id"]
        usernames[cookie] = User.objects.get(pk=user_id).username
    before = {
        "history": Action.history.count(),
        "notes": ProgressNote.objects.count(),
        "versions": sum(Action.objects.values_list("version", flat=True)),
        "actions": Action.objects.count(),
    }
    connection.close()  # gunicorn's workers do the work from here on

    ports = [free_port() for _ in range(HOSTS)]
    log = ROOT / "var" / "loadtest-gunicorn.log"  # both hosts'
    log.parent.mkdir(parents=True, exist_ok=True)
    hosts = []

    def stop_hosts() -> None:
        for process in hosts:
            stop_gunicorn(process)

    watchdog = threading.Timer(SECONDS + 300, stop_hosts)  # a last resort: always ends
    watchdog.start()
    try:
        for port in ports:
            options = ("--timeout", "60", "--error-logfile", str(log))
            hosts.append(start_gunicorn(port, workers=WORKERS, env=os.environ.copy(), options=options))
        tally, duration = run_clients(ports, cast, usernames)
    except RuntimeError as exc:
        sys.exit(f"error: {exc}; see {log}")
    finally:
        watchdog.cancel()
        stop_hosts()

    cached_keys = delete_cached(CACHE_URL)
    checked = reconcile(tally, before)
    latencies = sorted(tally.latencies)
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [0] * 99
    errors_5xx = sum(n for status, n in tally.statuses.items() if status >= 500)
    result = {
        "clients": CLIENTS,
        "seconds": round(duration, 1),
        "requests": len(latencies),
        "updates_ok": len(tally.accepted),
        "errors_5xx": errors_5xx,
        "history_rows_added": checked["history_rows_added"],
        "p99_ms": round(quantiles[98], 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0,
        "p95_ms": round(quantiles[94], 1),
        "requests_per_second": round(len(latencies) / duration, 1),
        "status_changes_ok": sum(u.kind != "note" for u in tally.accepted),
        "notes_ok": sum(u.kind == "note" for u in tally.accepted),
        "updates_refused_stale_409": tally.refused_stale,
        "updates_refused_other": tally.refused_other,
        "connection_errors": tally.connection_errors,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "notes_added": checked["notes_added"],
        "counts_reconcile": checked["counts_reconcile"],
        "missing_updates": checked["missing_updates"],
        "hosts": HOSTS,
        "workers": WORKERS,
        "requests_per_host": [tally.hosts[port] for port in ports],
        "database": "postgresql",
        "cache": "redis",
        "cache_keys_at_the_end": cached_keys,
        "actions": before["actions"],
    }
    OUTPUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    ok = (
        errors_5xx == 0
        and tally.connection_errors == 0
        and checked["counts_reconcile"]
        and tally.accepted
        and all(tally.hosts[port] for port in ports)
    )
    if not ok:
        print(f"FAILED: see {OUTPUT} and {log}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
