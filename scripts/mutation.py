"""
`make mutation`: mutation testing of the business rules with mutmut (pinned in requirements-dev.txt).

mutmut copies tracker/ and the files listed in pyproject's [tool.mutmut] into mutants/, runs the non-browser
suite there once to learn which tests reach which function, then forks one pytest per mutant that runs only
those tests. This script starts from an empty mutants/ every time (so a run never reuses a stale verdict),
then writes bench/mutation.json: per module the counts and score, every mutant that was not killed with a
one-line diff (original line -> mutated line) and an identifier that stays the same across runs.

Accepted equivalent mutants (no test could ever tell them apart from the original) are listed, each with its
reason, in bench/mutation_equivalents.toml, keyed by module, function and the line before and after; an entry
that matches no surviving mutant is reported as stale. The exit status is 1 if any module kills fewer than 95%
of its non-equivalent mutants.

    .venv/bin/python scripts/mutation.py                      # all modules (what `make mutation` runs)
    .venv/bin/python scripts/mutation.py tracker/dates.py     # only some modules (updates their lines only)
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Generator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "mutation.json"
EQUIVALENTS = ROOT / "bench" / "mutation_equivalents.toml"
MUTMUT_VERSION = "3.8.1"
THRESHOLD = 0.95

# mutmut 3.8.1 leaves every decorated function alone (its trampoline cannot sit under @property). These two
# decorators hold the rules this run is for (Action.is_overdue and friends; every workflow operation), so
# patch_mutmut() lets it mutate them: the trampoline keeps the decorator, the copies it switches between do not.
MUTABLE_DECORATORS = {"property", "transaction.atomic"}

KILLED = {"killed", "caught by type check"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="only these of [tool.mutmut] only_mutate (default: all)")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--survivors", type=Path, help="also write the survivors, one block each, to this file")
    parser.add_argument(
        "--report-only", action="store_true", help="no run: report what is in mutants/ now (also during a run)"
    )
    args = parser.parse_args()

    os.chdir(ROOT)
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    modules = args.modules or config["only_mutate"]
    unknown = sorted(set(modules) - set(config["only_mutate"]))
    if unknown:
        parser.error(f"not in [tool.mutmut] only_mutate: {', '.join(unknown)}")

    import mutmut

    if mutmut.__version__ != MUTMUT_VERSION:
        sys.exit(f"error: mutmut {mutmut.__version__} is installed; this script is written for {MUTMUT_VERSION}")
    # The tests find the seed reports beside the checkout; from mutants/tests/ that guess points elsewhere.
    os.environ.setdefault("TRACKER_SEEDS_DIR", str(ROOT.parent / "shared" / "seeds"))
    os.environ["MUTATION_TEST_DB"] = str(ROOT / "mutants" / "test-db.sqlite3")
    run_record = ROOT / "mutants" / "mutation-run.json"
    if args.report_only:
        # After a run, or during one (mutants not tested yet are counted as not_checked).
        run = json.loads(run_record.read_text()) if run_record.exists() else {"wall_seconds": None, "modules": []}
        modules = args.modules or run["modules"] or config["only_mutate"]
    else:
        started = time.monotonic()
        commit = current_commit()  # the code and tests this run measures (mutmut copies them now)
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        # Tests run the README's commands (make import-report…) from the copy's root: they need the venv there, and
        # the single sign-on tests start the local identity provider from npm's packages (tests/oidc.py).
        (ROOT / "mutants").mkdir()
        (ROOT / "mutants" / ".venv").symlink_to(ROOT / ".venv")
        (ROOT / "mutants" / "node_modules").symlink_to(ROOT / "node_modules")
        patch_mutmut()

        from mutmut.__main__ import _run

        # One module after another (the first run also learns which tests reach which function, for all), so
        # each module's numbers are final as soon as it is done; the survivors file is rewritten after each.
        for done, path in enumerate(modules, start=1):
            print(f"\n== {path} ({done}/{len(modules)})", flush=True)
            try:
                with without_mutant_list():
                    _run([module_name(path) + ".*"], args.max_children)
            except SystemExit as stop:
                if stop.code:
                    print("error: mutmut stopped before testing the mutants (see above)", file=sys.stderr)
                    return 2
            if args.survivors:
                args.survivors.write_text(survivors_text(collect(modules[:done], load_equivalents())))
        run = {"wall_seconds": round(time.monotonic() - started), "modules": modules, "commit": commit}
        run_record.write_text(json.dumps(run))

    report = collect(modules, load_equivalents())
    report["wall_seconds"] = run["wall_seconds"]
    report["mutmut"] = MUTMUT_VERSION
    print_table(report)
    if run["wall_seconds"] is not None and not any(m["not_checked"] for m in report["modules"].values()):
        write_results(report, run)  # a finished run (again with --report-only, say after listing an equivalent)
    if args.survivors:
        args.survivors.write_text(survivors_text(report))
        print(f"wrote {args.survivors}")
    below = [name for name, module in report["modules"].items() if module["score"] < THRESHOLD]
    if below:
        print(f"\nbelow {THRESHOLD:.0%} of non-equivalent mutants killed: {', '.join(below)}", file=sys.stderr)
        return 1
    return 0


def current_commit() -> str | None:
    """Return the checkout's commit (short), with "+changes" when files git tracks differ from it."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, cwd=ROOT
    )
    return (head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")) or None


def write_results(report: dict, run: dict) -> None:
    """
    Record this run's modules in bench/mutation.json, keeping the other modules' last results: running only the
    modules a change touches updates their lines. Each module says which commit and run it was measured on.
    """
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"modules": {}}
    measured = {
        "commit": run.get("commit") or current_commit(),
        "date": datetime.date.today().isoformat(),
        "run_modules": run["modules"],
        "run_wall_seconds": run["wall_seconds"],
    }
    for path, module in report["modules"].items():
        results["modules"][path] = {"measured": measured, **module}
    results["mutmut"] = report["mutmut"]
    results["threshold"] = THRESHOLD
    results["stale_equivalents"] = [
        entry for entry in results.get("stale_equivalents", []) if entry["module"] not in report["modules"]
    ] + report["stale_equivalents"]
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {RESULTS.relative_to(ROOT)} ({', '.join(report['modules'])})")


