"""What each gunicorn worker does before its first reader (gunicorn.conf.py, core/worker.py)."""

import gc
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_worker_freezes_the_application_it_has_loaded():
    """The hook gunicorn calls once the worker has the application: everything alive then
    (this test process's modules included) is out of the collector's sight afterwards."""
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        hooks["post_worker_init"](worker=None)
        frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()
    assert frozen > 50_000
    assert gc.get_freeze_count() == 0


def test_the_bench_runs_workers_the_way_the_project_does():
    """bench/gunicorn.conf.py takes the project's hooks too: the bench measures the workers
    readers get."""
    bench = runpy.run_path(str(ROOT / "bench" / "gunicorn.conf.py"))
    project = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    hook = bench["post_worker_init"].__code__
    assert hook.co_code == project["post_worker_init"].__code__.co_code
    assert hook.co_filename.endswith("/gunicorn.conf.py")
    assert bench["accesslog"] is None
