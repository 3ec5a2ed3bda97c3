"""Log lines as JSON, each with the id of the request that wrote it.

``RequestIdMiddleware`` (send_portal/middleware.py) sets the request's id in
``request_id`` for as long as the request runs; ``RequestIdFilter`` copies it
onto every log record, so every line a request causes, in any logger, carries
the same id as the ``X-Request-ID`` header the visitor (or the proxy) saw.
``JSONFormatter`` writes one JSON object per line, which log collectors read
without parsing rules. LOG_FORMAT=text gives plain lines instead (the demo's
default).
"""

import contextvars
import datetime
import json
import logging

# The id of the request this thread (or task) is serving; "-" outside a request.
request_id = contextvars.ContextVar("request_id", default="-")

# Attributes every LogRecord has; anything else was passed in ``extra`` and is logged too.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}
# Extras that are objects, not data: never written out.
_SKIP = {"request", "server_time"}


class RequestIdFilter(logging.Filter):
    """Put the current request's id on the record as ``record.request_id``."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, process, extras."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id.get()),
            "process": record.process,
        }
        for name, value in vars(record).items():
            if name in _STANDARD or name in _SKIP or name.startswith("_"):
                continue
            entry[name] = value if _is_plain(value) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _is_plain(value):
    return value is None or isinstance(value, str | int | float | bool)
