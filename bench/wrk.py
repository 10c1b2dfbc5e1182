"""Load the way readers do: wrk, with a Lua script rotating through many addresses, each
request from a reader of its own; and the parser of wrk's report."""

import random
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
INSTALL_HINT = "wrk is not installed: apt-get install wrk (Debian, Ubuntu)"

# Each wrk thread walks the list from its own starting point, so the connections do not
# ask for the same page at the same moment. Each request comes from an address of its own
# (X-Real-IP, as a reverse proxy sets it; the bench's servers trust it): a new reader, so
# our site counts every view, the dearest case. The first argument after `--` shifts the
# addresses, so a later run does not meet readers an earlier one already counted.
ROTATION_LUA = """\
local paths = {PATHS}
local user_agent = USER_AGENT
local counter = 0
local readers = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  readers = (tonumber(args[1]) or 0) + thread_number * 1048576
  counter = (thread_number - 1) * 17
end

function request()
  counter = counter + 1
  local path = paths[counter % #paths + 1]
  local reader = (readers + counter) % 16777216
  local address = string.format("10.%d.%d.%d", math.floor(reader / 65536),
                                math.floor(reader / 256) % 256, reader % 256)
  return wrk.format("GET", path, {["User-Agent"] = user_agent, ["X-Real-IP"] = address})
end
"""


@dataclass(frozen=True)
class Load:
    threads: int = 2
    connections: int = 16
    timeout: int = 10  # seconds: a slower answer counts as an error


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def rotation_script(paths: list[str]) -> str:
    """The Lua script for `paths` (URL paths, with their query strings), percent-encoded."""
    if not paths:
        raise ValueError("no paths to rotate through")
    encoded = [quote(path, safe="/?=&%:+-._~") for path in paths]
    listed = "{" + ", ".join(lua_string(path) for path in encoded) + "}"
    return ROTATION_LUA.replace("{PATHS}", listed).replace("USER_AGENT", lua_string(BROWSER_UA))


def wrk_binary() -> str | None:
    return shutil.which("wrk")


def run(wrk: str, base_url: str, paths: list[str], seconds: int, load: Load) -> dict:
    """One wrk run against `base_url`, rotating through `paths`; parsed figures."""
    with tempfile.TemporaryDirectory(prefix="newsportal-bench-") as tmp:
        script = Path(tmp) / "rotate.lua"
        script.write_text(rotation_script(paths))
        command = [wrk, "--latency", f"-t{load.threads}", f"-c{load.connections}"]
        command += [f"-d{seconds}s", f"--timeout={load.timeout}s", "-s", str(script)]
        command += [base_url, "--", str(random.randrange(16_777_216))]
        result = subprocess.run(
            command, check=False, text=True, capture_output=True, timeout=seconds + 60
        )
    if result.returncode:
        raise SystemExit(f"wrk failed ({result.returncode}):\n{result.stderr}{result.stdout}")
    return parse(result.stdout)


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse(output: str) -> dict:
    """Requests/s, p50 and p99 in ms, requests, and errors (non-2xx/3xx answers, failed
    connections, reads and writes, and timeouts) from `wrk --latency`'s report."""
    if "Latency Distribution" not in output:
        raise SystemExit(f"wrk gave no latency distribution:\n{output}")
    latency = dict(re.findall(r"^ +(50|99)% +(\S+) *$", output, re.MULTILINE))
    if len(latency) != 2:
        raise SystemExit(f"cannot read the latency percentiles from wrk:\n{output}")
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(n) for n in match.groups())
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": to_ms(latency["50"]),
        "p99": to_ms(latency["99"]),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": errors,
    }
