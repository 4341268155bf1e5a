"""
A bounded load test with nothing lost, with faults: two gunicorn hosts (2 workers each) on two ports, one
PostgreSQL and one Redis, 20 clients spread over both hosts for 60 seconds, mixing page reads with status changes
and progress notes (half of them with an evidence file), while it breaks things on purpose, then a reconciliation
against the database.

    .venv/bin/python bench/loadtest.py        # or: make loadtest; writes bench/loadtest.json

The faults (LOADTEST_FAULTS, default all four, in this order; "none" for a plain run):
- worker: a gunicorn worker killed (SIGKILL) in the middle of requests; its master starts another;
- database: PostgreSQL stopped ("fast": every transaction in flight rolled back) and started again after
  LOADTEST_OUTAGE_SECONDS (3); the hosts are not restarted, and answer 503 "try again" meanwhile;
- unwritable: the evidence store's folder replaced by a file for 4 seconds;
- full: the evidence store's disk filled for 4 seconds.
Each fault says in bench/loadtest.json when it began, how long it lasted, what the clients got meanwhile, and
how many updates that got a success answer are not in the database (`lost_acknowledged_updates`, always 0).

Loopback only (127.0.0.1, free ports); every client stops at the deadline and every request has a timeout, so it
ends by itself. It runs its own PostgreSQL server (the machine's binaries, a temporary folder, a free port; as root
it runs it as the postgres user), so that stopping it disturbs nobody, and its own evidence store on a 64 MB tmpfs
(mounting one needs root). Both hosts cache in Redis database 2 (LOADTEST_CACHE_URL), under keys starting
`loadtest:`, which it deletes before and after, and only those.

Each client acts like a person: it opens an action's page, reads the version and the changes on offer,
then posts one of them (or a progress note) with a unique marker in the text. Two clients on one action
race: the loser gets 409 ("changed by X"), which is the optimistic check working, not an error.
Afterwards: no 500 ever, no 503 outside a fault, every accepted change has exactly its own history row and note,
no change is half written (a version without its history row, a note without its file), and the counts add up.
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
DATABASE = "tracker_loadtest"
FAULTS = [f for f in os.environ.get("LOADTEST_FAULTS", "worker,database,unwritable,full").split(",") if f != "none"]
OUTAGE_SECONDS = float(os.environ.get("LOADTEST_OUTAGE_SECONDS", "3"))
EVIDENCE_FAULT_SECONDS = 4.0
# When each fault begins, as a share of the run; after each, the run goes on long enough to see it recover.
FAULT_AT = {"worker": 0.2, "database": 0.35, "unwritable": 0.55, "full": 0.75}
# A request that began this long before a fault, or ended this long after it, counts as met by the fault.
GRACE_SECONDS = 2.0
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
    }
)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402
import redis  # noqa: E402

from bench import faults  # noqa: E402
from bench.local import free_port, postgres_server, start_gunicorn, stop_gunicorn  # noqa: E402


def create_database(url: str) -> None:
    """Create the load test's database on its own server."""
    with postgres_server(url) as server:
        server.execute(f'CREATE DATABASE "{DATABASE}"')


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
    with_file: bytes | None = None  # the evidence file posted with a note
    began: float = 0.0  # seconds since the run began
    ended: float = 0.0
    status: int = 0  # 302 accepted; 409 stale; 503 unavailable or the evidence not stored; 0 no answer
    text_kept: bool = False  # a 503 for the evidence store shows the note as typed, with why


@dataclass
class Answer:
    began: float
    ended: float
    port: int
    status: int


@dataclass
class Tally:
    started: float = field(default_factory=time.monotonic)
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    hosts: Counter = field(default_factory=Counter)  # requests per port
    answers: list[Answer] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.monotonic() - self.started

    @property
    def accepted(self) -> list[Update]:
        return [u for u in self.updates if u.status == 302]


VERSION_RE = re.compile(r'name="version" value="(\d+)"')
CHANGE_RE = re.compile(r'action="/actions/(\d+)/change/([a-z_]+)/"')
NOT_STORED = "The evidence file was not saved:"
TOKEN_RE = re.compile(rf"{MARKER}-[0-9a-f]{{16}}")


