"""The one WellApp client of this process, configured from Django settings."""

import functools

from django.conf import settings

from phones.upstream.client import WellAppClient
from phones.upstream.transport import DEFAULT_TIMEOUT


@functools.cache
def upstream_client() -> WellAppClient:
    """The pooled WellApp client of this process: ``WELL_API_URL`` with ``WELL_API_TOKEN``,
    waiting ``WELL_API_TIMEOUT`` seconds for an answer (and at most 3.05 s for a connection).
    Changed settings apply once it is rebuilt (``upstream_client.cache_clear()``)."""
    read = float(settings.WELL_API_TIMEOUT)
    return WellAppClient(
        settings.WELL_API_URL,
        settings.WELL_API_TOKEN,
        timeout=(min(DEFAULT_TIMEOUT[0], read), read),
    )