@contextlib.contextmanager
def without_mutant_list():
    """Asked for one module's mutants by name, mutmut ends by listing every one of them: leave that out."""

    class Output(io.TextIOBase):
        hiding = False

        def write(self, text: str) -> int:
            self.hiding = self.hiding or "Mutant results" in text
            return len(text) if self.hiding else stdout.write(text)

        def flush(self) -> None:
            stdout.flush()

    stdout = sys.stdout
    sys.stdout = Output()
    try:
        yield
    finally:
        sys.stdout = stdout


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def patch_mutmut() -> None:
    """Let mutmut 3.8.1 mutate functions decorated only with MUTABLE_DECORATORS (see above)."""
    import libcst as cst
    from libcst.metadata import PositionProvider
    from mutmut.mutation import file_mutation

    def decorator_name(decorator: cst.Decorator) -> str:
        return cst.Module([]).code_for_node(decorator.decorator)

    def only_mutable_decorators(node: cst.CSTNode) -> bool:
        return (
            isinstance(node, cst.FunctionDef)
            and bool(node.decorators)
            and all(decorator_name(d) in MUTABLE_DECORATORS for d in node.decorators)
        )

    visitor = file_mutation.MutationVisitor
    skip = visitor._skip_node_and_children

    def skip_node_and_children(self, node):
        if not only_mutable_decorators(node):
            return skip(self, node)
        # What mutmut checks of a function before it gets to the decorators: the pragmas and its never-list.
        position = self.get_metadata(PositionProvider, node, None)
        if position and position.start.line in self._ignored_node_lines:
            self.ignored_functions.add(node.name.value)
            return True
        return node.name.value in file_mutation.NEVER_MUTATE_FUNCTION_NAMES

    arrange = file_mutation.function_trampoline_arrangement

    def function_trampoline_arrangement(function, mutants, class_name):
        declarations, methods, assignments, names = arrange(function, mutants, class_name)
        if only_mutable_decorators(function):
            # methods[0] is the trampoline, decorated; the original and the mutants are plain functions it calls.
            methods = [methods[0], *(method.with_changes(decorators=[]) for method in methods[1:])]
        return declarations, methods, assignments, names

    visitor._skip_node_and_children = skip_node_and_children
    file_mutation.function_trampoline_arrangement = function_trampoline_arrangement

    # Some tests run manage.py in a subprocess. While mutmut records which tests reach which function ("stats"),
    # a subprocess would inherit MUTANT_UNDER_TEST=stats and fail looking for mutmut's configuration: keep
    # "stats" in this process only (mutmut falls back to its process-local copy), so a subprocess runs the
    # original code. A mutant's own run still exports its name, so a subprocess runs the mutant too.
    import mutmut.__main__ as cli
    from mutmut.workers.isolation import ForkRunner

    set_mutant_under_test = cli.set_mutant_under_test

    def set_mutant_in_this_process_only(name):
        set_mutant_under_test(name)
        if name == "stats":
            os.environ.pop("MUTANT_UNDER_TEST", None)

    cli.set_mutant_under_test = set_mutant_in_this_process_only
    # mutmut then runs the same tests again, unmutated, before the mutants; the stats run has just done that
    # (it stops the run if a test fails), and it is the longest step. Skip the repeat.
    ForkRunner.run_clean_tests = lambda self, tests: 0