def token_in(text: str) -> str | None:
    found = TOKEN_RE.search(text)
    return found.group() if found else None


def multipart(fields: dict, file: tuple[str, str, bytes]) -> tuple[bytes, str]:
    """Encode `fields` and one file (field name, file name, bytes) as multipart/form-data; return body and type."""
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    name, filename, content = file
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
    parts.append(f"{head}Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Session:
    """One simulated person: their cookies, and every request timed into the shared tally."""

    def __init__(self, port: int, cookie: str, username: str, tally: Tally):
        self.port, self.username, self.tally = port, username, tally
        self.csrf = secrets.token_hex(16)  # an unmasked 32-character secret: cookie and form field match
        self.cookies = f"sessionid={cookie}; csrftoken={self.csrf}"

    def request(self, method: str, path: str, form: dict | None = None, file=None) -> tuple[int, str, float, float]:
        headers = {"Cookie": self.cookies, "Connection": "close", "Host": "127.0.0.1"}
        body = None
        if form is not None:
            fields = {**form, "csrfmiddlewaretoken": self.csrf}
            if file is None:
                body = urllib.parse.urlencode(fields)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                body, headers["Content-Type"] = multipart(fields, file)
        began = self.tally.now()
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
        ended = self.tally.now()
        with self.tally.lock:
            self.tally.latencies.append((ended - began) * 1000)
            self.tally.statuses[status] += 1
            self.tally.hosts[self.port] += 1
            self.tally.answers.append(Answer(began, ended, self.port, status))
        return status, text, began, ended

    def update(self, pk: int, rng: random.Random) -> None:
        """Open the action's page, then post one of the changes it offers, or a progress note (half with a file)."""
        status, page, _, _ = self.request("GET", f"/actions/{pk}/")
        if status != 200:
            return
        version = VERSION_RE.search(page)
        changes = [name for found, name in CHANGE_RE.findall(page) if int(found) == pk]
        token = f"{MARKER}-{secrets.token_hex(8)}"
        file = None
        if changes and version and rng.random() < 0.7:
            kind = rng.choice(changes)
            path, form = f"/actions/{pk}/change/{kind}/", {"version": version.group(1), "text": f"Change {token}"}
        else:
            kind, path, form = "note", f"/actions/{pk}/notes/", {"text": f"Progress {token}"}
            if rng.random() < 0.5:
                file = ("attachment", f"{token}.pdf", f"%PDF-1.4 {token}\n".encode() + os.urandom(2048))
        status, text, began, ended = self.request("POST", path, form, file)
        kept = status == 503 and NOT_STORED in text and f"Progress {token}" in text
        update = Update(kind, pk, self.username, token, file and file[2], began, ended, status, kept)
        with self.tally.lock:
            self.tally.updates.append(update)


READS_FOR_LEADS = ["/actions/", "/actions/overdue/", "/actions/mine/", "/actions/upcoming/?days=60", "/reports/"]
READS_FOR_REVIEWERS = [
    "/dashboard/",
    "/review/",
    "/actions/overdue/",
    "/actions/?status=completed",
    "/reports/",
    "/trends/",
]


def run_clients(ports: list[int], cast: Cast, usernames: dict[str, str], tally: Tally, stop_at: float) -> None:
    """Run the clients until `stop_at`, each on one host, taking turns: client i on host i mod HOSTS."""

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
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, stop_at - time.monotonic()) + REQUEST_TIMEOUT * 3)


@dataclass
class Fault:
    name: str
    injected: str
    began: float = 0.0
    ended: float = 0.0
    details: dict = field(default_factory=dict)


