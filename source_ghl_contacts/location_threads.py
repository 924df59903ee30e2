"""Several locations' reads at once in this process: a thread per location, their messages in one queue.

What a location's read yields comes out as `(location_id, item)`: an Airbyte message, the exception that ended
the read, or `DONE` once the location's read is over. One location's failure never stops the others.
"""

import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Tuple

from airbyte_cdk.models import AirbyteMessage, AirbyteStateMessage

# Locations read at the same time by one process. Each holds its own threads (`concurrency`), so this bounds
# the threads of one process; docs/performance.md says how many locations one process holds at full speed.
MAX_PARALLEL_LOCATIONS = 50

DONE = "done"

ReadOne = Callable[[Mapping[str, Any], List[AirbyteStateMessage]], Iterable[AirbyteMessage]]
# (a location's config, the state Airbyte passed back for it)
Job = Tuple[Dict[str, Any], List[AirbyteStateMessage]]


def read_in_threads(jobs: List[Job], read_one: ReadOne) -> Iterator[Tuple[str, Any]]:
    """Every job's read at once; ends when every location is DONE. Closing it stops the readers."""
    inbox: "queue.Queue" = queue.Queue(maxsize=10_000)
    stop = threading.Event()

    def put(item: Any) -> bool:
        # bounded, so a slow consumer slows the readers; never blocks once the consumer has gone
        while not stop.is_set():
            try:
                inbox.put(item, timeout=1.0)
                return True
            except queue.Full:
                continue
        return False

    def run(location_config: Dict[str, Any], location_state: List[AirbyteStateMessage]) -> None:
        location_id = location_config["location_id"]
        try:
            for message in read_one(location_config, location_state):
                if not put((location_id, message)):
                    return
        except Exception as error:  # one location's failure is reported with the others at the end
            put((location_id, error))
        finally:
            put((location_id, DONE))

    if not jobs:
        return
    pool = ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_LOCATIONS, len(jobs)), thread_name_prefix="ghl-location")
    try:
        for location_config, location_state in jobs:
            pool.submit(run, location_config, location_state)
        running = len(jobs)
        while running:
            location_id, item = inbox.get()
            if item is DONE:
                running -= 1
            yield location_id, item
    finally:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
