"""gunicorn settings for production.

    gunicorn -c deploy/gunicorn.conf.py 'frontdoor:create_app()'

Threads rather than more processes: the arrivals board holds a server-sent event
stream open per screen, and a thread waiting on a socket costs little memory.
"""

import os

bind = os.environ.get("FRONTDOOR_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("FRONTDOOR_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("FRONTDOOR_THREADS", "16"))
timeout = 60
graceful_timeout = 30
keepalive = 5
# Access logs would carry full URLs; the app logs endpoints instead.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FRONTDOOR_FORWARDED_ALLOW_IPS", "127.0.0.1")
