"""Keep the CDK's "Ignoring response for 'PUT' request ... with response code '400'" lines out of the log.

The destination asks its HTTP clients to hand back GHL's 400/404/409/422 answers (ghl.PASSTHROUGH): a
writer reads them (a duplicate contact, GHL's validation message) and reports the outcome in its own words,
a rejection or a check result. The CDK still logs each one as "Ignoring response", which reads as an error
that was swallowed; it is not, so the line is dropped. Every other CDK line stays.
"""

import logging
import re

_IGNORED = re.compile(r"^Ignoring response for '[A-Z]+' request to '.*' with response code '(\d{3})'$", re.S)


class PassthroughFilter(logging.Filter):
    def __init__(self, statuses):
        super().__init__()
        self.statuses = {str(status) for status in statuses}

    def filter(self, record: logging.LogRecord) -> bool:
        match = _IGNORED.match(record.getMessage())
        return not (match and match.group(1) in self.statuses)


def quiet_passthrough(logger: logging.Logger, statuses) -> None:
    """Install the filter on `logger` (the one the HTTP clients log to), once."""
    if not any(isinstance(f, PassthroughFilter) for f in logger.filters):
        logger.addFilter(PassthroughFilter(statuses))
