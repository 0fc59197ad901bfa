"""Rate limits that read their rates from settings when a request comes in.

DRF's own classes copy DEFAULT_THROTTLE_RATES once, at import, so a changed setting
(another environment value, a test override) would be ignored until a restart.
"""

from __future__ import annotations

from rest_framework import throttling
from rest_framework.settings import api_settings


class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class UserRateThrottle(throttling.UserRateThrottle):
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
