"""Regenerate fixtures/reports/*.json from the seed reports, as listed in fixtures/report-sources.json."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(seeds: str) -> int:
    sources = json.loads((ROOT / "fixtures" / "report-sources.json").read_text())
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DJANGO_DEBUG": "true", "DATABASE_URL": f"sqlite:///{folder}/fixtures.sqlite3"}
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*manage, "loaddata", "-v0", str(ROOT / "fixtures" / "forces.json")], env=env, check=True)
        for name, source in sources.items():
            if name.startswith("_"):
                continue
            command = [
                *manage,
                "report_to_fixture",
                str(Path(seeds) / source["seed"]),
                "-o",
                str(ROOT / "fixtures" / "reports" / name),
            ]
            if source.get("published"):
                command += ["--published", source["published"]]
            if source.get("force"):
                command += ["--force", source["force"]]
            subprocess.run(command, env=env, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT.parent / "shared" / "seeds")))
