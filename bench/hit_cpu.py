"""CPU time per request of a WSGI application called in this process, as gunicorn calls it:
our site's page-cache hit against the bare-Django floor, without the network, gunicorn or
wrk sharing the CPUs (so, unlike requests/s, the figure hardly moves with the machine's
other load).

    python bench/hit_cpu.py newsportal.wsgi:application PATH[,PATH...] REQUESTS ROUNDS
    BENCH_FLOOR_PAGE=page.html python bench/hit_cpu.py bench.floor:application / 5000 5

Run with the bench's environment (DEBUG off, the bench's database). The first round warms
up (imports, the page cache) and is not kept. Prints one JSON object: microseconds of CPU
per request, the median of the rounds, and each round's.
"""

import importlib
import io
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36"


def environ(path: str, n: int) -> dict:
    """What gunicorn hands the application for a browser's GET of `path`."""
    path, _sep, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_USER_AGENT": BROWSER_UA,
        "HTTP_ACCEPT": "text/html,application/xhtml+xml",
        "HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9",
        # Every request a reader of its own, as in the bench's wrk script.
        "HTTP_X_REAL_IP": f"10.{n // 65536 % 250}.{n // 256 % 256}.{n % 256}",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def call(application, path: str, n: int) -> str:
    status = []
    body = application(environ(path, n), lambda s, headers, exc_info=None: status.append(s))
    try:
        for _chunk in body:
            pass
    finally:
        body.close()
    return status[0]


def main() -> None:
    target, paths, requests, rounds = sys.argv[1], sys.argv[2].split(","), *map(int, sys.argv[3:5])
    module, _sep, name = target.partition(":")
    application = getattr(importlib.import_module(module), name)
    for n, path in enumerate(paths):  # fill the page cache
        if not call(application, path, n).startswith("200"):
            raise SystemExit(f"{path} did not answer 200")
    samples = []
    n = 0
    for round_ in range(rounds + 1):
        started = time.process_time()
        for _ in range(requests):
            n += 1
            call(application, paths[n % len(paths)], n)
        if round_:
            samples.append((time.process_time() - started) / requests * 1e6)
    print(json.dumps({"us_per_request": statistics.median(samples), "rounds": samples}))


if __name__ == "__main__":
    main()
