"""`make demo` (until the connectors take it over): start a seeded sandbox and show real data from it."""
from __future__ import annotations

import sys

import requests

from .process import SandboxProcess


def main(argv: list[str] | None = None) -> int:
    with SandboxProcess(seed=7, contacts=200) as sb:
        h = sb.headers(sb.credentials["private_integration_tokens"]["readonly"])
        print(f"ghl-sandbox at {sb.base_url}, location {sb.location_id}")
        body = {"locationId": sb.location_id, "pageLimit": 5,
                "sort": [{"field": "dateUpdated", "direction": "desc"}]}
        r = requests.post(f"{sb.base_url}/contacts/search", json=body, headers=h, timeout=10)
        r.raise_for_status()
        res = r.json()
        print(f"\n{res['total']} contacts; the 5 most recently updated:")
        for c in res["contacts"]:
            print(f"  {c['id']}  {c.get('contactName', ''):<24} {c.get('email', ''):<36} "
                  f"updated {c['dateUpdated']}  tags={c.get('tags')}")
        cid = next(n["contactId"] for n in sb.dump()["notes"])
        notes = requests.get(f"{sb.base_url}/contacts/{cid}/notes", headers=h, timeout=10).json()["notes"]
        print(f"\nnotes of contact {cid}:")
        for n in notes[:5]:
            print(f"  {n['dateAdded']}  {n['body']}")
        print(f"\nrate limit: {r.headers['x-ratelimit-remaining']}/{r.headers['x-ratelimit-max']} left in the "
              f"{int(r.headers['x-ratelimit-interval-milliseconds']) // 1000} s window, "
              f"{r.headers['x-ratelimit-daily-remaining']} left today")
        print(f"requests served: {sb.stats()['requests_total']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
