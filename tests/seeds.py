"""Where the seed reports are: ../shared/seeds beside the checkout (as in CI), or TRACKER_SEEDS_DIR."""

import os
from pathlib import Path

from tracker.report_parser import read_report_text

SEEDS = Path(os.environ.get("TRACKER_SEEDS_DIR") or Path(__file__).resolve().parents[2] / "shared" / "seeds")

if not (SEEDS / "README.md").exists():
    # Fail loudly at collection: the importer's tests must never pass by skipping the real reports.
    raise RuntimeError(f"Seed reports not found at {SEEDS}: put shared/ beside the checkout or set TRACKER_SEEDS_DIR.")


def read_seed(name: str) -> str:
    """Return a seed report's text as the importer reads it, failing (never skipping) if it is missing."""
    path = SEEDS / name
    assert path.is_file(), f"seed report missing: {path}"
    return read_report_text(path)
