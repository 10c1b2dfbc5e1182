"""Instructions per request of our WSGI application, counted by valgrind's cachegrind.

CPU time on a shared two-CPU machine moves by a third between two runs of the same code;
the number of instructions a request executes does not. This runs bench/hit_cpu.py under
cachegrind twice, with FEW and MANY requests a round (two rounds: the first warms up), and
prints the difference per request: startup and warm-up cancel out.

    DATABASE_URL=... PAGE_CACHE_SECONDS=0 python bench/instructions.py PATH[,PATH...] [FEW MANY]

Run it with the site's environment, like hit_cpu.py (DEBUG off, the bench's database);
PAGE_CACHE_SECONDS=0 counts rendered pages, the default counts page-cache hits. Needs
valgrind (Debian's `valgrind`); under it a request takes about fifty times as long.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def instructions(paths: str, requests: int) -> int:
    done = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            str(BENCH / "hit_cpu.py"),
            "newsportal.wsgi:application",
            paths,
            str(requests),
            "1",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    paths = sys.argv[1]
    few, many = (int(n) for n in sys.argv[2:4]) if len(sys.argv) > 3 else (20, 120)
    # hit_cpu.py makes two rounds of `requests` each (warm-up, measured).
    per_request = (instructions(paths, many) - instructions(paths, few)) / (2 * (many - few))
    print(f"{per_request:,.0f} instructions per request")


if __name__ == "__main__":
    main()
