"""Argument types shared by the management commands."""

import datetime
from collections.abc import Callable

from django.core.management import CommandError


def iso_date(option: str, example: str) -> Callable[[str], datetime.date]:
    """Return an argparse type reading a YYYY-MM-DD date, refusing anything else with a message naming `option`."""

    def parse(value: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"{option} must be a date like {example}, not “{value}”.") from None

    return parse
