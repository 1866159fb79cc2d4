"""``python -m bench [name ...]``: run the benchmarks and print their figures."""

from __future__ import annotations

import importlib
import logging
import sys

from bench.common import machine

BENCHMARKS = [
    # First: issue 15's figure, each hot path's CPU per request against the yardstick's.
    "cpu_per_request",
    "week_view",
    "booking_rush",
    "slot_finder",
    "kiosk_checkin",
    "arrivals",
    "dispatcher",
    "retention",
    "oruk_page",
    "directory",
    # Last: it makes (or reuses) five years of a 50-hub council, and takes longest.
    "reach",
]


def main(names: list[str]) -> int:
    logging.getLogger("frontdoor").setLevel(logging.WARNING)
    print(f"Front Door benchmarks on {machine()}")
    for name in names or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n[{name}] {module.__doc__.strip().splitlines()[0]}")
        for result in module.run():
            print("  " + result.line())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
