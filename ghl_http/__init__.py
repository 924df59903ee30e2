"""GHL HTTP concerns shared by the source and the destination.

One place for what both connectors need to know about GoHighLevel's API v2: hosts and versions
(`constants`), the rate-limit budget read from GHL's headers (`rate_limit`), how each GHL error is
classified and explained (`errors`, `messages`), authentication (`auth`), and the configuration both
connectors share (`config`, `spec_common.json`).
"""
