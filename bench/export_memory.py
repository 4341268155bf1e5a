"""
Stream the CSV export of every action in a fresh process and print its peak memory (JSON).

Run on its own so nothing else the benchmark did inflates the peak: the number is what one worker
process reaches while it sends a 100,000-row download.
"""

import json
import os
import resource
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.test import Client  # noqa: E402

from tracker.models import User  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    client = Client(raise_request_exception=True)
    client.force_login(User.objects.get(username="demo.reviewer"), backend="django.contrib.auth.backends.ModelBackend")
    client.get("/dashboard/")  # load the URLconf, templates and middleware first
    before = rss_mb()
    started = time.perf_counter()
    response = client.get("/actions/export.csv?list=all")
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    json.dump(
        {
            "streamed": response.streaming,
            "rows": lines - 1,
            "bytes": size,
            "seconds": round(seconds, 2),
            "rss_before_mb": round(before, 1),
            "peak_rss_mb": round(peak, 1),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
