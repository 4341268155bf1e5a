"""
`make bench-scale`: how each page's cost grows with the data set. Every page and task `make bench` times, at
10,000, 100,000 and 1,000,000 actions on PostgreSQL and at 10,000 and 100,000 on SQLite, each size a data set
of its own built by the demo generator once and kept (SQLite var/bench-<size>.sqlite3, PostgreSQL
tracker_bench_<size>; the 100,000-action sets are `make bench`'s own). Prints one table with the growth
factor of each page from size to size, and writes the rows into bench/results.json beside `make bench`'s,
each marked "scale" with `rows` the actions in its data set (`page_rows` what the page itself lists).

Fewer repetitions than `make bench` (BENCH_REPEAT=5; an export, the reminders: once), since a million
actions make the slow tasks minutes long; the figures are medians all the same.
"""

from __future__ import annotations

import json
import time

from bench.run import DATABASES, RESULTS, ROOT, step

SIZES = {"postgresql": (10_000, 100_000, 1_000_000), "sqlite": (10_000, 100_000)}
LABELS = {10_000: "10k", 100_000: "100k", 1_000_000: "1m"}
QUICK = {"BENCH_REPEAT": "5", "BENCH_EXPORT_REPEAT": "1", "BENCH_REMINDER_REPEAT": "1"}


def database_url(vendor: str, size: int) -> str:
    if size == 100_000:
        return DATABASES[vendor]
    if vendor == "sqlite":
        return f"sqlite:///{ROOT / 'var' / f'bench-{LABELS[size]}.sqlite3'}"
    return DATABASES["postgresql"].rsplit("/", 1)[0] + f"/tracker_bench_{LABELS[size]}"


def measure(vendor: str, size: int, earlier: dict) -> list[dict]:
    url = database_url(vendor, size)
    print(f"\n== {vendor}, {size:,} actions: {url}", flush=True)
    started = time.monotonic()
    said = step("bench.data", url, env={"BENCH_ACTIONS": str(size)}).strip()
    print(said, flush=True)
    # How long the generator took, from this run if it built the set, else from the run that did.
    built_in = round(time.monotonic() - started) if "Built in" in said else earlier.get((vendor, size))
    rows = json.loads(step("bench.measure", url, env=QUICK))
    for row in rows:
        row.update(scale=True, page_rows=row["rows"], rows=size, generator_seconds=built_in)
    return rows


def table(rows: list[dict]) -> str:
    by_page: dict[tuple[str, str], dict[int, float]] = {}
    for r in rows:
        by_page.setdefault((r["name"], r["database"]), {})[r["rows"]] = r["median_ms"]
    header = f"{'page or task':<44} {'db':<10} {'10k':>9} {'100k':>9} {'1M':>9} {'×10k→100k':>10} {'×100k→1M':>9}"
    lines = [header, "-" * len(header)]
    for (name, vendor), times in by_page.items():

        def at(size: int, times=times) -> str:
            return f"{times[size]:.1f}" if size in times else ""

        def growth(small: int, large: int, times=times) -> str:
            return f"{times[large] / times[small]:.2f}" if small in times and large in times else ""

        lines.append(
            f"{name[:44]:<44} {vendor:<10} {at(10_000):>9} {at(100_000):>9} {at(1_000_000):>9} "
            f"{growth(10_000, 100_000):>10} {growth(100_000, 1_000_000):>9}"
        )
    lines.append("medians in ms; × = time at the larger data set ÷ time at the smaller (10× the actions each)")
    return "\n".join(lines)


def main() -> None:
    kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    earlier = {(r["database"], r["rows"]): r.get("generator_seconds") for r in kept if r.get("scale")}
    rows: list[dict] = []
    for vendor, sizes in SIZES.items():
        for size in sizes:
            rows += measure(vendor, size, earlier)
    print("\n" + table(rows))
    for vendor, sizes in SIZES.items():
        largest = max(sizes)
        built = next((r["generator_seconds"] for r in rows if (r["database"], r["rows"]) == (vendor, largest)), None)
        took = "kept from an earlier run" if built is None else f"{built} s"
        print(f"Generator, {largest:,} actions on {vendor}: {took}")
    RESULTS.write_text(json.dumps([r for r in kept if not r.get("scale")] + rows, indent=2) + "\n")
    print(f"Wrote the scale rows into {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
