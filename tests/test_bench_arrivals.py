"""The arrivals bench's own workings (bench/arrivals.py): its knobs, its reading of each
worker's open connections from /proc (on real sockets), and the figures it prints.
Relations and counts only, never a threshold on time."""

from __future__ import annotations

import os
import socket
from collections import Counter

from bench import arrivals
from bench.arrivals import Measured, Scale, Worker, memory_per_stream
from bench.cpu import Used


def test_a_run_without_knobs_is_the_issues_1000_boards_on_4_workers():
    scale = Scale.from_environment({})
    assert (scale.workers, scale.boards) == (4, 1000)
    # Each worker has a thread for its share of the boards, and room for requests.
    assert scale.threads > scale.boards / scale.workers
    # And the client may open a stream and a fetch for every board.
    assert scale.open_files > 2 * scale.boards


def test_knobs_set_the_run_and_nonsense_is_raised_to_the_least_that_runs():
    scale = Scale.from_environment(
        {
            "FRONTDOOR_BENCH_ARRIVALS_WORKERS": "2",
            "FRONTDOOR_BENCH_ARRIVALS_BOARDS": "200",
            "FRONTDOOR_BENCH_ARRIVALS_THREADS": "256",
            "FRONTDOOR_BENCH_ARRIVALS_CHECK_INS": "10",
            "FRONTDOOR_BENCH_ARRIVALS_REFRESHES": "0",
            "FRONTDOOR_BENCH_ARRIVALS_FETCHING": "10",
        }
    )
    assert scale == Scale(
        workers=2, boards=200, threads=256, check_ins=10, refreshes=0, fetching=10
    )
    assert scale.fetchers == 10  # the boards at the family's hub fetch, the others wait
    assert Scale.from_environment({}).fetchers == 1000  # by default every board fetches
    assert Scale.from_environment({"FRONTDOOR_BENCH_ARRIVALS_BOARDS": "0"}).boards == 1
    # More boards, a longer bound for the whole run, but always a bound.
    assert Scale(boards=2000).total_seconds > Scale(boards=200).total_seconds


def test_memory_per_stream_is_what_the_workers_grew_by_over_the_streams_they_held():
    before = [Worker(10, 0, 150_000), Worker(11, 0, 140_000)]
    during = [Worker(10, 300, 162_000), Worker(11, 100, 144_000)]
    assert memory_per_stream(before, during) == (12_000 + 4_000) / 400
    # A worker that started in between has no idle reading: it is left out.
    assert memory_per_stream(before, [*during, Worker(12, 50, 300_000)]) == 40
    assert memory_per_stream(before, [Worker(10, 0, 151_000)]) is None


def test_a_workers_streams_are_its_accepted_sockets_on_the_servers_port():
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        accepted = [server.accept()[0] for _ in range(3)]
        try:
            inodes = arrivals._established_inodes(port)
            # This process holds both ends; only the server's (on the port) count.
            assert arrivals._connections(os.getpid(), inodes) == 3
            accepted[0].close()
            clients[0].close()
            assert arrivals._connections(os.getpid(), arrivals._established_inodes(port)) == 2
        finally:
            for one in clients + accepted:
                one.close()


def test_the_figures_name_the_scale_and_say_which_fetches_failed(capsys):
    scale = Scale(workers=4, boards=2, check_ins=1, refreshes=1)
    measured = Measured(
        event_ms=[20.0, 30.0],
        fresh_ms=[400.0],
        not_fresh=1,
        failed=Counter({"503": 1}),
        before=[Worker(10, 0, 100_000)],
        during=[Worker(10, 2, 100_100)],
        database=(9, 4, 0),
        connected=2,
        events_per_check_in=1.0,
        fetches=2,
        fan_out_seconds=1.0,
        check_ins_cpu=Used(server=0.2, postgres=0.02, everything=0.02, ended=0),
        fan_out_cpu=Used(server=0.25, postgres=0.03, everything=0.03, ended=0),
    )
    event, fresh = arrivals.results(scale, measured, files=4096, load=(1.0, 2.0, 3.0))
    assert "2 boards, 4 workers" in event.name and "max 30 ms" in event.extra
    assert event.samples_ms == [20.0, 30.0]
    # A fetch's CPU is the fan-out's, less its check-in and that event on every board.
    assert "CPU a check-in 200 ms server + 20 ms PG" in event.extra
    assert "CPU a fetch 25.0 ms server + 5.0 ms PG" in fresh.extra
    assert "name on 2 boards" in fresh.name and "1 boards not shown" in fresh.extra
    assert "fetches failed: 1 503" in fresh.extra
    printed = capsys.readouterr().out
    assert "memory per open stream: 50 KiB" in printed
    assert "9 (4 listening, 0 busy)" in printed and "load average 1.0 2.0 3.0" in printed

    without = Measured(event_ms=[5.0], connected=2)
    assert len(arrivals.results(scale, without, files=4096, load=(0, 0, 0))) == 1
    assert "memory per open stream: unmeasured" in capsys.readouterr().out
