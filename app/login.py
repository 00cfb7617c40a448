"""Login throttling: three wrong passwords in a row lock the login for a minute.

Qt-free so tests can drive it with a fake clock. The numbers are UI policy for one PC (the
service :func:`app.users.authenticate` stays stateless).
"""
from __future__ import annotations

import time
from collections.abc import Callable

MAX_FAILURES = 3
LOCK_SECONDS = 60.0


class LoginGuard:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic,
                 max_failures: int = MAX_FAILURES, lock_seconds: float = LOCK_SECONDS):
        self.clock = clock
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds
        self.failures = 0
        self._locked_until: float | None = None

    def remaining(self) -> float:
        """Seconds until a login may be tried again (0 when not locked)."""
        if self._locked_until is None:
            return 0.0
        left = self._locked_until - self.clock()
        if left <= 0:
            self._locked_until = None
            self.failures = 0
            return 0.0
        return left

    @property
    def locked(self) -> bool:
        return self.remaining() > 0

    def failed(self) -> None:
        """Count a wrong password; the third in a row starts the lock."""
        if self.locked:
            return
        self.failures += 1
        if self.failures >= self.max_failures:
            self._locked_until = self.clock() + self.lock_seconds

    def succeeded(self) -> None:
        self.failures = 0
        self._locked_until = None

    def message(self) -> str:
        left = self.remaining()
        if left > 0:
            return f"密码连续输错 {self.max_failures} 次，登录已锁定，请 {int(left + 0.999)} 秒后再试。"
        if self.failures:
            return f"用户名或密码不正确（已连续输错 {self.failures} 次，输错 {self.max_failures} 次将锁定 1 分钟）。"
        return ""
