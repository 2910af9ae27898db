"""Who may do what: passwords and their policy, session tokens, CSRF tokens, login throttling.

Passwords are Argon2 hashes (argon2-cffi); a name without a usable password is checked against
a dummy hash of the same parameters, so the time taken does not tell which names exist. A new
password must be long, not a common one (zxcvbn's frequency lists and patterns) and not the
login name. A signed-in browser holds a random session token; the database keeps only its
SHA-256 (store.sessions) with the session's CSRF token, which every state-changing request
must send back as the form field `csrf` or the header X-CSRF-Token.

Failed logins are counted per (name, address): each failure past the first few makes that pair
wait longer before its next try, so a stranger guessing at a name from one address never stops
the real user signing in from another. An address failing very often across names is slowed
down as a whole, never locked out of a name.

SecurityHeaders puts the browser's rules (CSP, no framing, no sniffing, no referrer outside the site,
HSTS over HTTPS) on every response.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import secrets
import string
import threading
import time
from collections import OrderedDict, deque
from typing import Any, AsyncIterator, Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

SESSION_SECONDS = 8 * 3600  # a working day
PASSWORD_MIN = 10
PASSWORD_MAX = 128  # Argon2 takes any length; the strength estimate need not
FREE_FAILURES = 3  # wrong passwords of a name from an address before it has to wait
DELAY_CAP = 300.0  # the longest a (name, address) waits between tries
QUIET = 900.0  # a pair's failures are forgotten after this long without one
ADDRESS_FAILURES = 100  # failures from one address across names within ADDRESS_WINDOW before it is slowed
ADDRESS_WINDOW = 600.0
PAIRS_KEPT = 100_000  # the oldest pairs are forgotten first when an address sprays names

_hasher = PasswordHasher()
_dummy: list[str] = []  # a hash of nothing anyone knows, made once, with the hasher's parameters


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(hashed: str | None, password: str) -> bool:
    """Whether `password` is the one hashed; a missing hash takes as long and is False."""
    if not hashed:
        if not _dummy:
            _dummy.append(_hasher.hash(secrets.token_urlsafe(16)))
        hashed, password = _dummy[0], password + "\x00"  # never the dummy's own
        _check(hashed, password)
        return False
    return _check(hashed, password)


def _check(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


# Pinyin, spelled from its parts: a syllable is an initial (or none) and a final. Some spelled this way are not
# Mandarin (bia, fong); a password made of them is refused all the same.
PINYIN_INITIALS = ("", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "zh", "ch", "sh", "r",
                   "z", "c", "s", "y", "w")
PINYIN_FINALS = ("a", "o", "e", "i", "u", "v", "ai", "ei", "ui", "ao", "ou", "iu", "ie", "ve", "ue", "er", "an", "en",
                 "in", "un", "vn", "ang", "eng", "ing", "ong", "ia", "iao", "ian", "iang", "iong", "ua", "uo", "uai",
                 "uan", "uang")
PINYIN = frozenset(initial + final for initial in PINYIN_INITIALS for final in PINYIN_FINALS
                   if initial or final[0] in "aoe")  # without an initial, i u ü are written yi wu yu
PINYIN_LONGEST = max(map(len, PINYIN))
PINYIN_MOST = 4  # syllables of a name, a place or a phrase (wo ai ni, zhang wei, lan zhou, dang jian)
FILLERS = frozenset(string.digits + string.punctuation + " ")  # what such a password adds to its pinyin


def syllables(letters: str) -> int | None:
    """The fewest pinyin syllables `letters` is spelled with (lower case); None when it is not pinyin."""
    fewest: list[int | None] = [0] + [None] * len(letters)
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - PINYIN_LONGEST), end):
            before = fewest[start]
            if before is not None and letters[start:end] in PINYIN and (fewest[end] is None or before + 1 < fewest[end]):
                fewest[end] = before + 1
    return fewest[-1]


def pinyin_and_digits(password: str) -> bool:
    """Whether the password's letters are a few pinyin syllables and the rest only digits and common symbols
    (woaini1314520, zhangwei1990, lanzhou2024): the first guesses at a Chinese office."""
    runs, run = [], ""
    for ch in password.lower():
        if "a" <= ch <= "z":
            run += ch
            continue
        if ch not in FILLERS:
            return False
        if run:
            runs.append(run)
        run = ""
    runs += [run] if run else []
    counts = [syllables(word) for word in runs]
    return bool(runs) and None not in counts and sum(counts) <= PINYIN_MOST


def password_problem(password: str, again: str | None = None, name: str = "", words: tuple[str, ...] = ()) -> str | None:
    """Why a new password is refused, in Chinese; None when it is acceptable. `words` are the account's own (its
    申报党组织, the organisation's names): a password built on them is weak too."""
    if again is not None and password != again:
        return "两次输入的密码不一致"
    if len(password) < PASSWORD_MIN:
        return f"密码至少 {PASSWORD_MIN} 位"
    if len(password) > PASSWORD_MAX:
        return f"密码不超过 {PASSWORD_MAX} 位"
    if password.isdigit():
        return "密码不能只有数字，请加入字母或符号"
    if name and name.casefold() in password.casefold():
        return "密码不能包含登录名"
    if pinyin_and_digits(password):
        return ("拼音加数字的密码容易被猜中（如 woaini1314520、姓名拼音加生日、地名加年份）；"
                "请加入不成拼音的字母和符号，或换一个更长、更不规则的密码")
    if zxcvbn(password, user_inputs=[w for w in (name, *words) if w])["score"] < 3:
        return ("这个密码太常见或太容易猜到（如 password1、键盘上连着的字母、常用词加年份）；"
                "请换一个更长、更不规则的密码，例如几个不相关的词加数字和符号")
    return None


