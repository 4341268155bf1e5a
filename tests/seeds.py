"""Where the seed reports are: ../shared/seeds beside the checkout (as in CI), or TRACKER_SEEDS_DIR."""

import os
from pathlib import Path

SEEDS = Path(os.environ.get("TRACKER_SEEDS_DIR") or Path(__file__).resolve().parents[2] / "shared" / "seeds")

if not (SEEDS / "README.md").exists():
    # Fail loudly at collection: the importer's tests must never pass by skipping the real reports.
    raise RuntimeError(f"Seed reports not found at {SEEDS}: put shared/ beside the checkout or set TRACKER_SEEDS_DIR.")
