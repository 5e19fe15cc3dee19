"""gunicorn settings for `make run` and production: `gunicorn -c config/gunicorn.py config.wsgi`.

Environment: PORT (8000), BIND (127.0.0.1:$PORT), WEB_CONCURRENCY (workers, default 2 per
core + 1).
"""
import multiprocessing
import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Load the app once in the master: Django, the templates and the Chinese dictionaries are then
# shared by every worker instead of being loaded per worker on its first request.
preload_app = True
timeout = 30
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG", "-")
errorlog = "-"
