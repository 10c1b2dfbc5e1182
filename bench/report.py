"""The bench's tables: printed, and written into docs/performance.md between markers
(`<!-- bench:<block>:start -->` ... `:end -->`), so a run replaces only its own blocks."""

import os
import platform
import re
import statistics
from datetime import datetime
from pathlib import Path

from bench.pages import PAGE_NAMES
from bench.targets import CEILING, FLOOR, TARGETS

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
RESULTS_HEADING = "## Benchmark results"


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    memory = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
    cpu = model.group(1).strip() if model else platform.processor() or "unknown CPU"
    gib = f"{int(memory.group(1)) / 1024 / 1024:.1f} GiB" if memory else "unknown"
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {gib} memory, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def summary(runs: list[dict]) -> dict:
    """Medians over the rounds, errors summed, each round's requests/s kept; and where
    every run had a floor run of its own right before it, the median of their ratios."""
    paired = all(r.get("floor_rps") for r in runs)
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p99": statistics.median(r["p99"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "rounds": [r["rps"] for r in runs],
        "share": statistics.median(r["rps"] / r["floor_rps"] for r in runs) if paired else None,
    }


def ratio(value: float, floor: float) -> str:
    return f"{value / floor * 100:.1f} %" if floor else "n/a"


def share(result: dict, floor: dict) -> str:
    """The result's share of the floor: of the floor run beside each of its runs when it
    had them (marked ⁺), else of the floor's own median."""
    if result.get("share") is not None:
        return f"{result['share'] * 100:.1f} %⁺"
    return ratio(result["rps"], floor["rps"])


def times(value: float, floor: float) -> str:
    return f"{value / floor:.1f}×" if floor else "n/a"