def load_equivalents() -> list[dict]:
    if not EQUIVALENTS.exists():
        return []
    entries = tomllib.loads(EQUIVALENTS.read_text()).get("equivalent", [])
    for entry in entries:
        missing = {"module", "function", "before", "after", "reason"} - set(entry)
        if missing:
            sys.exit(f"error: {EQUIVALENTS.name}: an entry lacks {', '.join(sorted(missing))}: {entry}")
    return entries


def collect(modules: list[str], equivalents: list[dict]) -> dict:
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    used = set()
    report = {"modules": {}}
    for path in modules:
        data = SourceFileMutationData(path=Path(path))
        data.load()
        source = (ROOT / path).read_text()
        tree = ast.parse(source)
        counts = Counter()
        survivors, accepted, killed_equivalents = [], [], []
        seen = Counter()
        called_at_import = functions_called_at_import(tree)
        for key in sorted(data.exit_code_by_key, key=mutant_order):
            status = status_by_exit_code[data.exit_code_by_key[key]]
            if status in {"survived", "no tests"} and function_name(key) in called_at_import:
                status = "import time"
            counts["mutants"] += 1
            if status in KILLED:
                counts["killed"] += 1
            diff = get_diff_for_mutant(key, path=path)
            before, after = one_line_diff(diff)
            function = function_name(key)
            # Same function, same change: the n-th such mutant keeps its identifier however the others move.
            seen[(function, before, after)] += 1
            digest = hashlib.sha1(f"{function}\n{before}\n{after}\n{seen[(function, before, after)]}".encode())
            mutant = {
                "id": f"{module_name(path).removeprefix('tracker.')}:{function}:{digest.hexdigest()[:8]}",
                "function": function,
                "status": status,
                "line": source_line(source, tree, function, diff),
                "before": before,
                "after": after,
                "mutmut_name": key,
            }
            where = (path, function, before, after)
            matches = [
                i for i, e in enumerate(equivalents) if (e["module"], e["function"], e["before"], e["after"]) == where
            ]
            used.update(matches)
            if matches and status in KILLED:
                killed_equivalents.append({**mutant, "reason": equivalents[matches[0]]["reason"]})
            elif matches:
                accepted.append({**mutant, "reason": equivalents[matches[0]]["reason"]})
            elif status == "not checked":
                counts["not checked"] += 1
            elif status not in KILLED:
                survivors.append(mutant)
                counts[bucket(status)] += 1
        mutants, killed = counts["mutants"], counts["killed"]
        denominator = mutants - len(accepted)
        report["modules"][path] = {
            "mutants": mutants,
            "killed": killed,
            "survived": counts["survived"],
            "no_tests": counts["no tests"],
            "timeout": counts["timeout"],
            "import_time": counts["import time"],
            "suspicious": counts["suspicious"],
            "not_checked": counts["not checked"],
            "equivalent": len(accepted),
            "score": round(killed / denominator, 4) if denominator else 1.0,
            "survivors": survivors,
            "equivalents": accepted,
            "equivalents_killed": killed_equivalents,
        }
    report["stale_equivalents"] = [
        entry for i, entry in enumerate(equivalents) if i not in used and entry["module"] in modules
    ]
    return report


def bucket(status: str) -> str:
    return status if status in {"survived", "no tests", "timeout", "import time"} else "suspicious"