def inject(name: str, tally: Tally, hosts: list, ports: list[int], server, store) -> Fault:
    """Break one thing now, wait, mend it (or let it mend itself), and say what was done and for how long."""
    if name == "worker":
        fault = Fault(name, "a gunicorn worker of the first host killed with SIGKILL while serving requests")
        fault.began = tally.now()
        kills, replaced = [], []
        for _ in range(5):  # until one kill is seen to cut off a request in flight
            at = tally.now()
            killed = faults.kill_a_worker(hosts[0].pid)
            if killed is None:
                raise RuntimeError("the first host has no worker to kill")
            kills.append(killed)
            replaced.append(round(faults.wait_for_replacement(hosts[0].pid, killed, WORKERS), 2))
            time.sleep(1.0)
            with tally.lock:
                if any(a.status == 0 and a.port == ports[0] and a.began <= at <= a.ended + 0.5 for a in tally.answers):
                    break
        fault.ended = tally.now()
        fault.details = {"workers_killed": len(kills), "seconds_until_replaced": replaced}
    elif name == "database":
        fault = Fault(name, "PostgreSQL stopped (pg_ctl stop -m fast: transactions in flight rolled back) and started")
        fault.began = tally.now()
        server.stop("fast")
        stopped = tally.now()
        time.sleep(OUTAGE_SECONDS)
        server.start()
        fault.ended = tally.now()
        fault.details = {"seconds_to_stop": round(stopped - fault.began, 2), "hosts_restarted": False}
    elif name == "unwritable":
        fault = Fault(name, "the evidence store's folder replaced by a file (nothing can be written under it)")
        store.make_unwritable()
        fault.began = tally.now()
        time.sleep(EVIDENCE_FAULT_SECONDS)
        fault.ended = tally.now()
        store.make_writable()
    elif name == "full":
        fault = Fault(name, "the evidence store's disk filled to the last byte")
        fault.details = {"bytes_written_to_fill_it": store.fill()}
        fault.began = tally.now()
        time.sleep(EVIDENCE_FAULT_SECONDS)
        fault.ended = tally.now()
        store.empty()
    else:
        raise RuntimeError(f"unknown fault {name!r} in LOADTEST_FAULTS (worker, database, unwritable, full, none)")
    return fault


def met(fault: Fault, began: float, ended: float) -> bool:
    """True for a request that overlapped the fault, give or take GRACE_SECONDS."""
    return began <= fault.ended + GRACE_SECONDS and ended >= fault.began - GRACE_SECONDS


def reconcile(tally: Tally, before: dict, media_root: Path) -> dict:
    """
    Check every update against the database: each accepted one has exactly its own history row or note; one refused
    (409, 400, the evidence not stored) left nothing; none is half written; counts add up.
    """
    from django.db import connection

    from tracker.models import Action, ProgressNote

    connection.close()  # a fresh connection sees everything the workers committed
    history = Counter()
    for action_id, reason, username in Action.history.filter(history_change_reason__contains=MARKER).values_list(
        "id", "history_change_reason", "history_user__username"
    ):
        history[action_id, token_in(reason), username] += 1
    notes = {}
    for action_id, text, username, attachment in ProgressNote.objects.filter(text__contains=MARKER).values_list(
        "action_id", "text", "author__username", "attachment"
    ):
        notes.setdefault((action_id, token_in(text), username), []).append(attachment)

    lost, refused_but_applied, half_written, done_though_unanswered = [], [], [], 0
    for update in tally.updates:
        key = (update.action, update.token, update.username)
        found = len(notes.get(key, [])) if update.kind == "note" else history[key]
        described = f"{update.kind} on action {update.action} by {update.username} ({update.token})"
        if found > 1:
            half_written.append(f"{described}: recorded {found} times")
        if update.status == 302:
            if found != 1:
                lost.append(described)
        elif update.status in (400, 403, 404, 409) or update.text_kept:
            if found:
                refused_but_applied.append(described)
        elif found:
            done_though_unanswered += 1  # no answer (a worker killed) or a 503 after the commit: made, whole
        if update.kind == "note" and found and update.with_file is not None:
            stored = notes[key][0]
            path = media_root / stored if stored else None
            if path is None or not path.is_file() or path.read_bytes() != update.with_file:
                half_written.append(f"{described}: its note is saved but its evidence file is not, or not whole")
    referenced = set(ProgressNote.objects.exclude(attachment="").values_list("attachment", flat=True))
    on_disk = {str(p.relative_to(media_root)) for p in (media_root / "evidence").rglob("*") if p.is_file()}
    transitions = sum(n for n in history.values())
    history_added = Action.history.count() - before["history"]
    versions_added = sum(Action.objects.values_list("version", flat=True)) - before["versions"]
    if history_added != versions_added:
        half_written.append(f"{versions_added} versions added but {history_added} history rows")
    return {
        "history_rows_added": history_added,
        "notes_added": ProgressNote.objects.count() - before["notes"],
        "lost": lost,
        "refused_but_applied": refused_but_applied,
        "half_written": half_written,
        "done_though_unanswered": done_though_unanswered,
        # Files written for a note whose transaction then failed: left over, referenced by nothing, harmless.
        "evidence_files_not_referenced": len(on_disk - referenced),
        "counts_reconcile": not lost and not half_written and history_added == transitions == versions_added,
    }


