"""The end-to-end demo: a Rankr export into GHL, GHL back out into a local DuckDB warehouse."""
