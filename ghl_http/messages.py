"""What the user reads when GHL refuses: the cause and the fix, never a secret.

Both connectors' `check` and their sync errors use these texts, so each cause is explained one way.
"""

from typing import Optional

INVALID_TOKEN_PIT = (
    "GHL rejected the Private Integration token as invalid or expired (HTTP 401). "
    "Fix: in GHL open Settings > Private Integrations, create or rotate the token for this sub-account, "
    "and paste it into the connector's 'credentials.token'."
)
INVALID_TOKEN_OAUTH = (
    "GHL rejected the OAuth access token and refreshing it did not help (HTTP 401). "
    "Fix: re-authenticate the connector with GHL (Authenticate your account) to get a new refresh token."
)
INVALID_GRANT = (
    "GHL refused the OAuth refresh token (invalid_grant): it was already used, by another connector or another "
    "run, or it was revoked. GHL refresh tokens are single-use, so every connector and every connection needs "
    "its own authorization, and each new token must be saved (Airbyte saves it from the connector's CONTROL "
    "messages). Fix: re-authenticate the connector with GHL to get a new refresh token, and do not share it "
    "with another connector."
)
WRONG_LOCATION = (
    "The token does not have access to location '{location_id}' (HTTP 403). "
    "Fix: set 'location_id' to the sub-account the token was created for, or install the app / create the "
    "token in that sub-account."
)
AGENCY_NO_COMPANY = (
    "GHL's token answer names no company, so the agency's locations cannot be listed. Fix: set "
    "'credentials.company_id' to the agency's company id, or re-authenticate with an agency-level (Company) install."
)
AGENCY_TOKEN_REFUSED = (
    "GHL refused the agency (Company) token for the app's installs (HTTP {status}: {reason}). Fix: authenticate "
    "with an agency-level install of the Marketplace app (user type Company) that has the 'oauth.readonly' and "
    "'oauth.write' scopes, and check 'credentials.company_id'."
)
LOCATION_NOT_INSTALLED = (
    "GHL would not give a token for location '{location_id}' ({reason}): the app is not installed there. Fix: "
    "install the Marketplace app on that sub-account, or remove it from 'location_ids'."
)
NO_LOCATIONS = (
    "No location to sync: {why}. Fix: install the Marketplace app on the agency's sub-accounts, or check "
    "'location_ids' and 'location_shard'."
)
LOCATIONS_FAILED = "{failed} of {total} locations did not sync; the others finished and kept their state. {details}"
WORKER_STOPPED = (
    "The process reading this location stopped before it finished (exit code {code}), most often because the "
    "container ran out of memory. Fix: give the source more memory, or fewer locations per connection "
    "(location_shard); the next sync resumes this location from its last state."
)
WORKER_NO_TOKEN = (
    "No access token for location '{location_id}': the process that mints location tokens did not answer. "
    "The sync is retried; if this persists, report it."
)
LOCATIONS_FAILED_CHECK = "{failed} of {total} locations failed the check. {details}"
CONNECTION_FAILED = (
    "Could not reach GHL at {base_url}: {reason}. "
    "Fix: check 'api_base_url' (default https://services.leadconnectorhq.com) and the network or proxy "
    "between Airbyte and GHL."
)
RATE_LIMITED = "GHL answered 429 Too Many Requests; waiting {seconds:.1f} s for its rate-limit window."
DAILY_QUOTA_SPENT = (
    "GHL's daily request quota for this location is spent (x-ratelimit-daily-remaining is 0){reset}. "
    "The sync stopped after its last saved state; the next sync resumes from there. "
    "Fix: schedule syncs less often or lower 'requests_per_10_seconds' to leave room for other apps."
)
SERVER_ERROR = "GHL answered HTTP {status} (a transient server or gateway error); retrying."
TRUNCATED_BODY = "GHL's response body was cut off (HTTP {status}, invalid JSON); retrying."
TRANSPORT_ERROR = "The connection to GHL failed ({kind}); retrying."
AMBIGUOUS_WRITE = (
    "GHL's answer to a write was lost or unusable (timeout, dropped connection, 5xx or cut-off body); "
    "checking GHL before sending it again."
)


def missing_scope(scope: Optional[str]) -> str:
    needed = f"the '{scope}' scope" if scope else "a scope this call needs"
    return (
        f"The token is not authorized for this call (HTTP 401): it lacks {needed}. "
        f"Fix: add {needed} to the Private Integration token or OAuth app, then re-authenticate."
    )


def daily_quota_spent(hours_to_reset: Optional[float]) -> str:
    reset = f"; it resets in about {hours_to_reset} h" if hours_to_reset is not None else ""
    return DAILY_QUOTA_SPENT.format(reset=reset)


# Both connectors name a 2xx answer without its documented shape the same way (the troubleshooting tables
# list it once); what follows depends on what each does about it.
MALFORMED = "GHL's answer to {request} is malformed (HTTP {status}: {problem})"
MALFORMED_ANSWER = (
    MALFORMED + ". The sync stopped rather than read it as an empty or partial list. Retry the sync; if this "
    "persists, GHL's API is failing or has changed."
)
