"""Who may do what: passwords, the signed login cookie, CSRF tokens, login throttling.

Passwords are Argon2 hashes (argon2-cffi). The login lives in Starlette's signed session
cookie (itsdangerous), which expires; the session also carries a random CSRF token that
every state-changing request must send back as the form field `csrf` or the header
X-CSRF-Token. Failed logins are counted per account name and per address: after
THROTTLE_FAILURES within THROTTLE_WINDOW seconds, that name or address waits.
"""
from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

SESSION_SECONDS = 8 * 3600  # a working day
THROTTLE_FAILURES = 5
THROTTLE_WINDOW = 300.0
PASSWORD_MIN = 8

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(hashed: str | None, password: str) -> bool:
    if not hashed:
        return False
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, again: str) -> str | None:
    """Why a new password is refused, in Chinese; None when it is acceptable."""
    if password != again:
        return "两次输入的密码不一致"
    if len(password) < PASSWORD_MIN:
        return f"密码至少 {PASSWORD_MIN} 位"
    if password.isdigit() or password.isalpha():
        return "密码须同时含有字母和数字"
    return None


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def same_token(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected, given)


class Throttle:
    """Recent failed logins per key (account name, address); a key over the limit must wait."""

    def __init__(self, failures: int = THROTTLE_FAILURES, window: float = THROTTLE_WINDOW) -> None:
        self.failures, self.window = failures, window
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, moment: float) -> deque[float]:
        times = self._seen[key]
        while times and moment - times[0] > self.window:
            times.popleft()
        return times

    def wait(self, *keys: str) -> float:
        """Seconds before any of `keys` may try again (0 when none is held)."""
        moment = time.monotonic()
        with self._lock:
            waits = [self.window - (moment - times[0]) for times in (self._recent(k, moment) for k in keys)
                     if len(times) >= self.failures]
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        moment = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, moment).append(moment)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._seen.pop(key, None)
