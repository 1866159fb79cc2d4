"""gunicorn settings for production.

    gunicorn -c deploy/gunicorn.conf.py 'frontdoor:create_app()'

Threads (gthread) rather than gevent or more processes: the arrivals board holds a
server-sent event stream open per screen, and each stream is a thread waiting on
an in-process queue (no database connection held), which costs little memory
(`make bench`: about 100 streams added under 10 MB to a worker). Threads keep
psycopg, SQLAlchemy and every other library as they are, with no monkey-patching.
So each worker needs a thread per open board plus some for ordinary requests:
256 by default (FRONTDOOR_THREADS). Events reach every worker, on every machine,
through PostgreSQL LISTEN/NOTIFY (one listening connection per worker).
"""

import os

bind = os.environ.get("FRONTDOOR_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("FRONTDOOR_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("FRONTDOOR_THREADS", "256"))
# Open connections (boards plus ordinary requests) one worker accepts.
worker_connections = 1000
timeout = 60
graceful_timeout = 30
keepalive = 5
# Access logs would carry full URLs; the app logs endpoints instead.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FRONTDOOR_FORWARDED_ALLOW_IPS", "127.0.0.1")
