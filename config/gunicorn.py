"""gunicorn settings for `make run` and production: `gunicorn -c config/gunicorn.py config.wsgi`.

Environment: PORT (8000), BIND (127.0.0.1:$PORT), WEB_CONCURRENCY (workers, default 2 per
core + 1), THREADS (threads per worker, default 8), CLIENT_TIMEOUT (seconds a connection may
stay silent in the middle of a request, default 5).

Threaded workers (gthread): a worker waits for connections to become readable in one loop and
hands each request to one of its threads, so an idle keep-alive connection holds no thread and a
slow client holds one thread, not the whole worker (with sync workers, six slow clients stalled
every worker and a normal request waited 14 to 30 s). A client that sends part of a request and
then stops is cut off after CLIENT_TIMEOUT seconds of silence. In production, a buffering
reverse proxy in front (nginx: the README) takes slow clients off gunicorn altogether.
"""
import logging
import multiprocessing
import os

from gunicorn.workers.gthread import ThreadWorker

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "config.gunicorn.ThreadWorkerWithClientTimeout"
threads = int(os.environ.get("THREADS", 8))
client_timeout = float(os.environ.get("CLIENT_TIMEOUT", 5))
# Load the app once in the master: Django, the templates and the Chinese dictionaries are then
# shared by every worker instead of being loaded per worker on its first request.
preload_app = True
timeout = 30  # a worker whose main loop stops answering the master for this long is restarted
graceful_timeout = 10  # on restart or shutdown, requests in progress get this long to finish
keepalive = 2  # an idle keep-alive connection is closed after this many seconds
accesslog = os.environ.get("ACCESS_LOG", "-")
errorlog = "-"


class ThreadWorkerWithClientTimeout(ThreadWorker):
    """gunicorn's gthread worker, with a timeout on each read from and write to a client.

    Stock gthread reads a request with a blocking socket and no timeout: a client that sends
    half a request line and waits holds a thread for ever. Here such a client gets
    ``client_timeout`` seconds of silence (per read or write, so a slow but live upload still
    goes through), then its connection is closed and the thread is free again.
    """

    def enqueue_req(self, conn):
        conn.init()  # as ThreadWorker.enqueue_req, with the timeout set before a thread reads
        conn.sock.settimeout(client_timeout)
        future = self.tpool.submit(self.handle, conn)
        self._wrap_future(future, conn)


def post_worker_init(worker):
    logging.getLogger("gunicorn.error").addFilter(_silent_client_in_one_line)


def _silent_client_in_one_line(record: logging.LogRecord) -> bool:
    """gthread logs a client timeout as a socket error with a traceback; one line says it all."""
    if record.exc_info and isinstance(record.exc_info[1], TimeoutError):
        record.msg = "A client was silent for %g s in the middle of a request; connection closed."
        record.args, record.exc_info, record.exc_text = (client_timeout,), None, None
        record.levelno, record.levelname = logging.INFO, "INFO"
    return True
