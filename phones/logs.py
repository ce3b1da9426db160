"""Log records carry the current request id; ``WELLUI_LOG_FORMAT=json`` writes each record
as one JSON object per line."""

import json
import logging
from datetime import UTC, datetime

from phones.request_ids import get_request_id

NO_REQUEST = "-"


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record: the current request's id, "-" outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keeps every record, stamped with the id (an id already on it stays)."""
        if not getattr(record, "request_id", None):
            record.request_id = get_request_id() or NO_REQUEST
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (ISO 8601, UTC), level, logger, message, request_id,
    and exception (the traceback text) when the record has one."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a single line of JSON."""
        entry: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or get_request_id() or NO_REQUEST,
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)
