"""The project's gunicorn.conf.py, with the access log off: the bench measures the server
readers get, minus a log line per request written to nowhere. Workers and threads come
from WEB_CONCURRENCY and GUNICORN_THREADS, which bench/servers.py sets."""

import runpy
from pathlib import Path

globals().update(
    (name, value)
    for name, value in runpy.run_path(
        str(Path(__file__).parent.parent / "gunicorn.conf.py")
    ).items()
    if not name.startswith("__")
)
accesslog = None
