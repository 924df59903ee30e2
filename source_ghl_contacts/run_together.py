"""Several producers of messages at once, a thread each, their items in one queue.

What a producer yields comes out as `(key, item)`: a message, the exception that ended the producer, or `DONE`
once it is over. One producer's failure never stops the others. Used for the locations of an agency read
(`location_threads.py`) and for the parts of one location's read (`source.py`: the location-wide streams next
to the declarative ones), so that no part waits for another's requests.
"""

import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Hashable, Iterable, Iterator, Sequence, Tuple

DONE = "done"

Producer = Tuple[Hashable, Callable[[], Iterable[Any]]]


def run_together(producers: Sequence[Producer], *, max_threads: int, name: str) -> Iterator[Tuple[Hashable, Any]]:
    """Every producer at once (at most `max_threads` running); ends when every one is DONE. Closing it stops
    the producers at their next item."""
    inbox: "queue.Queue" = queue.Queue(maxsize=10_000)
    stop = threading.Event()

    def put(item: Any) -> bool:
        # bounded, so a slow consumer slows the producers; never blocks once the consumer has gone
        while not stop.is_set():
            try:
                inbox.put(item, timeout=1.0)
                return True
            except queue.Full:
                continue
        return False

    def run(key: Hashable, produce: Callable[[], Iterable[Any]]) -> None:
        try:
            for item in produce():
                if not put((key, item)):
                    return
        except Exception as error:  # reported to the consumer, which decides what it ends
            put((key, error))
        finally:
            put((key, DONE))

    if not producers:
        return
    pool = ThreadPoolExecutor(max_workers=max(1, min(max_threads, len(producers))), thread_name_prefix=name)
    try:
        for key, produce in producers:
            pool.submit(run, key, produce)
        running = len(producers)
        while running:
            key, item = inbox.get()
            if item is DONE:
                running -= 1
            yield key, item
    finally:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
