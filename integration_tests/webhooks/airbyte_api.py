"""A local stand-in for Airbyte's public API, answering as its reference documents (api.airbyte.com/v1):

* `POST /v1/applications/token` `{"client_id", "client_secret", "grant-type": "client_credentials"}` ->
  200 `{"access_token", "token_type": "Bearer", "expires_in": 180}`, 401 for other credentials;
* `POST /v1/jobs` `{"connectionId", "jobType": "sync"}` with a bearer token -> 200 JobResponse
  `{"jobId", "status": "pending", "jobType", "connectionId", "startTime", "lastUpdatedAt"}`; 401 without a
  valid token, 400 for another body, 404 for an unknown connection; `fail_next` scripts 500s.
"""
from __future__ import annotations

import http.server
import json
import threading
import time
import uuid


class AirbyteApi:
    def __init__(self, connections: set[str], client_id="app-id", client_secret="app-secret", api_key=None):
        self.connections = connections
        self.client_id, self.client_secret, self.api_key = client_id, client_secret, api_key
        self.tokens: set[str] = {api_key} if api_key else set()
        self.jobs: list[dict] = []
        self.fail_next = 0
        self.refused = 0
        self.lock = threading.Lock()
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                try:
                    body = json.loads(raw)
                except ValueError:
                    return self._answer(400, {"title": "bad-request", "detail": "body is not JSON"})
                with api.lock:
                    status, answer = api.handle(self.path, self.headers.get("authorization", ""), body)
                self._answer(status, answer)

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def handle(self, path: str, auth: str, body: dict):
        if path == "/v1/applications/token":
            if (body.get("client_id"), body.get("client_secret"), body.get("grant-type")) != (
                    self.client_id, self.client_secret, "client_credentials"):
                return 401, {"title": "unauthorized"}
            token = uuid.uuid4().hex
            self.tokens.add(token)
            return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 180}
        if path != "/v1/jobs":
            return 404, {"title": "not-found"}
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            self.refused += 1
            return 401, {"title": "unauthorized"}
        if set(body) != {"connectionId", "jobType"} or body["jobType"] not in ("sync", "reset"):
            return 400, {"title": "bad-request", "detail": "connectionId and jobType are required"}
        if body["connectionId"] not in self.connections:
            return 404, {"title": "resource-not-found"}
        if self.fail_next:
            self.fail_next -= 1
            return 500, {"title": "internal-server-error"}
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        job = {"jobId": len(self.jobs) + 1, "status": "pending", "jobType": body["jobType"],
               "connectionId": body["connectionId"], "startTime": now, "lastUpdatedAt": now, "at": time.time()}
        self.jobs.append(job)
        return 200, {k: v for k, v in job.items() if k != "at"}

    def close(self):
        self.server.shutdown()
        self.server.server_close()
