"""The scale-out topology under load and faults (`make cluster-test`; skipped otherwise).

Every request goes through the real parts: HAProxy balancing two gunicorn nodes, each on
PgBouncer (transaction mode) in front of the primary and of a streaming replica, Redis, and
the S3 object store.
"""

import io
import os
import re
import signal
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import psycopg
from PIL import Image

from tests.cluster.conftest import manage, primary_sql
from tests.http_browser import Browser

THREADS = 8


def replica_sessions(cluster) -> int:
    """Connections PgBouncer holds to the replica for the web nodes (not counting ours)."""
    port = cluster.info["postgres"]["replica"]
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'newsportal' "
        "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
    )
    try:
        with psycopg.connect(f"postgres://postgres@127.0.0.1:{port}/newsportal") as conn:
            return conn.execute(query).fetchone()[0]
    except psycopg.OperationalError:
        return 0  # still starting up: it serves nobody yet


def counters(cluster, article_ids):
    rows = primary_sql(
        cluster,
        "SELECT id, rating_count, rating_sum, comment_count, view_count FROM articles_article "
        "WHERE id = ANY(%s) ORDER BY id",
        list(article_ids),
    )
    return {row[0]: row[1:] for row in rows}


def test_load_through_the_balancer_keeps_every_counter_exact(cluster, site):
    balancer = cluster.info["balancer"]
    articles = site["articles"][:3]
    ids = [a["id"] for a in articles]
    before = counters(cluster, ids)
    failures = []

    def reader(number: int) -> None:
        browser = Browser(address=f"10.0.{number}.1", agent=f"Mozilla/5.0 (Reader {number})")
        browser.log_in(balancer, site["users"][number], site["password"])
        for article in articles:
            status, _h, _b = browser.get(balancer, article["url"])
            stars = 1 + (number % 5)
            answers = [
                status,
                browser.post(balancer, f"/ratings/{article['id']}/", {"stars": stars})[0],
                browser.post(
                    balancer,
                    f"/comments/article/{article['id']}/",
                    {"body": f"Reader {number} on {article['id']}: agreed."},
                )[0],
            ]
            failures.extend(s for s in answers if s >= 400)

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(reader, range(THREADS)))
    assert failures == []
    time.sleep(2)  # each node writes its counted views to Redis once a second
    manage(cluster, "fold_views")

    after = counters(cluster, ids)
    stars_sum = sum(1 + (n % 5) for n in range(THREADS))
    for article_id in ids:
        ratings, rating_sum, comments, views = (
            a - b for a, b in zip(after[article_id], before[article_id], strict=True)
        )
        assert (ratings, rating_sum, comments) == (THREADS, stars_sum, THREADS), article_id
        # Logged-in readers, one view each (the page counts; the beacon would be deduped).
        assert views == THREADS, article_id
    checked = manage(cluster, "recount", "--check", check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_session_made_on_one_node_works_on_the_others(cluster, site):
    first, second = (node["port"] for node in cluster.info["nodes"][:2])
    browser = Browser()
    browser.log_in(first, site["users"][0], site["password"])

    status, _headers, page = browser.get(second, "/accounts/profile/")
    assert status == 200
    assert site["users"][0] in page


def answered(answers: list, count: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(answers) < count:
        assert time.monotonic() < deadline, f"only {len(answers)} answers in {timeout} s"
        time.sleep(0.05)


def test_a_web_node_killed_under_load_costs_no_request(cluster, site):
    balancer = cluster.info["balancer"]
    urls = ["/", *(a["url"] for a in site["articles"])]
    stop = threading.Event()
    answers: list[int] = []

    def load(number: int) -> None:
        browser = Browser(address=f"10.1.{number}.1")
        while not stop.is_set():
            answers.append(browser.get(balancer, urls[len(answers) % len(urls)])[0])

    victim = next(d for d in cluster.daemons if d.name == "web1")
    with ThreadPoolExecutor(6) as pool:
        running = [pool.submit(load, n) for n in range(6)]
        answered(answers, 6)
        os.killpg(victim.pid, signal.SIGKILL)
        killed_at = len(answers)
        # Requests in flight on the killed node, and those the balancer sends before its
        # probes notice, are all retried on the other node.
        answered(answers, killed_at + 24)
        stop.set()
        for future in running:
            future.result()
    assert len(answers) > killed_at > 0
    assert [s for s in answers if s != 200] == []
    cluster.start_node(1, port=victim.port)
    cluster.save()


def test_a_stopped_replica_moves_reads_to_the_primary_and_back(cluster, site):
    balancer = cluster.info["balancer"]
    # A query the page does not read makes it render for this request alone (the page
    # cache would answer the plain address without a database read).
    urls = [f"{a['url']}?read={n}" for n, a in enumerate(site["articles"])]
    browser = Browser()
    for url in urls:
        assert browser.get(balancer, url)[0] == 200
    assert replica_sessions(cluster) > 0, "reads did not reach the replica"

    cluster.stop_daemon("postgres-replica")
    stopped = time.monotonic()
    seen = []
    while time.monotonic() - stopped < 6:
        seen.append(browser.get(balancer, urls[len(seen) % len(urls)])[0])
    assert set(seen) == {200}, seen

    cluster.start_replica()
    cluster.save()
    deadline = time.monotonic() + 30
    while replica_sessions(cluster) == 0:
        assert time.monotonic() < deadline, "reads did not go back to the restarted replica"
        for n, url in enumerate(urls):
            assert browser.get(balancer, f"{url}{n}")[0] == 200
        time.sleep(0.2)


def png(size=(64, 64), color=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def test_an_image_uploaded_through_one_node_is_served_through_another(cluster, site):
    first, second = (node["port"] for node in cluster.info["nodes"][:2])
    browser = Browser()
    browser.log_in(first, site["users"][1], site["password"])
    browser.get(first, "/accounts/profile/")
    status, _headers, _page = browser.upload(
        first, "/accounts/profile/", {"display_name": "Node Reader"}, {"avatar": ("me.png", png())}
    )
    assert status == 302

    status, _headers, page = browser.get(second, "/accounts/profile/")
    assert status == 200
    src = re.search(r'<img class="avatar" src="([^"]+)"', page).group(1)
    store = f"http://127.0.0.1:{cluster.info['s3']}/"
    assert src.startswith(store), src
    with urllib.request.urlopen(src, timeout=30) as answer:  # noqa: S310 (loopback)
        assert answer.status == 200
        assert Image.open(io.BytesIO(answer.read())).size[0] > 0


def rating_count_shown(page: str) -> str:
    found = re.search(r"(\d+) ratings?\b", page)
    return found.group(1) if found else "0"


def test_a_purge_sent_from_any_node_reaches_the_proxy(cluster, site):
    proxy = cluster.info["varnish"]
    second = cluster.info["nodes"][1]["port"]
    article = site["articles"][4]
    reader = Browser(address="10.2.0.1")
    reader.get(proxy, article["url"])
    status, headers, page = reader.get(proxy, article["url"])
    assert (status, headers["X-Cache"]) == (200, "hit")
    shown = rating_count_shown(page)

    # A rating made on the second node, straight to it: the node purges the proxy.
    rater = Browser(address="10.2.0.2")
    rater.log_in(second, site["users"][5], site["password"])
    rater.get(second, article["url"])
    assert rater.post(second, f"/ratings/{article['id']}/", {"stars": 4})[0] == 302

    deadline = time.monotonic() + 15
    while rating_count_shown(reader.get(proxy, article["url"])[2]) == shown:
        assert time.monotonic() < deadline, "the proxy kept the page from before the rating"
        time.sleep(0.2)


def test_the_proxy_serves_pages_whose_images_live_in_the_object_store(cluster, site):
    proxy = cluster.info["varnish"]
    status, _headers, page = Browser().get(proxy, "/")
    assert status == 200
    store = f"http://127.0.0.1:{cluster.info['s3']}/"
    images = re.findall(r'src="(' + re.escape(store) + r'[^"]+)"', page)
    assert images, "the front page shows no image from the object store"
    with urllib.request.urlopen(images[0], timeout=30) as answer:  # noqa: S310 (loopback)
        assert answer.status == 200
