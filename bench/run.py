"""
`make bench`: build the national data set where missing, time every page and task on SQLite and PostgreSQL,
print one table and write bench/results.json.

Each step runs in its own process (settings are per process, and the export's peak memory must be its own):
bench.data builds or reuses the data set, bench.measure times the pages, bench.export_memory downloads the
CSV and the Excel export (a process each), bench.concurrency drives gunicorn. Databases: BENCH_SQLITE_URL
(default var/bench.sqlite3) and BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/tracker_bench),
never the development ones.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"  # one object per page or task
DATABASES = {
    "sqlite": os.environ.get("BENCH_SQLITE_URL") or f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}",
    "postgresql": os.environ.get("BENCH_POSTGRES_URL") or "postgres://postgres@127.0.0.1:5432/tracker_bench",
}
MEMORY_BUDGET_MB = 150
EXPORTS = {"csv": "CSV export, every action", "xlsx": "Excel export, every action"}  # bench.measure's rows
CSV_EXPORT_FLOOR_FACTOR = 2.5
FLOOR_FACTORS = {"National dashboard": 2, "Overdue report": 1.5}  # at most this many times the SQL floor
REMINDER_CHOOSE_QUERIES = 19  # as tests/test_reminders.py asserts


def step(module: str, url: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run `python -m module args` against the database `url` (and `env`); return what it printed on stdout."""
    env = {
        **os.environ,
        "BENCH_DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONWARNINGS": "ignore",
        **(env or {}),
    }
    done = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True
    )
    return done.stdout


def bench_database(vendor: str, url: str, concurrency: bool) -> list[dict]:
    print(f"\n== {vendor}: {url}", flush=True)
    print(step("bench.data", url).strip(), flush=True)
    rows = json.loads(step("bench.measure", url))
    for fmt, name in EXPORTS.items():
        memory = json.loads(step("bench.export_memory", url, fmt))
        for row in rows:
            if row["name"] == name:
                rows_per_s = round(row["rows"] / (row["median_ms"] / 1000))
                row.update(
                    {"peak_rss_mb": memory["peak_rss_mb"], "streamed": memory["streamed"], "rows_per_s": rows_per_s}
                )
    if concurrency:
        rows += json.loads(step("bench.concurrency", url))
    return rows


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a and b else ""


def table(rows: list[dict]) -> str:
    header = (
        f"{'page or task':<44} {'db':<10} {'rows':>7} {'median':>8} {'p95':>8} {'p99':>8} {'queries':>7} "
        f"{'floor':>8} {'÷floor':>6} {'admin':>8} {'admin÷':>6} {'req/s':>6} {'RSS MB':>6}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r['name'][:44]:<44} {r['database']:<10} {r['rows']:>7} {r['median_ms']:>8.1f} {r['p95_ms']:>8.1f} "
            f"{r.get('p99_ms', ''):>8} {'' if r.get('queries') is None else r['queries']:>7} "
            f"{r.get('floor_sql_ms', ''):>8} {ratio(r['median_ms'], r.get('floor_sql_ms')):>6} "
            f"{r.get('admin_ms', ''):>8} {ratio(r.get('admin_ms'), r['median_ms']):>6} "
            f"{r.get('throughput_rps', ''):>6} {r.get('peak_rss_mb', ''):>6}"
        )
    lines.append(
        "times in ms; ÷floor = page ÷ hand-written SQL; admin÷ = admin changelist ÷ page (above 1: page faster)"
    )
    return "\n".join(lines)


