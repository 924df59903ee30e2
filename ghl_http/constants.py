"""Fixed facts about GHL's API v2 that both connectors rely on."""

DEFAULT_API_BASE_URL = "https://services.leadconnectorhq.com"

# GHL requires a per-service `Version` header; calendars use an older one than contacts.
CONTACTS_API_VERSION = "2021-07-28"
CALENDARS_API_VERSION = "2021-04-15"

TOKEN_PATH = "/oauth/token"
AUTHORIZE_URL = "https://marketplace.gohighlevel.com/v2/oauth/chooselocation"

# GHL's documented burst limit: 100 requests per 10 s per app and location (trial accounts get less).
DEFAULT_REQUESTS_PER_10_SECONDS = 100
BURST_WINDOW_SECONDS = 10

# GHL sends these on every response, lowercase (BEHAVIOUR.md section 5). No Retry-After on a 429.
HEADER_REMAINING = "x-ratelimit-remaining"
HEADER_MAX = "x-ratelimit-max"
HEADER_INTERVAL_MS = "x-ratelimit-interval-milliseconds"
HEADER_DAILY_REMAINING = "x-ratelimit-daily-remaining"
HEADER_DAILY_LIMIT = "x-ratelimit-limit-daily"
HEADER_DAILY_RESET_MS = "x-ratelimit-daily-reset"  # a duration in ms, not an epoch time

SCOPE_CONTACTS_READ = "contacts.readonly"
SCOPE_CONTACTS_WRITE = "contacts.write"
SCOPE_CUSTOM_FIELDS_READ = "locations/customFields.readonly"
SCOPE_TASKS_SEARCH = "locations/tasks.readonly"
SCOPE_CALENDARS_READ = "calendars.readonly"
SCOPE_EVENTS_WRITE = "calendars/events.write"
# An agency install lists its locations and mints a token per location with these (GHL's apps/oauth.json).
SCOPE_INSTALLS_READ = "oauth.readonly"
SCOPE_LOCATION_TOKEN = "oauth.write"
AGENCY_SCOPES = (SCOPE_INSTALLS_READ, SCOPE_LOCATION_TOKEN)

# An agency (Company) install: the locations it covers and a token per location (GHL's apps/oauth.json).
INSTALLED_LOCATIONS_PATH = "/oauth/installedLocations"
LOCATION_TOKEN_PATH = "/oauth/locationToken"
