"""Logging filters for config.settings.LOGGING."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404

# Refusals the app means to give: a user outside a page's role, another force's object. Worth a line, not a traceback.
EXPECTED_REFUSALS = (PermissionDenied, Http404)


class RefusalsWithoutTraceback(logging.Filter):
    """Log an expected refusal (403, 404) as its one line, without the traceback; real errors keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], EXPECTED_REFUSALS):
            record.exc_info = None
            record.exc_text = None
        return True
