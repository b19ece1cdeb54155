"""Log records an operator can search: JSON lines (or plain text for development), each with a
timestamp, level, logger, message and, inside a request, the request id.

``configure_logging(fmt)`` installs the format on the root logger (``passport serve`` and
``passport worker`` call it, and the app factory of every uvicorn worker process);
``logging_config(fmt)`` is the same as a ``dictConfig`` mapping for uvicorn's ``log_config``.
The request id comes from ``passport.request_log``, which sets it for the duration of a request.

JSON lines carry the record's extra fields named in ``EXTRA_FIELDS`` (the access log's method,
route template, status and duration; the worker's batch id and counts), never arbitrary ones.

>>> record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "hi", "created": 0})
>>> JsonFormatter().format(record)
'{"time": "1970-01-01T00:00:00.000Z", "level": "INFO", "logger": "x", "message": "hi"}'
"""

from __future__ import annotations

import contextvars
import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["json", "text"]
LOG_FORMATS: tuple[LogFormat, ...] = ("json", "text")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
EXTRA_FIELDS = (
    "method",
    "route",
    "status",
    "duration_ms",
    "client",
    "batch_id",
    "job_id",
    "rows",
    "done",
    "total",
    "attempt",
)
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "passport_request_id", default=None
)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (``-`` outside a request) to every record a handler emits."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; the exception, if any, as one string field."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id not in (None, "-"):
            entry["request_id"] = request_id
        for name in EXTRA_FIELDS:
            if name in record.__dict__:
                entry[name] = record.__dict__[name]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(fmt: LogFormat, *, access_log: bool = True) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` mapping: records of INFO and above to stderr in ``fmt``.

    uvicorn's own access log is off (``passport.access`` logs every request with its route
    template instead, unless ``access_log`` is false); its error log goes through the same
    handler.
    """
    formatter: dict[str, Any] = (
        {"()": JsonFormatter}
        if fmt == "json"
        else {"format": TEXT_FORMAT, "datefmt": "%Y-%m-%dT%H:%M:%S%z"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "default",
                "filters": ["request_id"],
            }
        },
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "uvicorn": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
            "passport.access": {"level": "INFO" if access_log else "WARNING"},
        },
    }


def configure_logging(fmt: LogFormat, *, access_log: bool = True) -> None:
    """Send every log record of this process to stderr in ``fmt``."""
    logging.config.dictConfig(logging_config(fmt, access_log=access_log))
