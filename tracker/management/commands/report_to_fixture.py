"""Convert an HMIC report (text, Markdown or PDF) into a reviewable fixture of tracked actions."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.importer import ImportProblem, build_fixture, summary_lines
from tracker.management.arguments import iso_date
from tracker.management.database import require_migrated
from tracker.report_parser import ReportError, parse_report, read_report_text


class Command(BaseCommand):
    help = "Parse a report and write a fixture (natural keys) that `manage.py loaddata` loads."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The report: .txt, .md or .pdf")
        parser.add_argument(
            "--force", metavar="SLUG", help="The inspected force, when the report's name for it is not recognised."
        )
        parser.add_argument(
            "--published", metavar="YYYY-MM-DD", help="Exact publication date (overrides the report's own)."
        )
        parser.add_argument("-o", "--output", help="Where to write the fixture (default fixtures/reports/<slug>.json).")

    def handle(self, *args, file: str, force: str | None, published: str | None, output: str | None, **options):
        published_on = iso_date("--published", "2014-11-27")(published) if published else None
        require_migrated()
        try:
            text = read_report_text(file)
            parsed = parse_report(text, published=published_on)
            built = build_fixture(parsed, source_name=file, force_slug=force)
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except (ReportError, ImportProblem) as exc:
            raise CommandError(f"{Path(file).name}: {exc}") from None
        target = Path(output) if output else Path("fixtures") / "reports" / f"{built.slug}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(built.to_json(), encoding="utf-8")
        for line in summary_lines(built):
            self.stdout.write(self.style.WARNING(line) if line.startswith("Warning:") else line)
        problems = parsed.problems
        if problems:
            for problem in problems:
                self.stderr.write(self.style.ERROR(f"Problem: {problem}"))
            # The fixture is written all the same: it is where the admin makes the correction.
            more = f" (and {len(problems) - 1} more above)" if len(problems) > 1 else ""
            raise CommandError(
                f"{Path(file).name}: {problems[0]}{more} Correct {target} by hand before loading it "
                f"(make load-report FIXTURE={target})."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {target} ({len(built.rows)} objects). Load it with: make load-report FIXTURE={target}"
            )
        )
