"""`ghl-webhooks`: a receiver for GHL's signed webhook events, deployed next to Airbyte (docs/webhooks.md).

verify.py checks each request (signature, replay window, size, JSON); store.py commits events to SQLite or
PostgreSQL; app.py is the HTTP surface (receive, serve events to the source); supervisor.py keeps the
listening socket while a worker process restarts; cli.py is the console script.
"""
