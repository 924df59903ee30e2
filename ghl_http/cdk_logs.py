"""Keep the CDK's own lines about a failure out of the log, where ours say the same with the fix.

When a GHL call fails for good, the CDK's `HttpClient` logs an ERROR holding the raw request and response
(headers included) before our message, the entry point adds "Check failed", and its backoff helper speaks of
"Rate limit exceeded" in its own words: a user reads three alarms and a header dump ahead of the one sentence
that says what to do. With `LOG_LEVEL=debug` everything stays, for whoever debugs the connector.
"""

import logging
import re

from airbyte_cdk.logger import is_platform_debug_log_enabled

_NOISE = (
    re.compile(r"^'[A-Z]+' request to '.*' failed with (status code|exception)", re.DOTALL),
    re.compile(r"^Check failed$"),
    re.compile(r"^UserDefinedBackoffException: Rate limit exceeded"),
)


class CdkNoiseFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return not any(pattern.match(text) for pattern in _NOISE)


def quiet_cdk_noise() -> None:
    """Install the filter on the handlers the CDK's entry point set up (call it after they exist)."""
    if is_platform_debug_log_enabled():
        return
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, CdkNoiseFilter) for f in handler.filters):
            handler.addFilter(CdkNoiseFilter())
