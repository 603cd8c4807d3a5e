"""A build's work shared between this process and the worker processes of a pool (`embedding.start_workers`)."""

from __future__ import annotations

import logging
import threading
from typing import Callable, TypeVar

log = logging.getLogger(__name__)

R = TypeVar("R")


def share(pool, items: list, size: int, here: Callable[[list], R], there: Callable[..., R], args: tuple,
          helpers: int) -> list[R]:
    """`items` in chunks of `size`: this process runs `here(chunk)` from the first chunk on while `helpers`
    processes of `pool` run `there(chunk, *args)` from the last one back, until none are left; the results in
    the order of the chunks.

    A worker that cannot start gives its chunks back to this process (spawn runs the main script again, and a
    script calling qa.build without `if __name__ == "__main__":` stops it); any other failure fails the whole.
    """
    from concurrent.futures.process import BrokenProcessPool

    chunks = [(start, items[start:start + size]) for start in range(0, len(items), size)]
    results: dict[int, R] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def take(last: bool):
        with lock:
            if chunks:
                return chunks.pop() if last else chunks.pop(0)
        return None

    def feed() -> None:
        while (chunk := take(last=True)) is not None:
            try:
                results[chunk[0]] = pool.submit(there, chunk[1], *args).result()
            except BrokenProcessPool:
                log.warning("a worker process could not start (a script without `if __name__ == "
                            "\"__main__\":`?); doing the rest in this process")
                with lock:
                    chunks.append(chunk)
                return
            except BaseException as err:  # noqa: BLE001 - raised again in the calling thread
                errors.append(err)
                with lock:
                    chunks.clear()  # stop this process too: the build fails as a whole
                return

    feeders = [threading.Thread(target=feed, daemon=True) for _ in range(helpers)]
    for feeder in feeders:
        feeder.start()
    while (chunk := take(last=False)) is not None:
        results[chunk[0]] = here(chunk[1])
    for feeder in feeders:
        feeder.join()
    if errors:
        raise errors[0]
    while (chunk := take(last=False)) is not None:  # given back by a worker that could not start
        results[chunk[0]] = here(chunk[1])
    return [results[start] for start in sorted(results)]
