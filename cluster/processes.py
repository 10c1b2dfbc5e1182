"""Starting the cluster's daemons so that they outlive `make cluster`, and stopping exactly
those again: every process is recorded by PID (with its start time, so a PID that the
system has since given to another program is never signalled)."""

import os
import pwd
import signal
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from tools.loopback import as_user, wait_for_port


def started_at(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot); None if it has gone, or has
    exited and waits only to be reaped (a zombie: its parent never asked)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if len(fields) < 20 or fields[0] == "Z":
        return None
    return fields[19]


@dataclass
class Daemon:
    name: str
    pid: int
    started: str
    port: int
    stop_signal: int = signal.SIGTERM

    def alive(self) -> bool:
        return started_at(self.pid) == self.started

    def stop(self, timeout: float = 20) -> None:
        if not self.alive():
            return
        os.killpg(self.pid, self.stop_signal)
        deadline = time.monotonic() + timeout
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.alive():
            os.killpg(self.pid, signal.SIGKILL)

    def as_json(self) -> dict:
        return asdict(self)


def spawn(
    name: str,
    command: list,
    *,
    port: int,
    log: Path,
    env: dict | None = None,
    cwd: Path | None = None,
    user: pwd.struct_passwd | None = None,
    stop_signal: int = signal.SIGTERM,
) -> Daemon:
    """Start `command` in a session of its own (so stopping it stops its children, and
    the shell that ran `make cluster` can exit) and wait until `port` accepts connections."""
    with log.open("a") as out:
        process = subprocess.Popen(
            [str(part) for part in command],
            stdout=out,
            stderr=out,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
            **as_user(user),
        )
    daemon = Daemon(name, process.pid, started_at(process.pid) or "", port, stop_signal)
    wait_for_port(port, process, log)
    return daemon


def run(command: list, *, log: Path, user=None, env=None, cwd=None, timeout: float = 300) -> None:
    with log.open("a") as out:
        subprocess.run(
            [str(part) for part in command],
            stdout=out,
            stderr=out,
            env=env,
            cwd=cwd,
            check=True,
            timeout=timeout,
            **as_user(user),
        )
