"""
README's "Importing a report" commands run as written on a checkout set up by `make run`, and before
`migrate` they say in one line what to run instead of printing a traceback.

Each test runs the real commands in a subprocess, in a scratch checkout (links to this one's code and
virtualenv) with its own SQLite database, so nothing is written to this checkout's fixtures.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.seeds import SEEDS

ROOT = Path(__file__).resolve().parents[1]
SEED = SEEDS / "004_b223533a9aa4004e.txt"
LINKED = ["Makefile", "tracker", "templates", ".venv", "requirements.txt"]


def readme_import_commands() -> list[str]:
    """Return the commands of the first shell block under README's "Importing a report", comments cut."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Importing a report", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.split("#", 1)[0].strip()]


@pytest.fixture
def checkout(tmp_path) -> Path:
    """Return a scratch checkout: this one's code, an empty fixtures/reports and the forces fixture.

    manage.py and config/ are copies, so that the settings' BASE_DIR is the scratch checkout; its static/ is
    an empty folder of its own: the commands never serve the built assets, so `make assets` need not have run.
    """
    for name in LINKED:
        (tmp_path / name).symlink_to(ROOT / name)
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    shutil.copytree(ROOT / "config", tmp_path / "config", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "static").mkdir()
    (tmp_path / "fixtures" / "reports").mkdir(parents=True)
    shutil.copy(ROOT / "fixtures" / "forces.json", tmp_path / "fixtures" / "forces.json")
    shutil.copy(SEED, tmp_path / "report.txt")
    return tmp_path


def run(command: str, checkout: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "MAKE"))}
    return subprocess.run(
        command,
        shell=True,
        cwd=checkout,
        env={**clean, "DATABASE_URL": f"sqlite:///{checkout / 'db.sqlite3'}", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def set_up(checkout: Path) -> None:
    """Do what `make run` does to the database before serving: migrate, then load the forces."""
    python = f"DJANGO_DEBUG=true {sys.executable} manage.py"
    for command in (f"{python} migrate --noinput -v0", f"{python} loaddata fixtures/forces.json -v0"):
        done = run(command, checkout)
        assert done.returncode == 0, done.stderr


def test_readme_documents_the_make_targets():
    commands = readme_import_commands()
    assert [c.split()[:2] for c in commands] == [["make", "import-report"], ["make", "load-report"]]


def test_readme_import_commands_run_as_written(checkout):
    set_up(checkout)
    convert, load = readme_import_commands()

    converted = run(convert.replace("FILE=report.pdf", "FILE=report.txt"), checkout)
    assert converted.returncode == 0, converted.stdout + converted.stderr
    (fixture,) = (checkout / "fixtures" / "reports").glob("*.json")
    assert f"Load it with: make load-report FIXTURE=fixtures/reports/{fixture.name}" in converted.stdout

    for _ in range(2):  # the second load changes nothing
        loaded = run(load.replace("<slug>", fixture.stem), checkout)
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        assert "Loaded 1 report fixture(s)" in loaded.stdout


def _one_line_saying_to_migrate(done: subprocess.CompletedProcess) -> None:
    assert done.returncode != 0
    assert "Traceback" not in done.stdout + done.stderr
    # Leave out make's own "Error 1" line and django-axes' start-up banner, printed by every command.
    lines = [line for line in done.stderr.splitlines() if not line.startswith(("make: ***", "AXES: "))]
    assert len(lines) == 1 and "run `make migrate` (or `manage.py migrate`)" in lines[0], done.stderr


def test_converting_before_migrate_says_what_to_run(checkout):
    _one_line_saying_to_migrate(run("make import-report FILE=report.txt PUBLISHED=2014-11-27", checkout))


def test_loading_before_migrate_says_what_to_run(checkout):
    fixture = "fixtures/reports/police-integrity-and-corruption-2014-metropolitan.json"
    shutil.copy(ROOT / fixture, checkout / fixture)
    _one_line_saying_to_migrate(run(f"make load-report FIXTURE={fixture}", checkout))


def test_manage_py_without_development_settings_still_refuses_to_start(checkout):
    done = run(f"{sys.executable} manage.py load_reports", checkout)
    assert done.returncode != 0 and "DJANGO_SECRET_KEY is not set" in done.stderr
