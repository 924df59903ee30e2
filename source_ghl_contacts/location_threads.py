"""Several locations' reads at once in this process: a thread per location (`run_together`).

What a location's read yields comes out as `(location_id, item)`: an Airbyte message, the exception that ended
the read, or `DONE` once the location's read is over. One location's failure never stops the others.
"""

from functools import partial
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Tuple

from airbyte_cdk.models import AirbyteMessage, AirbyteStateMessage

from source_ghl_contacts.run_together import DONE, run_together

__all__ = ["DONE", "Job", "ReadOne", "read_in_threads"]

# Locations read at the same time by one process. Each holds its own threads (`concurrency`), so this bounds
# the threads of one process; docs/performance.md says how many locations one process holds at full speed.
MAX_PARALLEL_LOCATIONS = 50

ReadOne = Callable[[Mapping[str, Any], List[AirbyteStateMessage]], Iterable[AirbyteMessage]]
# (a location's config, the state Airbyte passed back for it)
Job = Tuple[Dict[str, Any], List[AirbyteStateMessage]]


def read_in_threads(jobs: List[Job], read_one: ReadOne) -> Iterator[Tuple[str, Any]]:
    """Every job's read at once; ends when every location is DONE. Closing it stops the readers."""
    producers = [(config["location_id"], partial(read_one, config, state)) for config, state in jobs]
    return run_together(producers, max_threads=MAX_PARALLEL_LOCATIONS, name="ghl-location")  # type: ignore[return-value]
