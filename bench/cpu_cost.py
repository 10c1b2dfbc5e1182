"""The CPU time one Django process spends per article page, with view counting off and on.

Run by bench/run.py with the bench's environment. Requests go through Django's test client
in this process (no network, no other processes), and `time.process_time()` counts only
this process's CPU (the write-behind thread included; PostgreSQL's and Redis's own CPU
not), so the figure hardly moves with other load on the machine, unlike requests/s.
Prints one JSON object: microseconds per request for each case, medians over rounds.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsportal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from readership.folding import views_fold  # noqa: E402
from readership.writebehind import write_behind  # noqa: E402

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36"


def main() -> None:
    url, requests, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    # A fold (once a minute, whichever request comes first) would land in one case only.
    override_settings(
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], VIEW_FOLD_INTERVAL=0
    ).enable()
    views_fold()
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    if client.get(url).status_code != 200:  # the first request fills the page cache
        raise SystemExit(f"{url} did not answer 200")
    cases = {"off": (False, False), "returning reader": (True, False), "new reader": (True, True)}
    samples: dict[str, list[float]] = {name: [] for name in cases}
    serial = int(time.time()) % 200
    for round_ in range(rounds + 1):  # the first round warms up and is not kept
        for name, (counting, new_readers) in cases.items():
            switch = override_settings(VIEW_COUNTING_ENABLED=counting)
            switch.enable()
            serial = (serial + 1) % 250
            started = time.process_time()
            for n in range(requests):
                address = f"10.{serial}.{n // 250 % 250}.{n % 250}" if new_readers else "10.0.0.1"
                client.get(url, HTTP_X_REAL_IP=address)
            write_behind.flush()
            switch.disable()
            if round_:
                samples[name].append((time.process_time() - started) / requests * 1e6)
    views_fold()
    print(json.dumps({name: statistics.median(values) for name, values in samples.items()}))


if __name__ == "__main__":
    main()