def number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def comparison_lines(results: dict[tuple[str, str], dict]) -> list[str]:
    """Issue 12's table (article and front page), then every page of every target."""
    floor = results[(FLOOR, "article")]
    lines = [
        "| target | article req/s | % of floor | p99 ms | home req/s | % of floor | p99 ms "
        "| errors (article / home) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for target in TARGETS:
        article = results.get((target.key, "article"))
        home = results.get((target.key, "front"), article if target.key == FLOOR else None)
        if not article or not home:
            continue
        bold = "**" if target.key != FLOOR else ""
        lines.append(
            f"| {bold}{target.name}{bold} | {number(article['rps'])} | "
            f"{share(article, floor)} | {number(article['p99'])} | "
            f"{number(home['rps'])} | {share(home, floor)} | "
            f"{number(home['p99'])} | {article['errors']} / {home['errors']} |"
        )
    lines += [
        "",
        "Every page (the floor answers the article page's bytes at any address, so every",
        "page is compared with the same floor):",
        "",
        "| page | target | req/s | % of floor | p99 ms | p99 ÷ floor's | errors | rounds |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    names = {target.key: target.name.split(" (")[0] for target in TARGETS}
    for page, page_name in PAGE_NAMES.items():
        for target in TARGETS:
            if target.key == FLOOR or (target.key, page) not in results:
                continue
            r = results[(target.key, page)]
            lines.append(
                f"| {page_name} | {names[target.key]} | {number(r['rps'])} | "
                f"{share(r, floor)} | {number(r['p99'])} | "
                f"{times(r['p99'], floor['p99'])} | {r['errors']} | "
                f"{', '.join(number(x) for x in r['rounds'])} |"
            )
    lines.append(
        f"| (any) | floor | {number(floor['rps'])} | 100 % | {number(floor['p99'])} | 1× | "
        f"{floor['errors']} | {', '.join(number(x) for x in floor['rounds'])} |"
    )
    return lines


def ceiling_lines(results: dict[tuple[str, str], dict]) -> list[str]:
    """Each page through Varnish, and the floor, as a share of nginx serving the page's
    saved copy (issue 12's goal for Varnish: at least 50 %)."""
    if not any(key == CEILING for key, _page in results):
        return []
    lines = [
        "",
        "Against the ceiling (nginx serving each page's saved copy from disk):",
        "",
        "| page | target | req/s | ceiling req/s | % of ceiling |",
        "|---|---|---:|---:|---:|",
    ]
    for page, page_name in PAGE_NAMES.items():
        ceiling = results.get((CEILING, page))
        if not ceiling:
            continue
        for target in TARGETS:
            if target.key == CEILING or (target.key, page) not in results:
                continue
            if target.key not in ("varnish", FLOOR):
                continue
            r = results[(target.key, page)]
            lines.append(
                f"| {page_name} | {target.name.split(' (')[0]} | {number(r['rps'])} | "
                f"{number(ceiling['rps'])} | {ratio(r['rps'], ceiling['rps'])} |"
            )
    return lines


def size_block(run: dict) -> list[str]:
    facts, load, args = run["facts"], run["load"], run["args"]
    seeded = (
        f"seeded by this run in {facts['seed_seconds']:.0f} s"
        if facts["seed_seconds"] is not None
        else "seeded by an earlier run and reused"
    )
    return [
        f"Measured {run['date']:%Y-%m-%d %H:%M} UTC by `make bench` (bench/run.py) in "
        f"{run['elapsed']:.0f} s.",
        "",
        f"- Site: `seed_demo --articles {run['size']}` ({seeded}): "
        f"{facts['articles_published']:,} published of {facts['articles_total']:,} articles, "
        f"{facts['comments']:,} comments; database `{run['database']}`, PostgreSQL "
        f"{run['postgres']}.",
        f"- Machine: {machine()}. wrk, gunicorn, PostgreSQL and Redis share its CPUs.",
        f"- Servers: every target on gunicorn with the project's gunicorn.conf.py, "
        f"{args.workers} workers × {args.threads} threads (gthread), DEBUG off, no access "
        "log, started side by side for the whole session.",
        f"- Load: `wrk --latency -t{args.wrk_threads} -c{args.connections} "
        f"-d{args.duration}s`, each right after a warm-up of the same target and page "
        f"({args.warmup} s, {2 * args.warmup} s for the rotating article pages, so every "
        "worker has its cached copies, as under a steady stream of readers); "
        f"{args.rounds} interleaved rounds (every target and page once a round, every other "
        "round in reverse order); medians of the rounds, errors summed (non-2xx answers, "
        "socket errors and timeouts over 10 s). A browser user agent, and every request "
        "from an address of its own (`X-Real-IP`): a new reader, so every view is counted."
        + (
            f" A share marked ⁺ is the median of each run's ratio to a {args.floor_slice} s "
            "run of the floor right before it: this machine's CPUs change speed from one "
            "second to the next, so only a floor measured beside a run says what it got."
            if args.floor_slice
            else ""
        ),
        f"- Load average (1 min) while measuring: {min(load):.1f} to {max(load):.1f}, median "
        f"{statistics.median(load):.1f}, on {os.cpu_count()} CPUs ({run['load_before']:.1f} "
        "just before the bench started its servers). The bench itself keeps about two busy; "
        "the rest is other work on this shared machine, which lowers every figure and "
        "makes them vary from run to run: compare rows of one run, not runs.",
        "",
        *comparison_lines(run["results"]),
        *ceiling_lines(run["results"]),
    ]


def cpu_block(cpu: dict[str, dict], date: datetime, article: str) -> list[str]:
    lines = [
        f"Measured {date:%Y-%m-%d %H:%M} UTC by `make bench` (bench/cpu_cost.py) on the 1k "
        f"site, article `{article}`: CPU time of one Django process per article page served "
        "from the page cache, through the test client in-process, 15 alternating rounds of "
        "500 requests, medians; the database's and Redis's own CPU not included.",
        "",
        "| cache and view buffer | counting off | returning reader | new reader each request |",
        "|---|---:|---:|---:|",
    ]
    for name, figures in cpu.items():
        off = figures["off"]
        cells = [f"{off:.0f} µs"] + [
            f"{figures[case]:.0f} µs ({(figures[case] - off) / off * 100:+.1f} %)"
            for case in ("returning reader", "new reader")
        ]
        lines.append(f"| {name} | {' | '.join(cells)} |")
    return lines


def profile_block(profile: dict, date: datetime, articles: int) -> list[str]:
    lines = [
        f"Measured {date:%Y-%m-%d %H:%M} UTC by `make bench BENCH_ARGS=--profile` "
        "(bench/profile_pages.py) "
        f"on the {articles:,}-article site: cProfile around Django's test client in one "
        "process, each request from a new reader; cProfile's own overhead included, so "
        "compare the rows, not the totals with the tables above.",
    ]
    for case, figures in profile.items():
        lines += [
            "",
            f"**{case}**: {figures['ms_per_request']:.1f} ms a request "
            f"({figures['requests']} requests).",
            "",
            "| own time: function | calls a request | ms a request |",
            "|---|---:|---:|",
            *(f"| `{r['function']}` | {r['calls']:g} | {r['ms']:.3f} |" for r in figures["own"]),
            "",
            "| our code, cumulative: function | calls a request | ms a request |",
            "|---|---:|---:|",
            *(f"| `{r['function']}` | {r['calls']:g} | {r['ms']:.3f} |" for r in figures["ours"]),
        ]
    return lines


def markers(block: str) -> tuple[str, str]:
    return f"<!-- bench:{block}:start -->", f"<!-- bench:{block}:end -->"


def replace_block(text: str, block: str, heading: str, lines: list[str]) -> str:
    """`text` with the block between `block`'s markers replaced by `lines`; a block not
    there yet is added, under `heading`, at the end of the results section."""
    start, end = markers(block)
    body = "\n".join([start, *lines, end])
    if start in text and end in text:
        head, rest = text.split(start, 1)
        return head + body + rest.split(end, 1)[1]
    if RESULTS_HEADING not in text:
        text = text.rstrip("\n") + f"\n\n{RESULTS_HEADING}\n"
    head, rest = text.split(RESULTS_HEADING, 1)
    following = re.search(r"^## ", rest, re.MULTILINE)
    cut = following.start() if following else len(rest)
    section = rest[:cut].rstrip("\n") + f"\n\n### {heading}\n\n{body}\n"
    return head + RESULTS_HEADING + section + ("\n" + rest[cut:] if following else "")


def write(path: Path, blocks: list[tuple[str, str, list[str]]]) -> None:
    text = path.read_text() if path.exists() else "# Performance\n"
    for block, heading, lines in blocks:
        text = replace_block(text, block, heading, lines)
    path.write_text(text)
