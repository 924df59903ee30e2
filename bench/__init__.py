"""Benchmarks of the GHL connectors against the local sandbox (scripts, not tests): `python -m bench`."""