def describe(fault: Fault, tally: Tally, checked: dict) -> dict:
    """What one fault did to the clients: their answers meanwhile, and what was lost or half written."""
    answers = Counter(str(a.status) for a in tally.answers if met(fault, a.began, a.ended))
    updates = [u for u in tally.updates if met(fault, u.began, u.ended)]
    lost = [u for u in updates if u.status == 302 and any(u.token in text for text in checked["lost"])]
    after = [a for a in tally.answers if a.began >= fault.ended]
    first_success = min((a.ended for a in after if 200 <= a.status < 400), default=None)
    result = {
        "fault": fault.name,
        "injected": fault.injected,
        "began_at_s": round(fault.began, 1),
        "seconds": round(fault.ended - fault.began, 2),
        "answers_meanwhile": dict(sorted(answers.items())),
        "updates_meanwhile": len(updates),
        "updates_accepted_meanwhile": sum(u.status == 302 for u in updates),
        "lost_acknowledged_updates": len(lost),
        "recovered_after_s": round(first_success - fault.ended, 2) if first_success is not None else None,
        **fault.details,
    }
    if fault.name in ("unwritable", "full"):
        with_file = [u for u in updates if u.with_file is not None and fault.began <= u.began <= fault.ended]
        result["notes_with_evidence_sent_meanwhile"] = len(with_file)
        result["refused_503_with_the_note_kept"] = sum(u.text_kept for u in with_file)
        result["other_answers_to_them"] = dict(Counter(str(u.status) for u in with_file if not u.text_kept))
    return result


def unexpected(tally: Tally, done: list[Fault]) -> dict:
    """Answers no fault explains: any 500; a 503 or no answer outside the faults that cause them."""
    database = [f for f in done if f.name == "database"]
    killed = [f for f in done if f.name == "worker"]
    evidence = [f for f in done if f.name in ("unwritable", "full")]
    problems = Counter()
    for answer in tally.answers:
        if answer.status == 503 and not any(met(f, answer.began, answer.ended) for f in database + evidence):
            problems["503 outside a fault"] += 1
        elif answer.status == 0 and not any(met(f, answer.began, answer.ended) for f in killed + database):
            problems["no answer outside a fault"] += 1
        elif answer.status >= 500 and answer.status != 503:
            problems[f"{answer.status}"] += 1
    return dict(problems)


def main() -> int:
    server = faults.PrivatePostgres()
    store = None
    hosts = []
    try:
        server.start()
        database_url = server.url(DATABASE)
        create_database(database_url)
        if {"unwritable", "full"} & set(FAULTS):
            store = faults.EvidenceStore()
        media_root = store.root if store else ROOT / "var" / "loadtest-media"
        os.environ.update({"DATABASE_URL": database_url, "DJANGO_MEDIA_ROOT": str(media_root)})
        (media_root / "evidence").mkdir(parents=True, exist_ok=True)
        return run(server, store, hosts, media_root)
    except RuntimeError as exc:
        sys.exit(f"error: {exc}")
    finally:
        for process in hosts:
            stop_gunicorn(process)
        if store is not None:
            store.remove()
        server.remove()