def functions_called_at_import(tree: ast.Module) -> set[str]:
    """
    The module's functions that its own import calls (e.g. to build a table of rules). The forked test runs
    import nothing afresh, so what such a call returned is the original's whatever the mutant: mutmut cannot
    test these mutants, and reports them as survivors. They are counted apart ("import time"), not as killed.
    """
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    called = set()
    statements = list(tree.body)
    while statements:
        node = statements.pop()
        if isinstance(node, ast.ClassDef):
            statements.extend(node.body)
        elif not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            called |= {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return called & defined


def mutant_order(key: str) -> tuple[str, int]:
    function, _, number = key.rpartition("__mutmut_")
    return function, int(number)


def function_name(key: str) -> str:
    """tracker.models.xǁActionǁis_overdue__mutmut_3 -> Action.is_overdue; tracker.dates.x_today__mutmut_1 -> today"""
    from mutmut.utils.format_utils import parse_mutant_key

    name, class_name = parse_mutant_key(key.rpartition(".")[2].rpartition("__mutmut_")[0])
    return f"{class_name}.{name}" if class_name else name


def one_line_diff(diff: str) -> tuple[str, str]:
    """The changed lines of a mutant's diff, each side joined into one line (a statement may span several)."""
    lines = [line for line in diff.splitlines()[2:] if not line.startswith("@@")]
    before = " ".join(line[1:].strip() for line in lines if line.startswith("-"))
    after = " ".join(line[1:].strip() for line in lines if line.startswith("+"))
    return before, after


def source_line(source: str, tree: ast.Module, function: str, diff: str) -> int | None:
    """Where the first changed line is in the original file, searched within the function, for a person to go to."""
    removed = [line[1:].strip() for line in diff.splitlines()[2:] if line.startswith("-")]
    node = find_function(tree, function.split("."))
    if not removed or node is None:
        return None
    lines = source.splitlines()
    for number in range(node.lineno, node.end_lineno + 1):
        if lines[number - 1].strip() == removed[0]:
            return number
    return node.lineno


def find_function(tree: ast.AST, names: list[str]) -> ast.AST | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name == names[0]:
            return node if len(names) == 1 else find_function(node, names[1:])
    return None


def print_table(report: dict) -> None:
    columns = ["mutants", "killed", "survived", "no_tests", "timeout", "import_time", "suspicious", "equivalent"]
    if any(m["not_checked"] for m in report["modules"].values()):
        columns.append("not_checked")  # a run still under way (--report-only)
    header = f"{'module':32}" + "".join(f" {column.replace('_', ' '):>{max(len(column), 6)}}" for column in columns)
    header += f" {'score':>7}"
    print()
    print(header)
    print("-" * len(header))
    for path, m in report["modules"].items():
        cells = "".join(f" {m[column]:>{max(len(column), 6)}}" for column in columns)
        print(f"{path:32}{cells} {m['score']:>7.1%}")
    for m in report["modules"].values():
        for mutant in m["equivalents_killed"]:
            print(f"warning: {mutant['id']} is listed as equivalent but a test kills it: remove it from the list")
    for entry in report["stale_equivalents"]:
        print(
            f"stale equivalent (matches no mutant any more): {entry['module']} {entry['function']}: {entry['before']}"
        )
    not_killed = sum(len(m["survivors"]) for m in report["modules"].values())
    print(f"\n{not_killed} mutants not killed; wall time {report['wall_seconds']} s")


def survivors_text(report: dict) -> str:
    blocks = []
    for path, m in report["modules"].items():
        blocks.append(f"# {path}: {m['killed']}/{m['mutants'] - m['equivalent']} killed ({m['score']:.1%})")
        for s in m["survivors"]:
            where = f"{path}:{s['line']}" if s["line"] else path
            blocks.append(f"{s['id']}  [{s['status']}]  {where}  ({s['mutmut_name']})")
            blocks.append(f"  - {s['before']}\n  + {s['after']}")
        blocks.append("")
    return "\n".join(blocks) + "\n"


# The pytest side: [tool.mutmut] loads this module into every pytest it starts (`-p scripts.mutation`, with
# --reuse-db). Creating the SQLite test database and migrating it takes more than a second, once per mutant; so
# the first run (mutmut's stats run over the whole suite) builds MUTATION_TEST_DB and keeps it, and every later
# run starts from a copy of its own, taken with SQLite's backup API (a consistent copy, WAL included).


def pytest_configure(config) -> None:
    template = os.environ.get("MUTATION_TEST_DB")
    if not template:
        return
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return
    if Path(template).exists():
        import sqlite3

        copy = f"{template}.{os.getpid()}"
        with sqlite3.connect(template) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        source.close()
        target.close()
        config.mutation_test_db = copy
        database.setdefault("TEST", {})["NAME"] = copy
    else:
        database.setdefault("TEST", {})["NAME"] = template


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(session, config, items) -> Generator[None, None, None]:
    """
    Fastest tests first in a mutant's run: mutmut stops at the first failure, so a killed mutant costs the time of
    the tests before the one that kills it. Sorted before pytest-django's own (stable) sort, which then puts the
    transactional tests last again, as Django does.
    """
    if os.environ.get("MUTATION_TEST_DB"):
        from mutmut.state import state

        # mutmut's own timings of its first pass, in memory: each mutant's run is forked from the process that
        # made them (during that first pass they are still being measured, and the order is left alone).
        durations = state().duration_by_test
        items.sort(key=lambda item: durations.get(item.nodeid, 0.0))
    return (yield)


def pytest_unconfigure(config) -> None:
    copy = getattr(config, "mutation_test_db", None)
    if copy:
        for suffix in ("", "-wal", "-shm"):
            Path(copy + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
