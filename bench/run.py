"""`make bench`: load-test the site with wrk against gunicorn on 127.0.0.1.

Seeds a demo site (`seed_demo --articles 10000`, idempotent), starts gunicorn on a free
local port, runs wrk for a few seconds against the front page, an article page, a search,
the article page with view counting off and on, and the view beacon, then writes requests/s
and p50/p99 latency, with the machine's description, into docs/performance.md.

The database is BENCH_DATABASE_URL, else DATABASE_URL, else the embedded PostgreSQL.
Nothing leaves 127.0.0.1 and nothing is installed: without wrk, the script says how to
get it and stops. Every run is bounded by --duration; the whole bench takes ~3 minutes.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DOC = BASE_DIR / "docs" / "performance.md"
MARKERS = "<!-- bench:{}:start -->", "<!-- bench:{}:end -->"
BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)

# Every request a different reader: each comes from its own address (X-Real-IP, as set by a
# reverse proxy), so each request makes a new reader key and is counted.
NEW_READER_LUA = """
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  thread_id = id
end
request = function()
  counter = counter + 1
  local ip = string.format("10.%d.%d.%d", thread_id, math.floor(counter / 250) % 250,
                           counter % 250)
  return wrk.format(wrk.method, wrk.path,
                    {["User-Agent"] = "BROWSER_UA", ["X-Real-IP"] = ip}, wrk.body)