def run(server, store, hosts: list, media_root: Path) -> int:
    delete_cached(CACHE_URL)
    django.setup()
    from django.contrib.sessions.models import Session as StoredSession
    from django.db import connection

    from tracker.models import Action, ProgressNote, User

    cast = seed()
    usernames = {}
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
    for port in ports:
        options = ("--timeout", "60", "--error-logfile", str(log))
        hosts.append(start_gunicorn(port, workers=WORKERS, env=os.environ.copy(), options=options))
    masters = [process.pid for process in hosts]

    tally = Tally()
    stop_at = time.monotonic() + SECONDS
    done: list[Fault] = []
    failures: list[str] = []

    def injector() -> None:
        for name in FAULTS:
            time.sleep(max(0.0, tally.started + FAULT_AT.get(name, 0.5) * SECONDS - time.monotonic()))
            try:
                done.append(inject(name, tally, hosts, ports, server, store))
            except Exception as exc:  # noqa: BLE001 - said in the result, and the run fails
                failures.append(f"injecting {name}: {exc}")

    breaker = threading.Thread(target=injector, daemon=True)
    breaker.start()
    run_clients(ports, cast, usernames, tally, stop_at)
    breaker.join(REQUEST_TIMEOUT * 3)
    duration = tally.now()
    hosts_alive = all(process.poll() is None for process in hosts) and [p.pid for p in hosts] == masters

    cached_keys = delete_cached(CACHE_URL)
    checked = reconcile(tally, before, media_root)
    latencies = sorted(tally.latencies)
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [0] * 99
    problems = unexpected(tally, done)
    accepted = tally.accepted
    result = {
        "clients": CLIENTS,
        "seconds": round(duration, 1),
        "requests": len(latencies),
        "updates_ok": len(accepted),
        # 503 only while a fault lasted (the database away: "try again"; the evidence store: the note kept); never
        # a 500; anything else is in unexpected_answers, and fails the run.
        "answers_500": sum(n for status, n in tally.statuses.items() if status >= 500 and status != 503),
        "answers_503_during_faults": tally.statuses[503] - problems.get("503 outside a fault", 0),
        "unexpected_answers": problems,
        "lost_acknowledged_updates": len(checked["lost"]),
        "half_written_changes": len(checked["half_written"]),
        "refused_but_applied": len(checked["refused_but_applied"]),
        "history_rows_added": checked["history_rows_added"],
        "p99_ms": round(quantiles[98], 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0,
        "p95_ms": round(quantiles[94], 1),
        "requests_per_second": round(len(latencies) / duration, 1),
        "status_changes_ok": sum(u.kind != "note" for u in accepted),
        "notes_ok": sum(u.kind == "note" for u in accepted),
        "notes_with_evidence_ok": sum(u.kind == "note" and u.with_file is not None for u in accepted),
        "updates_refused_stale_409": sum(u.status == 409 for u in tally.updates),
        "updates_unanswered_or_503": sum(u.status in (0, 503) and not u.text_kept for u in tally.updates),
        "updates_made_though_unanswered": checked["done_though_unanswered"],
        "evidence_files_not_referenced": checked["evidence_files_not_referenced"],
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "notes_added": checked["notes_added"],
        "counts_reconcile": checked["counts_reconcile"],
        "faults": [describe(fault, tally, checked) for fault in done],
        "fault_failures": failures,
        "hosts_never_restarted": hosts_alive,
        "missing_updates": checked["lost"][:20],
        "half_written": checked["half_written"][:20],
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
    # Every note with evidence sent while the store could not take it was refused with the note kept (or had got in
    # just before), and at least one was: the fault was met.
    evidence_faults_kept_the_note = all(
        set(f["other_answers_to_them"]) <= {"302"} and f["refused_503_with_the_note_kept"] > 0
        for f in result["faults"]
        if f["fault"] in ("unwritable", "full")
    )
    ok = (
        not problems
        and not failures
        and len(done) == len(FAULTS)
        and checked["counts_reconcile"]
        and not checked["refused_but_applied"]
        and accepted
        and hosts_alive
        and evidence_faults_kept_the_note
        and all(f["recovered_after_s"] is not None for f in result["faults"])
        and all(tally.hosts[port] for port in ports)
    )
    if not ok:
        print(f"FAILED: see {OUTPUT} and {log}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