def new_password(name: str = "") -> str:
    """A random password of letters and digits that password_problem() accepts."""
    alphabet = string.ascii_letters + string.digits
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(14))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password) \
                and password_problem(password, name=name) is None:
            return password


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def new_session_token() -> tuple[str, str]:
    """A session's token (for the cookie) and its key (for the database)."""
    token = secrets.token_urlsafe(32)
    return token, session_key(token)


def session_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_token(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected, given)


def pair_delay(failures: int) -> float:
    """Seconds a (name, address) waits after its `failures`-th failure in a row: 0, 0, 1, 2, 4 … up to the cap
    (the first FREE_FAILURES tries are free, every one after them waits)."""
    return 0.0 if failures < FREE_FAILURES else min(2.0 ** (failures - FREE_FAILURES), DELAY_CAP)


class Turns:
    """One login try at a time per key (a name from an address), in the server's event loop: tries sent together
    are checked one after another, each seeing the outcome of the one before, so a burst of guesses gets no more
    tries than guesses one by one, and a burst of right passwords (several tabs, a script) all get in."""

    def __init__(self) -> None:
        self._held: dict[Any, tuple[asyncio.Lock, int]] = {}  # the key's lock and how many tries use it

    @contextlib.asynccontextmanager
    async def turn(self, key: Any) -> AsyncIterator[None]:
        lock, users = self._held.get(key, (asyncio.Lock(), 0))
        self._held[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._held[key]
            if users > 1:
                self._held[key] = (lock, users - 1)
            else:
                del self._held[key]


class Throttle:
    """Failed logins per (name, address) pair, each making the pair wait longer, and per address across names.

    A try is counted as a failure when it starts (attempt()), before its slow password check, and taken back
    when the password was right (succeeded()). The tries of one pair come one at a time (Turns); those of
    many names from one address run together and see each other: while an address has tries still being
    checked, and those already count up to its ceiling, it waits too (the delay of one more failure)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._pairs: OrderedDict[tuple[str, str], tuple[int, float]] = OrderedDict()  # oldest failure first
        self._addresses: dict[str, deque[float]] = {}
        self._checking: dict[tuple[str, str] | str, int] = {}  # tries still being checked, by pair and by address
        self._lock = threading.Lock()

    def wait(self, name: str, address: str) -> float:
        """Seconds before `name` may be tried again from `address` (0: now)."""
        with self._lock:
            return self._wait(name, address, self.clock())

    def attempt(self, name: str, address: str) -> float:
        """Start a try of `name` from `address`: 0 when it may go on (it is counted as a failure until
        succeeded() takes it back; failed() ends it), else the seconds to wait (nothing is counted)."""
        moment = self.clock()
        with self._lock:
            wait = self._wait(name, address, moment)
            if wait == 0:
                self._count(name, address, moment)
                for key in ((name, address), address):
                    self._checking[key] = self._checking.get(key, 0) + 1
        return wait

    def failed(self, name: str, address: str) -> None:
        """The try attempt() started was wrong (its delay runs from now); without attempt(), one more failure."""
        moment = self.clock()
        with self._lock:
            if not self._done(name, address):
                self._count(name, address, moment)
                return
            count, _ = self._pairs.pop((name, address), (1, moment))
            self._pairs[(name, address)] = (count, moment)

    def succeeded(self, name: str, address: str) -> None:
        """The password was right: the pair starts afresh, and its try no longer counts against the address."""
        with self._lock:
            if self._done(name, address) and self._addresses.get(address):
                self._addresses[address].popleft()  # one failure fewer (the oldest goes: the delay stays)
            self._pairs.pop((name, address), None)

    def _wait(self, name: str, address: str, moment: float) -> float:
        self._forget(moment)
        count, last = self._pairs.get((name, address), (0, moment))
        waits = [last + pair_delay(count) - moment]
        times = self._addresses.get(address)
        if times is not None and len(times) >= ADDRESS_FAILURES:
            delay = pair_delay(len(times) - ADDRESS_FAILURES + FREE_FAILURES)
            waits.append(times[-1] + delay - moment)
            if self._checking.get(address):
                waits.append(max(delay, 1.0))
        return max(0.0, *waits)

    def _count(self, name: str, address: str, moment: float) -> None:
        count, _ = self._pairs.pop((name, address), (0, moment))
        self._pairs[(name, address)] = (count + 1, moment)
        while len(self._pairs) > PAIRS_KEPT:
            self._pairs.popitem(last=False)
        self._addresses.setdefault(address, deque()).append(moment)
        self._forget(moment)

    def _done(self, name: str, address: str) -> bool:
        """End one try of the pair that attempt() started; whether there was one."""
        if not self._checking.get((name, address)):
            return False
        for key in ((name, address), address):
            left = self._checking.pop(key, 0) - 1
            if left > 0:
                self._checking[key] = left
        return True

    def _forget(self, moment: float) -> None:
        """Drop pairs quiet for QUIET seconds and an address's failures older than its window."""
        while self._pairs and moment - next(iter(self._pairs.values()))[1] > QUIET:
            self._pairs.popitem(last=False)
        for address in list(self._addresses):
            times = self._addresses[address]
            while times and moment - times[0] > ADDRESS_WINDOW:
                times.popleft()
            if not times:
                del self._addresses[address]


# What a page may load: only this site's own files (no inline script or style), never inside another site's frame.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HSTS_SECONDS = 365 * 24 * 3600


def response_headers(https: bool = False) -> dict[str, str]:
    """What every response tells the browser it may do with it (and, over HTTPS, to come back over HTTPS only)."""
    found = {"content-security-policy": CONTENT_SECURITY_POLICY, "x-frame-options": "DENY",
             "x-content-type-options": "nosniff", "referrer-policy": "same-origin"}
    if https:
        found["strict-transport-security"] = f"max-age={HSTS_SECONDS}"
    return found


class SecurityHeaders:
    """ASGI middleware: every response (pages, the API, static files, error pages) says what the browser may do
    with it; with `https` it also tells the browser to come back over HTTPS only."""

    def __init__(self, app: Any, https: bool = False) -> None:
        self.app = app
        self.headers = [(name.encode(), value.encode()) for name, value in response_headers(https).items()]

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in self.headers if h[0] not in names)]
            await send(message)

        await self.app(scope, receive, sending)
