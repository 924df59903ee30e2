"""Console entry point: `destination-ghl-contacts spec|check|write`."""

import sys

from destination_ghl_contacts.destination import DestinationGhlContacts


def run() -> None:
    DestinationGhlContacts().run(sys.argv[1:])