def targets(rows: list[dict]) -> list[str]:
    """Return one line per target of the performance issue: met or missed, with the figures."""
    out = []
    recounts = {r["database"]: r for r in rows if r["name"] == "Dashboard, full recount"}
    for r in rows:
        where = f"{r['name']} ({r['database']})"
        if r["name"] == "National dashboard" and r["database"] in recounts:
            recount = recounts[r["database"]]["median_ms"]
            out.append(
                f"{'met   ' if r['median_ms'] * 5 <= recount else 'MISSED'} {where}: {ratio(recount, r['median_ms'])}× "
                f"faster than the full recount of {r['rows']} actions ({recount:.0f} ms; target ≥ 5)"
            )
        if r["name"] in FLOOR_FACTORS:
            within = r["median_ms"] <= FLOOR_FACTORS[r["name"]] * r["floor_sql_ms"]
            faster = r["median_ms"] < r["admin_ms"]
            out.append(
                f"{'met   ' if within and faster else 'MISSED'} {where}: {ratio(r['median_ms'], r['floor_sql_ms'])}× "
                f"the SQL floor (target ≤ {FLOOR_FACTORS[r['name']]:g}), admin {ratio(r['admin_ms'], r['median_ms'])}× "
                "slower (target > 1)"
            )
        elif r["name"] in EXPORTS.values():
            ok = r.get("streamed") and r.get("peak_rss_mb", 1e9) < MEMORY_BUDGET_MB
            speed = f"{ratio(r['median_ms'], r.get('floor_sql_ms'))}× the SQL floor"
            if r["name"] == EXPORTS["csv"]:
                ok = ok and r["median_ms"] <= CSV_EXPORT_FLOOR_FACTOR * r["floor_sql_ms"]
                speed += f" (target ≤ {CSV_EXPORT_FLOOR_FACTOR})"
            out.append(
                f"{'met   ' if ok else 'MISSED'} {where}: {speed}, {r.get('rows_per_s', 0):,} rows/s, "
                f"streamed={r.get('streamed')}, peak RSS {r.get('peak_rss_mb')} MB (target < {MEMORY_BUDGET_MB})"
            )
        elif r["name"].startswith("Dashboard, ") and "reviewers at work" in r["name"]:
            alone = next(a for a in rows if a["database"] == r["database"] and a["name"].startswith("Dashboard, 1 "))
            no_pause = r["name"].replace(" reviewers at work", " clients")  # the same clients, never pausing
            saturated = [s for s in rows if s["database"] == r["database"] and s["name"] == no_pause]
            out.append(
                f"{'met   ' if r['p99_ms'] <= 3 * alone['median_ms'] else 'MISSED'} {where}: p99 "
                f"{r['p99_ms']:.0f} ms = {ratio(r['p99_ms'], alone['median_ms'])}× one client's median "
                f"({alone['median_ms']:.0f} ms; target ≤ 3), think time {r['think_seconds']:g} s on average"
                + "".join(
                    f"; with none, p99 = {ratio(s['p99_ms'], alone['median_ms'])}× (at least clients ÷ workers: a "
                    "saturation run)"
                    for s in saturated
                )
            )
        elif r["name"] == "Group a report into themes":
            out.append(
                f"{'met   ' if r['median_ms'] < 1000 else 'MISSED'} {where}: {r['median_ms']:.0f} ms against "
                f"{r['rows']} recommendations (target well under 1000)"
            )
        elif r["name"] == "Send reminders (digest day)":
            # Each email's claim is SAVEPOINT, INSERT, RELEASE inside the bench's rolled-back transaction.
            per_email = (r["send_queries"] - 1) / r["emails"]
            ok = r["median_ms"] < 30_000 and r["choose_queries"] <= REMINDER_CHOOSE_QUERIES and per_email <= 3
            out.append(
                f"{'met   ' if ok else 'MISSED'} {where}: {r['median_ms'] / 1000:.1f} s for {r['emails']} emails to "
                f"{r['recipients']} recipients over {r['rows']} actions; {r['choose_queries']} queries to choose "
                f"them, then 1 + {per_email:g} an email (target < 30 s, ≤ {REMINDER_CHOOSE_QUERIES} to choose "
                "whatever the actions and recipients, ≤ 3 an email)"
            )
        elif r["name"] == "Import a seed report":
            ok = r["median_ms"] <= 250 and r["queries"] <= 60
            out.append(
                f"{'met   ' if ok else 'MISSED'} {where}: {r['median_ms']:.0f} ms, {r['queries']} queries "
                f"against {r['rows']} objects (target ≤ 250 ms, ≤ 60 queries)"
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(DATABASES), help="Benchmark one database.")
    parser.add_argument("--no-concurrency", action="store_true", help="Skip the gunicorn run.")
    args = parser.parse_args()
    started = time.monotonic()
    load_before = os.getloadavg()
    rows: list[dict] = []
    for vendor, url in DATABASES.items():
        if args.only in (None, vendor):
            rows += bench_database(vendor, url, concurrency=not args.no_concurrency)
    minutes = (time.monotonic() - started) / 60
    print("\n" + table(rows))
    print("\nTargets:\n" + "\n".join(targets(rows)))
    print(
        f"\nmake bench took {minutes:.1f} minutes; "
        f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)"
    )
    scale = [r for r in json.loads(RESULTS.read_text()) if r.get("scale")] if RESULTS.exists() else []
    RESULTS.write_text(json.dumps(rows + scale, indent=2) + "\n")  # `make bench-scale`'s rows kept as they were
    print(f"Wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
