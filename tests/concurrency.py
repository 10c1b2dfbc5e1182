"""Run one piece of work in many threads at once, each with its own database connection."""

import threading
import time

from django.db import OperationalError, connection


def run_in_threads(count: int, work) -> None:
    """Start `count` threads that call work(index) together; fail if any raised.

    On a busy shared server a thread may find no free connection slot; it waits and tries
    again (the work has not started then), so the test measures our code, not the server.
    """
    errors = []
    barrier = threading.Barrier(count)

    def worker(index):
        try:
            barrier.wait()
            for attempt in range(50):
                try:
                    work(index)
                    break
                except OperationalError as error:
                    if "too many clients" not in str(error) or attempt == 49:
                        raise
                    connection.close()
                    time.sleep(0.05)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], errors