end
""".replace("BROWSER_UA", BROWSER_UA)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per URL")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of the on/off runs")
    parser.add_argument(
        "--compare-duration", type=int, default=5, help="seconds per on/off comparison run"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", ""),
        help="put the cache and the view buffer in this Redis (default: BENCH_REDIS_URL); "
        "without it, local-memory cache and the PostgreSQL buffer",
    )
    parser.add_argument("--output", type=Path, default=DOC)
    args = parser.parse_args()

    wrk = shutil.which("wrk")
    if not wrk:
        print(
            "wrk is not installed. On Debian or Ubuntu: sudo apt-get install wrk", file=sys.stderr
        )
        return 2

    env = bench_environment(args.redis_url)
    print(f"Database: {redact(env['DATABASE_URL'])}")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    if not args.skip_seed:
        if "seed_demo" not in manage(env, "help", "--commands", capture=True).split():
            print(
                "manage.py seed_demo is missing: seed a site another way and use --skip-seed",
                file=sys.stderr,
            )
            return 1
        print(f"Seeding a demo site with {args.articles} articles (idempotent)...")
        manage(env, "seed_demo", "--articles", str(args.articles))
    target = pick_targets(env)

    pages = [
        ("Front page", target["front"], None, "GET"),
        ("Article page", target["article"], None, "GET"),
        ("Search", target["search"], None, "GET"),
    ]
    # The counting comparison runs on two servers side by side, counting on and off, in
    # alternating rounds, so that other load on the machine hits both alike.
    counting = [
        ("Article page, counting off", target["article"], None, "GET", False),
        ("Article page, counting on, returning reader", target["article"], None, "GET", True),
        (
            "Article page, counting on, new reader each request",
            target["article"],
            NEW_READER_LUA,
            "GET",
            True,
        ),
        ("View beacon, counting off", target["beacon"], None, "POST", False),
        (
            "View beacon, counting on, new reader each request",
            target["beacon"],
            NEW_READER_LUA,
            "POST",
            True,
        ),
    ]
    started = time.monotonic()
    rounds: dict[str, list[dict]] = {}
    on_env = dict(env, VIEW_COUNTING_ENABLED="1")
    off_env = dict(env, VIEW_COUNTING_ENABLED="0")
    with Gunicorn(on_env, args.workers) as on, Gunicorn(off_env, args.workers) as off:
        for server in (on, off):
            for path in {target["front"], target["article"], target["search"]}:
                run_wrk(wrk, server.url + path, args, args.warmup, None, "GET")
        plan = [(name, on, path, lua, method) for name, path, lua, method in pages]
        page_names = {name for name, *_ in pages}
        for round_ in range(args.rounds):
            # Every other round runs backwards, so a drift in the machine's other load
            # does not always favour the scenarios that come first.
            order = counting if round_ % 2 == 0 else counting[::-1]
            plan += [
                (name, on if counted else off, path, lua, method)
                for name, path, lua, method, counted in order
            ]
        load_before = os.getloadavg()[0]
        for name, server, path, lua, method in plan:
            duration = args.duration if name in page_names else args.compare_duration
            stats = run_wrk(wrk, server.url + path, args, duration, lua, method)
            rounds.setdefault(name, []).append(stats)
            print(
                f"{name:55} {stats['rps']:>9.1f} req/s  p50 {stats['p50']:>7.2f} ms"
                f"  p99 {stats['p99']:>7.2f} ms  errors {stats['errors']}"
            )
    load = (load_before, os.getloadavg()[0])
    results = []
    for name, runs in rounds.items():
        path = next(p for n, p, *_ in pages + counting if n == name)
        results.append(
            {
                "name": name,
                "path": path,
                "runs": len(runs),
                "rps": statistics.median(r["rps"] for r in runs),
                "p50": statistics.median(r["p50"] for r in runs),
                "p99": statistics.median(r["p99"] for r in runs),
                "errors": sum(r["errors"] for r in runs),
                "all_rps": [r["rps"] for r in runs],
            }
        )
    print("Measuring the CPU cost of counting inside one process...")
    cpu = json.loads(
        subprocess.run(
            [PYTHON, str(BASE_DIR / "bench" / "cpu_cost.py"), target["article"], "500", "15"],
            cwd=BASE_DIR,
            env=env,
            check=True,
            text=True,
            capture_output=True,
            timeout=600,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    print(cpu)
    elapsed = time.monotonic() - started
    write_report(args, env, target, results, elapsed, load, cpu)
    print(f"Wrote {args.output.relative_to(BASE_DIR)}")
    return 0


def bench_environment(redis_url: str) -> dict:
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["CACHE_KEY_PREFIX"] = "newsportal-bench"
    url = env.get("BENCH_DATABASE_URL") or env.get("DATABASE_URL")
    if not url:
        sys.path.insert(0, str(BASE_DIR))
        from newsportal.embedded_db import embedded_database_url

        url = embedded_database_url(BASE_DIR / ".data")
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="newsportal.settings",
        # Production settings, except that the bench talks plain HTTP to 127.0.0.1.
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-only-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        # As behind a reverse proxy: the reader's address comes from X-Real-IP.
        CLIENT_IP_HEADER="X-Real-IP",
        GUNICORN_MAX_REQUESTS="0",  # no worker recycling in the middle of a measurement
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def redact(url: str) -> str:
    return re.sub(r"//([^:@/]+):[^@]+@", r"//\1:***@", url)


def manage(env: dict, *command: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *command],
        cwd=BASE_DIR,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
        timeout=1800,
    )
    return result.stdout if capture else ""


TARGETS_SCRIPT = """
import json
from django.urls import reverse
from articles.models import Article
articles = Article.objects.published().order_by("-published_at")
article = articles[len(articles[:50]) // 2]
word = max(article.title.split(), key=len).strip(".,:;!?'\\"").lower()
print(json.dumps({
    "front": reverse("articles:home"),
    "article": article.get_absolute_url(),
    "beacon": reverse("readership:beacon", kwargs={"pk": article.pk}),
    "search": reverse("search:search") + "?q=" + word,
    "articles": Article.objects.published().count(),
}))
"""


def pick_targets(env: dict) -> dict:
    output = manage(env, "shell", "-c", TARGETS_SCRIPT, capture=True)
    return json.loads(output.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn on a free 127.0.0.1 port, stopped by its PID however the block ends."""

    def __init__(self, env: dict, workers: int):
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).with_name("gunicorn")),
                "newsportal.wsgi:application",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--access-logfile",
                "/dev/null",
            ],
            cwd=BASE_DIR,
            env=self.env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("gunicorn exited during start-up")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):  # noqa: S310
                    return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise SystemExit("gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run_wrk(wrk: str, url: str, args, duration: int, lua: str | None, method: str) -> dict:
    command = [
        wrk,
        "--latency",
        "-t",
        str(args.threads),
        "-c",
        str(args.connections),
        "-d",
        f"{duration}s",
        "--timeout",
        "10s",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bench.lua"
        body = lua or ""
        if method != "GET":
            body = f'wrk.method = "{method}"\n' + body
        if not lua:
            body += f'wrk.headers["User-Agent"] = "{BROWSER_UA}"\n'
        script.write_text(body)
        command += ["-s", str(script), url]
        output = subprocess.run(
            command, check=True, text=True, capture_output=True, timeout=duration + 60
        ).stdout
    return parse_wrk(output)


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(output: str) -> dict:
    if "Latency Distribution" not in output:
        raise SystemExit(f"wrk gave no latency distribution:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = dict(re.findall(r"^ +(50|99)% +(\S+) *$", output, re.MULTILINE))
    if len(latency) != 2:
        raise SystemExit(f"cannot read the latency percentiles from wrk:\n{output}")
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(n) for n in match.groups())
    return {
        "rps": rps,
        "p50": to_ms(latency["50"]),
        "p99": to_ms(latency["99"]),
        "requests": requests,
        "errors": errors,
    }


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    memory = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
    return {
        "cpus": os.cpu_count(),
        "cpu": model.group(1).strip() if model else platform.processor() or "unknown",
        "memory": f"{int(memory.group(1)) / 1024 / 1024:.1f} GiB" if memory else "unknown",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def database_version(env: dict) -> str:
    script = "from django.db import connection; c = connection.cursor(); "
    script += "c.execute('SHOW server_version'); print(c.fetchone()[0])"
    return manage(env, "shell", "-c", script, capture=True).strip().splitlines()[-1]


def write_report(args, env, target, results, elapsed, load, cpu) -> None:
    info = machine()
    by_name = {r["name"]: r for r in results}
    off = by_name["Article page, counting off"]["rps"]
    config = "redis" if env.get("REDIS_URL") else "postgres"
    start, end = (marker.format(config) for marker in MARKERS)
    lines = [
        start,
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` (bench/run.py).",
        "",
        f"- Machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory']} memory, "
        f"{info['os']}, Python {info['python']}, PostgreSQL {database_version(env)}.",
        f"- Site: {target['articles']} published articles (`seed_demo --articles "
        f"{args.articles}`); cache: {'Redis' if env.get('REDIS_URL') else 'local memory'}; "
        f"view buffer: {'Redis' if env.get('REDIS_URL') else 'PostgreSQL'}; "
        "reader address from `X-Real-IP`.",
        f"- Server: gunicorn, {args.workers} gthread workers × 4 threads, DEBUG off, "
        "on the same machine as wrk and PostgreSQL (so they share the CPUs).",
        f"- Load: `wrk --latency -t{args.threads} -c{args.connections} -d{args.duration}s` "
        f"after {args.warmup} s of warm-up per URL, one URL at a time; counting on/off in "
        f"{args.rounds} alternating rounds of {args.compare_duration} s on two servers side "
        f"by side; total {elapsed:.0f} s.",
        f"- Other load on the machine: load average {load[0]:.1f} before, {load[1]:.1f} after "
        f"(on {info['cpus']} CPUs); figures from a busy shared machine vary from run to run.",
        "",
        "Requests/s and latencies are medians over the runs; each run's requests/s are in",
        "the last column.",
        "",
        "| Scenario | Path | Requests/s | p50 ms | p99 ms | Errors | Runs (req/s) |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        runs = ", ".join(f"{rps:.0f}" for rps in r["all_rps"])
        lines.append(
            f"| {r['name']} | `{r['path']}` | {r['rps']:.0f} | {r['p50']:.2f} | "
            f"{r['p99']:.2f} | {r['errors']} | {runs} |"
        )
    lines += ["", "Cost of view counting on the article page, against counting off:", ""]
    off_runs = by_name["Article page, counting off"]["all_rps"]
    for name in (
        "Article page, counting on, returning reader",
        "Article page, counting on, new reader each request",
    ):
        on_runs = by_name[name]["all_rps"]
        # Pair each round's on-run with the off-run next to it: the machine's other load
        # changes slowly, so neighbours see about the same.
        costs = [(o - n) / o * 100 for o, n in zip(off_runs, on_runs, strict=True) if o]
        if not costs:
            lines.append(f"- {name}: not measurable (no requests completed).")
            continue
        lines.append(
            f"- {name[len('Article page, ') :]}: **{statistics.median(costs):+.1f} %** "
            f"(median of rounds {', '.join(f'{c:+.1f}' for c in costs)} %; "
            f"{by_name[name]['rps']:.0f} against {off:.0f} requests/s; positive means slower)."
        )
    off_cpu = cpu["off"]
    lines += [
        "",
        "CPU time of one Django process per article page served from the page cache "
        "(bench/cpu_cost.py: the test client in-process, 15 alternating rounds of 500 "
        "requests, medians; the database's and Redis's own CPU not included):",
        "",
        f"- counting off: {off_cpu:.0f} µs",
        f"- counting on, returning reader: {cpu['returning reader']:.0f} µs "
        f"({(cpu['returning reader'] - off_cpu) / off_cpu * 100:+.1f} %)",
        f"- counting on, new reader each request: {cpu['new reader']:.0f} µs "
        f"({(cpu['new reader'] - off_cpu) / off_cpu * 100:+.1f} %)",
    ]
    lines.append(end)
    block = "\n".join(lines)

    title = "With Redis" if config == "redis" else "Without Redis"
    text = args.output.read_text() if args.output.exists() else "# Performance\n"
    if start not in text:
        text = text.rstrip("\n") + f"\n\n### {title}\n\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    args.output.write_text(head + block + tail)


if __name__ == "__main__":
    sys.exit(main())
