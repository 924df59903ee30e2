"""`GET /calendars/?locationId=` (Version 2021-04-15): two seeded calendars per location."""
from __future__ import annotations

from ..util import trace_id
from . import CALENDARS_VERSION, route


@route("GET", "/calendars/", scope="calendars.readonly", version=CALENDARS_VERSION)
async def list_calendars(ctx):
    loc = ctx.query.get("locationId")  # required: the spec layer
    ctx.check_location(loc)
    cals = ctx.sb.store.calendars(loc)
    gid = ctx.query.get("groupId")
    if gid:
        cals = [c for c in cals if c.get("groupId") == gid]
    return 200, {"calendars": cals, "traceId": trace_id()}
