"""
Download every action as CSV (or as Excel: `python -m bench.export_memory xlsx`) in a fresh process; print
how long it took, how many rows it held and the process's peak memory (JSON).

Run on its own so nothing else the benchmark did inflates the peak: the number is what one worker
process reaches while it sends a 100,000-row download.
"""

import json
import os
import re
import resource
import sys
import tempfile
import time
import zipfile

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.test import Client  # noqa: E402

from tracker.models import User  # noqa: E402

FORMATS = ("csv", "xlsx")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def xlsx_rows(file) -> int:
    """Return how many rows after the header the Excel file's sheet holds, reading its XML a megabyte at a time."""
    rows, tail = 0, b""
    with zipfile.ZipFile(file) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        while piece := sheet.read(1 << 20):
            text = tail + piece
            rows += len(re.findall(rb"<row[ >]", text))
            tail = text[-4:]  # the start of a "<row " cut between two pieces (too short to be counted twice)
    return rows - 1


def main() -> None:
    fmt = sys.argv[1] if len(sys.argv) > 1 else "csv"
    if fmt not in FORMATS:
        sys.exit(f"Format {fmt!r}: expected one of {', '.join(FORMATS)}.")
    client = Client(raise_request_exception=True)
    client.force_login(User.objects.get(username="demo.reviewer"), backend="django.contrib.auth.backends.ModelBackend")
    client.get("/dashboard/")  # load the URLconf, templates and middleware first
    before = rss_mb()
    with tempfile.TemporaryFile() as received:  # what the client got, kept on disk to count the Excel rows after
        started = time.perf_counter()
        response = client.get(f"/actions/export.{fmt}?list=all")
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
            received.write(chunk)
        response.close()
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
        rows = lines - 1 if fmt == "csv" else xlsx_rows(received)
    json.dump(
        {
            "format": fmt,
            "streamed": response.streaming,
            "rows": rows,
            "bytes": size,
            "seconds": round(seconds, 2),
            "rss_before_mb": round(before, 1),
            "peak_rss_mb": round(peak, 1),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
