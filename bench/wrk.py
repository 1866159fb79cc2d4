"""``wrk`` as the yardstick's load client: a C client that costs the machine little, so
the yardstick's figures are the server's, not the client's.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

INSTALL = "wrk is not installed: on Debian or Ubuntu, sudo apt-get install -y wrk"

# wrk calls done() once at the end: the figures, one "name value" a line.
_SCRIPT = """
wrk.method = "POST"
done = function(summary, latency, requests)
  io.write(string.format("=requests %d\\n", summary.requests))
  io.write(string.format("=seconds %f\\n", summary.duration / 1e6))
  io.write(string.format("=p50_ms %f\\n", latency:percentile(50) / 1000))
  io.write(string.format("=p95_ms %f\\n", latency:percentile(95) / 1000))
  local e = summary.errors
  io.write(string.format("=errors %d\\n", e.connect + e.read + e.write + e.status + e.timeout))
end
"""


@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    errors: int  # failed connections, reads, writes, timeouts, and answers not 2xx/3xx


def available() -> bool:
    return shutil.which("wrk") is not None


def post(url: str, *, connections: int, seconds: float) -> Run:
    """POST to ``url`` from ``connections`` kept-alive connections for ``seconds``."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "post.lua"
        script.write_text(_SCRIPT)
        done = subprocess.run(
            [
                "wrk", "--threads", "1", "--connections", str(connections),
                "--duration", f"{max(1, round(seconds))}s", "--timeout", "10s",
                "--script", str(script), url,
            ],
            capture_output=True, text=True, timeout=seconds + 30, check=True,
        )  # fmt: skip
    figures = dict(line[1:].split(" ", 1) for line in done.stdout.splitlines() if line[:1] == "=")
    return Run(
        requests=int(figures["requests"]),
        seconds=float(figures["seconds"]),
        p50_ms=float(figures["p50_ms"]),
        p95_ms=float(figures["p95_ms"]),
        errors=int(figures["errors"]),
    )
