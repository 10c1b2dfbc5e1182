"""Living with a dependency that may be away (Redis, for the cache and the view buffer).

After a failure the dependency is skipped for CACHE_RETRY_SECONDS, so a request does not
wait on a dead server, then tried again: its coming back needs no restart. The outage is
logged once per CACHE_ERROR_LOG_SECONDS, not once per request, and its end once.
"""

import logging
import threading
import time

from django.conf import settings


class OutageGate:
    """Whether to try a dependency now, and the log lines of its outages.

    `down_message` is a logging format taking the error's type, the action and the error;
    `back_message`, if given, is logged when it answers again after an outage.
    """

    def __init__(self, logger: logging.Logger, *, down_message: str, back_message: str = ""):
        self.logger = logger
        self.down_message = down_message
        self.back_message = back_message
        self._lock = threading.Lock()
        self._skip_until = 0.0
        self._logged_at = float("-inf")
        self._down = False

    @property
    def open(self) -> bool:
        """False while the dependency is being skipped after a failure."""
        return time.monotonic() >= self._skip_until

    def failed(self, action: str, error: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self._skip_until = now + settings.CACHE_RETRY_SECONDS
            self._down = True
            if now - self._logged_at < settings.CACHE_ERROR_LOG_SECONDS:
                return
            self._logged_at = now
        self.logger.warning(self.down_message, type(error).__name__, action, error)

    def answered(self) -> None:
        if self._down:
            self._down = False
            if self.back_message:
                self.logger.warning(self.back_message)
