"""python -m cluster up | down | status | test [pytest arguments]"""

import json
import os
import signal
import subprocess
import sys

from cluster import topology


def main(argv: list[str]) -> int:
    # A SIGTERM (timeout, Ctrl-C from make) unwinds like an error: what was started stops.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    command = argv[0] if argv else "status"
    if command == "up":
        cluster = topology.up()
        entry = cluster.info.get("varnish") or cluster.info["balancer"]
        print(f"cluster: readers at http://127.0.0.1:{entry}/ (state: {topology.STATE})")
        return 0
    if command == "down":
        topology.down()
        return 0
    if command == "status":
        if not topology.STATE.exists():
            print("cluster: not started")
            return 1
        state = json.loads(topology.STATE.read_text())
        for daemon in state["daemons"]:
            alive = topology.Daemon(**daemon).alive()
            print(
                f"{daemon['name']:18} pid {daemon['pid']:>7}  port {daemon['port']:>5}  "
                f"{'running' if alive else 'stopped'}"
            )
        return 0
    if command == "test":
        # Up, the scale-out tests against it, down: whatever the tests did.
        topology.up()
        try:
            env = os.environ | {"CLUSTER_STATE": str(topology.STATE)}
            return subprocess.call(
                [sys.executable, "-m", "pytest", "-p", "no:randomly", "tests/cluster", *argv[1:]],
                env=env,
            )
        finally:
            topology.down()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
