"""The bench harness (bench/): its modules import, its wrk script rotates through the
addresses it is given, and its parser reads wrk's report. No wrk is run here."""

import re

import pytest

from bench import proxies, report, run, servers, sites, targets, wrk  # noqa: F401 - they import

WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:40123
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.34ms    5.67ms  98.10ms   80.00%
    Req/Sec   650.12     40.00   700.00     70.00%
  Latency Distribution
     50%   10.50ms
     75%   14.00ms
     90%   20.00ms
     99%    1.25s
  6502 requests in 5.00s, 250.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   1300.40
Transfer/sec:     50.00MB
"""


def test_wrk_report_is_read_with_latencies_in_ms_and_every_kind_of_error_counted():
    assert wrk.parse(WRK_OUTPUT) == {
        "rps": 1300.40,
        "p50": 10.5,
        "p99": 1250.0,
        "requests": 6502,
        "errors": 12,
    }


def test_wrk_report_without_latency_distribution_stops_the_bench():
    with pytest.raises(SystemExit):
        wrk.parse("unable to connect to 127.0.0.1:1 Connection refused")


def test_rotation_script_lists_every_path_percent_encoded_and_quoted():
    paths = ["/2026/01/02/a-story/", "/search/?q=council", '/tag/\u00e9t\u00e9/"x"']
    script = wrk.rotation_script(paths)
    listed = re.search(r"^local paths = \{(.*)\}$", script, re.MULTILINE).group(1)
    assert listed.split(", ") == [
        '"/2026/01/02/a-story/"',
        '"/search/?q=council"',
        '"/tag/%C3%A9t%C3%A9/%22x%22"',
    ]
    assert "counter % #paths + 1" in script  # every request takes the next path
    assert '["X-Real-IP"] = address' in script  # each from a reader of its own
    assert wrk.BROWSER_UA in script


def test_rotation_script_needs_paths():
    with pytest.raises(ValueError):
        wrk.rotation_script([])


def test_each_site_size_has_its_own_database_next_to_the_given_one():
    url = "postgres://postgres:secret@127.0.0.1:5432/np_bench"
    assert sites.database_url(url, 1000) == "postgres://postgres:secret@127.0.0.1:5432/np_bench_1k"
    assert sites.database_url(url, 100_000).endswith("/np_bench_100k")
    assert sites.redact(url) == "postgres://postgres:***@127.0.0.1:5432/np_bench"


def test_results_go_between_their_markers_and_leave_the_rest_of_the_doc_alone():
    text = "# Performance\n\n## Benchmark results\n\nintro\n\n## Later\n\nkept\n"
    once = report.replace_block(text, "size-1k", "1k articles", ["first"])
    assert "### 1k articles\n\n<!-- bench:size-1k:start -->\nfirst\n" in once
    assert once.index("first") < once.index("## Later")
    twice = report.replace_block(once, "size-1k", "1k articles", ["second"])
    assert "first" not in twice and twice.count("bench:size-1k:start") == 1
    assert twice.endswith("## Later\n\nkept\n")


def test_the_ceiling_saves_each_page_where_nginx_finds_it(tmp_path):
    pages = {"article": ["/2026/01/02/a-story/"], "search": ["/search/?q=council"]}
    asked = []

    def fetch(url):
        asked.append(url)
        return url.encode()

    proxies.save_pages(fetch, "http://127.0.0.1:1", pages, tmp_path)

    assert (tmp_path / "2026/01/02/a-story/index.html").read_bytes().endswith(b"a-story/")
    assert (tmp_path / "search/index.html").read_bytes().endswith(b"?q=council")


def test_varnish_and_the_floor_are_shown_as_a_share_of_the_ceiling():
    def result(rps):
        return {"rps": rps, "p99": 1.0, "errors": 0, "rounds": [rps]}

    results = {
        ("static", "article"): result(20_000),
        ("varnish", "article"): result(12_000),
        ("floor", "article"): result(4_000),
        ("cached", "article"): result(900),
    }

    lines = report.ceiling_lines(results)

    assert any("ours through Varnish | 12,000 | 20,000 | 60.0 %" in line for line in lines)
    assert any("| 4,000 | 20,000 | 20.0 %" in line for line in lines)
    assert not any("900" in line for line in lines)
    assert report.ceiling_lines({("floor", "article"): result(1)}) == []


def test_a_share_of_the_floor_is_the_median_of_each_runs_ratio_to_the_floor_beside_it():
    # The machine halves its speed in round 2: the floor beside each run halves with it.
    runs = [
        {"rps": 400, "p99": 50.0, "errors": 0, "floor_rps": 5_000},
        {"rps": 200, "p99": 90.0, "errors": 0, "floor_rps": 2_600},
        {"rps": 420, "p99": 40.0, "errors": 0, "floor_rps": 4_800},
    ]
    paired = report.summary(runs)
    floor = {"rps": 5_000, "p99": 5.0}

    assert paired["share"] == 400 / 5_000
    assert report.share(paired, floor) == "8.0 %⁺"
    unpaired = report.summary([dict(r, floor_rps=None) for r in runs])
    assert unpaired["share"] is None
    assert report.share(unpaired, floor) == "8.0 %"
