"""The practical limit of a Python client: page POST /contacts/search (pageLimit 500, searchAfter) with a plain
`requests` session and parse each page's JSON. Run as its own process by `bench.cpu`, so its CPU time is
measured the same way as the source's.

    python -m bench.plain_loop BASE_URL TOKEN LOCATION_ID [PAGE_LIMIT]

Prints one JSON line: {"records": N, "pages": P}.
"""
import json
import sys

import requests


def page_all(base_url: str, token: str, location_id: str, page_limit: int = 500) -> tuple[int, int]:
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}", "Version": "2021-07-28", "Accept": "application/json"}
    records = pages = 0
    search_after = None
    while True:
        body = {"locationId": location_id, "pageLimit": page_limit}
        if search_after:
            body["searchAfter"] = search_after
        r = session.post(f"{base_url}/contacts/search", json=body, headers=headers, timeout=60)
        r.raise_for_status()
        contacts = r.json()["contacts"]
        pages += 1
        records += len(contacts)
        if len(contacts) < page_limit:
            return records, pages
        search_after = contacts[-1]["searchAfter"]


def main(argv: list[str]) -> int:
    base_url, token, location_id = argv[:3]
    page_limit = int(argv[3]) if len(argv) > 3 else 500
    records, pages = page_all(base_url, token, location_id, page_limit)
    print(json.dumps({"records": records, "pages": pages}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
