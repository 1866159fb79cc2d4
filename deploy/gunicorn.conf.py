"""gunicorn settings for production.

    gunicorn -c deploy/gunicorn.conf.py 'frontdoor:create_app()'

Threads (gthread) rather than gevent or more processes: the arrivals board holds a
server-sent event stream open per screen, and each stream is a thread waiting on
an in-process queue (no database connection held), which costs little memory
(`make bench`: about 40 KiB a stream, 1,000 boards on 4 workers). Threads keep
psycopg, SQLAlchemy and every other library as they are, with no monkey-patching.
With PROMETHEUS_MULTIPROC_DIR set (frontdoor-web.service sets it), each worker keeps
its metrics in files there and /metrics adds them up (frontdoor/metrics.py).
So each worker needs a thread per open board plus some for ordinary requests:
256 by default (FRONTDOOR_THREADS). Events reach every worker, on every machine,
through PostgreSQL LISTEN/NOTIFY (one listening connection per worker).

The defaults (2 workers of 256 threads, 60 database connections) hold 512
connections at once: boards plus requests in flight. For 4 workers
(FRONTDOOR_WORKERS=4), as `make bench` runs 1,000 boards: the pools still fit, 4 x
(6 + 6 + 1 listener) + 6 = 58 of 60; but 4 x 256 = 1,024 places leave 24 for
requests beside 1,000 boards, and the kernel fills some workers before others, so
set FRONTDOOR_THREADS=320 (1,280 places). The README ("How many boards and kiosks
one web machine serves") has the measurements and the sums.

The settings come from frontdoor/config.py, the one reader of FRONTDOOR_* variables,
so the app sizes each worker's database pool from the same workers and threads
(``frontdoor.config.database_pool``; the README adds them up).
"""

import os

from frontdoor.config import load_config

settings = load_config()

bind = settings.bind
workers = settings.workers
worker_class = "gthread"
threads = settings.threads
# A worker accepts only the connections it has a thread for. gthread hands each
# connection it accepts to its thread pool, whose queue has no end, and the kernel
# does not spread connections evenly between workers: with more accepted than
# threads, the extra boards' streams, and any request behind them, would wait
# until a stream ends (up to 10 minutes). `make bench` saw it with 1,000 boards on
# 4 workers of 256 threads accepting up to 1,000 each: 356, 351, 248 and 45
# connections, and 195 boards never connected. A full worker stops accepting and
# another takes the connection. So no connection is kept open between requests
# (nginx opens another on loopback, which costs little): keepalive 0.
worker_connections = threads
timeout = 60
graceful_timeout = 30
keepalive = 0
# Access logs would carry full URLs; the app logs endpoints instead.
accesslog = None
errorlog = "-"
forwarded_allow_ips = settings.forwarded_allow_ips


def on_starting(server) -> None:
    """Empty the metrics directory from an earlier run (systemd gives a fresh one;
    this covers gunicorn started by hand with PROMETHEUS_MULTIPROC_DIR set)."""
    directory = settings.metrics_multiprocess_dir
    if directory and os.path.isdir(directory):
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.remove(os.path.join(directory, name))


def child_exit(server, worker) -> None:
    """A worker that stopped: its open-streams gauge no longer counts (``livesum``)."""
    if settings.metrics_multiprocess_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
