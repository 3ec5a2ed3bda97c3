"""Requests made to the portal as a WSGI server makes them, for the page benchmarks.

Django's test client is made for tests, not for timing: it copies the context
of every template rendered so a test can inspect it, and it hangs the request,
the contexts and helper functions on the response, tying them into reference
cycles that only the cyclic garbage collector frees (on the area page, some
1,700 objects a request). A server such as gunicorn calls the WSGI handler
and reads the body, and so does ``Server``; every middleware, the page cache
and the database's connection handling (kept connections, checked before
reuse) run as in production. The handler is production's own
(``send_portal.wsgi.application``), so the garbage collector is set as it is
there (``settle_garbage_collector``). Queries are counted by an execute wrapper, not
by recording each query's SQL as the test utilities do.
"""

import io
import sys

from django.conf import settings
from django.db import connection

HOST = "bench.localhost"


class Server:
    """``get(path)`` -> (status code, body), through the WSGI handler gunicorn calls."""

    def __init__(self):
        settings.ALLOWED_HOSTS = [HOST]  # the test settings allow no host of their own
        from send_portal.wsgi import application  # loaded here, after the settings above

        self.handler = application

    def get(self, path):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SCRIPT_NAME": "",
            "SERVER_NAME": HOST,
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": HOST,
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status = []
        result = self.handler(environ, lambda line, headers, exc_info=None: status.append(line))
        try:
            body = b"".join(result)
        finally:
            result.close()  # as the server does: request_finished, connections kept or closed
        return int(status[0].split(" ", 1)[0]), body


class CountQueries:
    """``with CountQueries() as counted:`` ... ``counted.queries`` is how many were sent."""

    def __enter__(self):
        self.queries = 0
        self._wrapper = connection.execute_wrapper(self._count)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)

    def _count(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)
