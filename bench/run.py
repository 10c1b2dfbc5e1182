"""`make bench`: our pages under load, side by side with a bare-Django floor.

For each site size (1k articles; 100k with --large) on the bench's PostgreSQL
(BENCH_DATABASE_URL, else DATABASE_URL, else the embedded one), it seeds the site once
(`seed_demo`, reused later), starts every target on free 127.0.0.1 ports (our site on
gunicorn rendered, app-cached, with a Redis of its own and behind Varnish; the floor; nginx
serving saved copies of our pages, the ceiling: bench/targets.py), loads
them with wrk in interleaved rounds (bench/wrk.py), prints the tables and writes them into
docs/performance.md (bench/report.py). Every process it starts is stopped by its PID.

    python -m bench.run                      # 1k: about 7 minutes
    python -m bench.run --large              # 1k and 100k (seeding 100k once: ~8 more)
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from bench import proxies, report, wrk
from bench.pages import PAGE_NAMES, check, fetch
from bench.servers import Gunicorn, Redis, python_json
from bench.sites import database_url, redact, server_url, site_ready, size_label
from bench.targets import (
    CEILING,
    FLOOR,
    TARGETS,
    paired_with_floor,
    site_environment,
    target_environment,
)

BASE_DIR = Path(__file__).resolve().parent.parent
SMALL, LARGE = 1_000, 100_000


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--large",
        action="store_true",
        help=f"also the {LARGE:,}-article site (opt-in: "
        "its first seed takes minutes on a 2-CPU machine)",
    )
    parser.add_argument("--sizes", help="comma-separated article counts, instead of the above")
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured run")
    parser.add_argument(
        "--warmup",
        type=int,
        default=2,
        help="seconds of warm-up before every run (twice that for the rotating article pages)",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--floor-slice",
        type=int,
        default=2,
        help="seconds of floor measured right before each run of ours on gunicorn (0: none)",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    # Chosen by measurement on the 2-CPU machine (docs/performance.md, "Workers").
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, every target")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--targets", default=",".join(t.key for t in TARGETS))
    parser.add_argument("--pages", default=",".join(PAGE_NAMES))
    parser.add_argument("--no-seed", action="store_true", help="fail rather than seed")
    parser.add_argument("--no-cpu", action="store_true", help="skip bench/cpu_cost.py")
    parser.add_argument(
        "--profile", action="store_true", help="also profile the rendered article and a cache hit"
    )
    parser.add_argument("--output", type=Path, default=report.DOC)
    parser.add_argument("--no-write", action="store_true", help="print only")
    return parser.parse_args()


def main() -> int:
    args = arguments()
    binary = wrk.wrk_binary()
    if not binary:
        print(wrk.INSTALL_HINT, file=sys.stderr)
        return 2
    redis_binary = shutil.which("redis-server")
    if not redis_binary:
        print("redis-server is not installed: apt-get install redis-server", file=sys.stderr)
        return 2
    sizes = [int(n) for n in args.sizes.split(",")] if args.sizes else [SMALL]
    if args.large and not args.sizes:
        sizes.append(LARGE)
    targets = [t for t in TARGETS if t.key in args.targets.split(",") or t.key == FLOOR]
    needed = {"varnish": "varnishd", "static": "nginx"}
    for name in {needed[t.kind] for t in targets if t.kind in needed}:
        if not proxies.binary(name):
            print(f"{name} is not installed: {proxies.INSTALL_HINT}", file=sys.stderr)
            return 2
    pages = args.pages.split(",")
    runs = 1 + (len(targets) - 1) * len(pages)
    paired = sum(map(paired_with_floor, targets)) * len(pages)
    seconds = runs * (args.duration + args.warmup + 0.5) + paired * (args.floor_slice + 0.5)
    minutes = len(sizes) * args.rounds * seconds / 60
    print(f"{len(sizes)} site(s) × {runs} runs × {args.rounds} rounds: ~{minutes:.0f} min of load")
    server = server_url(dict(os.environ))
    blocks = []
    with Redis(redis_binary) as redis:
        for size in sizes:
            env = site_environment(database_url(server, size))
            print(f"Site {size_label(size)}: {redact(env['DATABASE_URL'])}")
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=BASE_DIR,
                env=env,
                check=True,
                timeout=600,
            )
            facts = site_ready(env, size, seed=not args.no_seed)
            facts["pages"] = {k: v for k, v in facts["pages"].items() if k in pages}
            run = measure(args, binary, env, facts, targets, redis.url, size)
            lines = report.size_block(run)
            print("\n".join(lines))
            label = size_label(size)
            blocks.append((f"size-{label}", f"{label} articles", lines))
            if size == sizes[0] and not args.no_cpu:
                cpu = cpu_cost(env, redis.url, facts["pages"]["article"][0])
                lines = report.cpu_block(cpu, run["date"], facts["pages"]["article"][0])
                print("\n".join(lines))
                blocks.append(("cpu", "CPU time of view counting", lines))
            if size == sizes[0] and args.profile:
                profile = profile_pages(env, facts["pages"]["article"], facts["pages"]["front"][0])
                lines = report.profile_block(profile, run["date"], facts["articles_total"])
                print("\n".join(lines))
                blocks.append(("profile", "Where the time goes", lines))
    if not args.no_write:
        report.write(args.output, blocks)
        print(f"Wrote {args.output}")
    return 0


def measure(args, binary, env, facts, targets, redis_url, size) -> dict:
    started, load_before = time.monotonic(), os.getloadavg()[0]
    load = wrk.Load(threads=args.wrk_threads, connections=args.connections)
    pages = facts["pages"]
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="newsportal-bench-") as tmp:
        servers = {}
        floor_page = Path(tmp) / "article.html"
        ours = None  # the first of our servers, whose pages the floor and ceiling answer
        # Ours first, then the ceiling (from our saved pages), the floor last.
        for target in sorted(targets, key=lambda t: (t.key == FLOOR, t.key == CEILING)):
            if target.kind == "static":
                if ours is None:
                    raise SystemExit("the ceiling saves our pages: measure one of ours too")
                root = Path(tmp) / "static"
                proxies.save_pages(fetch, ours.url, pages, root)
                servers[target.key] = stack.enter_context(proxies.StaticNginx(root))
                check(servers[target.key].url, pages)
                continue
            target_env = target_environment(target, env, redis_url, str(floor_page))
            target_env["CACHE_KEY_PREFIX"] = f"newsportal-bench-{size_label(size)}"
            server = Gunicorn(target.key, target.app, target_env, args.workers, args.threads)
            server = stack.enter_context(server)
            if target.kind == "varnish":
                server = stack.enter_context(proxies.Varnish(server.url))
            servers[target.key] = server
            if target.key != FLOOR and not floor_page.exists():
                # The floor's bytes: our article page as readers get it, saved now.
                ours = server
                floor_page.write_bytes(fetch(server.url + pages["article"][0]))
            if target.key != FLOOR:
                check(server.url, pages)
        plan = [
            (target.key, page)
            for target in targets
            for page in (target.pages or pages)
            if page in pages
        ]
        # This machine's CPUs change speed by up to half from one second to the next (a
        # fixed loop on an idle machine takes 90 to 180 ms), so a floor measured minutes
        # away says little about the run it is compared with: each run of ours on gunicorn
        # gets a short floor run of its own right before it, and its share of the floor is
        # the median of those ratios (bench/report.py).
        paired = {t.key for t in targets if paired_with_floor(t)}
        measured: dict[tuple[str, str], list[dict]] = {}
        samples = []
        for round_ in range(args.rounds):
            # Every other round backwards, so a drift in the machine's other load does not
            # always favour the runs that come first.
            for key, page in plan if round_ % 2 == 0 else plan[::-1]:
                # Right before each run: a page cache's copies live a minute, less than a
                # round, and each worker keeps its own; the first reader of each address
                # after they expire pays for a render, which a steady stream of readers pays
                # about once a minute, not all at once.
                warmup = args.warmup * (2 if len(pages[page]) > 1 else 1)
                wrk.run(binary, servers[key].url, pages[page], warmup, load)
                floor_slice = None
                if key in paired and args.floor_slice:
                    floor_slice = wrk.run(
                        binary, servers[FLOOR].url, pages["article"], args.floor_slice, load
                    )["rps"]
                samples.append(os.getloadavg()[0])
                stats = wrk.run(binary, servers[key].url, pages[page], args.duration, load)
                stats["floor_rps"] = floor_slice
                measured.setdefault((key, page), []).append(stats)
                print(
                    f"round {round_ + 1} {key:8} {page:8} {stats['rps']:>9.1f} req/s  "
                    f"p99 {stats['p99']:>8.1f} ms  errors {stats['errors']}  "
                    f"load {samples[-1]:.1f}"
                    + (f"  floor beside {floor_slice:.0f}" if floor_slice else "")
                )
    return {
        "size": size,
        "facts": facts,
        "args": args,
        "date": datetime.now(UTC),
        "elapsed": time.monotonic() - started,
        "load": samples,
        "load_before": load_before,
        "database": env["DATABASE_URL"].rsplit("/", 1)[-1],
        "postgres": postgres_version(env["DATABASE_URL"]),
        "results": {key: report.summary(runs) for key, runs in measured.items()},
    }


def postgres_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url, connect_timeout=10) as connection:
        return connection.execute("SHOW server_version").fetchone()[0].split(" ")[0]


def cpu_cost(env: dict, redis_url: str, article: str) -> dict[str, dict]:
    """bench/cpu_cost.py with each cache and view buffer: µs of CPU per cached page."""
    figures = {}
    for name, extra in (
        ("local memory, PostgreSQL", {}),
        ("Redis, Redis", {"REDIS_URL": redis_url, "CACHE_KEY_PREFIX": "newsportal-bench-cpu"}),
    ):
        print(f"CPU cost of view counting ({name})...")
        script = str(BASE_DIR / "bench" / "cpu_cost.py")
        figures[name] = python_json(script, article, "500", "15", env=env | extra, timeout=900)
    return figures


def profile_pages(env: dict, articles: list[str], front: str) -> dict:
    print("Profiling the rendered article page and a page-cache hit...")
    script = str(BASE_DIR / "bench" / "profile_pages.py")
    return python_json(script, ",".join(articles), "2000", front, env=env, timeout=900)


if __name__ == "__main__":
    sys.exit(main())
