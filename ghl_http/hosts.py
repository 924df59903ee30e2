"""Host names: which ones stay on this machine. Standard library only, so the sandbox and the webhook receiver
can use it without loading the connectors' CDK."""

import ipaddress


def is_loopback(host: str) -> bool:
    """`localhost` or a loopback address (127.0.0.0/8, ::1); any other name or address is not."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
