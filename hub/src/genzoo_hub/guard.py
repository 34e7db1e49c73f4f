"""Slow-client guard: a header deadline, a minimum upload rate and a connection cap for uvicorn.

uvicorn closes idle keep-alive connections but has no deadline for reading a request: a client
that sends half a request line and then nothing holds its socket (and a file descriptor) forever.
About 1,100 such connections exhausted the server's descriptors and every legitimate request then
waited in the accept backlog (slowloris). This protocol, a small subclass of uvicorn's h11 one,
adds three rules:

- **header deadline**: a request's headers must be complete ``header_timeout`` seconds after the
  connection opened or the previous response ended (an absolute deadline, so dripping one byte at
  a time does not extend it);
- **minimum upload rate**: while a request body is being received, the client must send at least
  ``min_body_rate`` bytes per second, measured over windows of ``idle_timeout`` seconds (so a
  client cannot hold a connection by dripping a byte now and then); a window in which the server
  itself paused reading is not held against the client, and downloads, where only the server
  sends, are never cut;
- **connection cap**: when a new connection would exceed ``max_connections``, the connection that
  has waited longest for its headers is closed to make room (attackers' connections are the
  oldest idle ones, while a real client sends its headers at once); if every connection is busy
  with a real request, the new one is refused. The default cap and the accept batch (the listen
  backlog) together stay below the process's descriptor limit, which the server first raises to
  its hard maximum, so ``accept`` does not fail with EMFILE.
"""

from __future__ import annotations

import logging
import resource
from dataclasses import dataclass

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

logger = logging.getLogger("genzoo_hub")

DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_IDLE_TIMEOUT = 30.0
DEFAULT_MIN_BODY_RATE = 1024.0  # bytes/s; 30 KiB per 30 s window
_MAX_CONNECTIONS_CEILING = 4096
_DESCRIPTORS_RESERVED = 64  # for blobs being served or stored, logs, the listening socket
_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"


def raise_descriptor_limit() -> int:
    """Raise the soft descriptor limit to the hard one (as nginx does); returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft


def default_max_connections() -> int:
    """Half the descriptors left after a reserve, at most 4,096.

    Only half: asyncio accepts a whole batch of pending connections (up to the listen backlog)
    before any of them can evict an older one, and an accept that hits the descriptor limit
    pauses accepting for a full second. The other half absorbs those batches.
    """
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return _MAX_CONNECTIONS_CEILING
    return max(8, min(_MAX_CONNECTIONS_CEILING, (soft - _DESCRIPTORS_RESERVED) // 2))


@dataclass(frozen=True)
class ConnectionLimits:
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    min_body_rate: float = DEFAULT_MIN_BODY_RATE
    max_connections: int | None = None  # None: default_max_connections()

    def __post_init__(self) -> None:
        if not (self.header_timeout > 0 and self.idle_timeout > 0 and self.min_body_rate >= 0):
            raise ValueError("timeouts must be positive and the minimum upload rate not negative")
        if self.max_connections is not None and self.max_connections < 1:
            raise ValueError("max_connections must be at least 1")

    @property
    def connection_cap(self) -> int:
        return self.max_connections if self.max_connections is not None else default_max_connections()

    @property
    def accept_backlog(self) -> int:
        """Listen backlog, which is also asyncio's accept batch: a quarter of the cap (16 to 2,048)."""
        return max(16, min(2048, self.connection_cap // 4))


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol plus the three rules above; ``limits`` is set by :func:`guarded_protocol`."""

    limits = ConnectionLimits()

    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
        super().connection_made(transport)
        self._waiting_since: float | None = None  # when this connection started waiting for headers
        self._window: tuple[float, int] | None = None  # (start, body bytes since) while a body arrives
        self._timer = None
        if len(self.connections) > self.limits.connection_cap and not self._evict_oldest_waiting():
            logger.warning("connection limit (%d) reached with every connection busy: refusing %s",
                           self.limits.connection_cap, self.client)
            self.transport.write(_BUSY)  # huggingface_hub retries a 503 with backoff
            self.transport.close()
            return
        self._refresh_guard()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._window is not None:
            self._window = (self._window[0], self._window[1] + len(data))
        super().data_received(data)
        self._refresh_guard()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._refresh_guard()

    # -- guard ---------------------------------------------------------------------------------

    def _evict_oldest_waiting(self) -> bool:
        waiting = [
            conn for conn in self.connections
            if conn is not self and isinstance(conn, GuardedH11Protocol) and conn._waiting_since is not None
            and not conn.transport.is_closing()
        ]
        if not waiting:
            return False
        oldest = min(waiting, key=lambda conn: conn._waiting_since)
        logger.warning("connection limit (%d) reached: closing %s, which sent no complete request for %.1f s",
                       self.limits.connection_cap, oldest.client, self.loop.time() - oldest._waiting_since)
        oldest._close()
        return True

    def _refresh_guard(self) -> None:
        """Track whether the client owes us headers; keep one timer armed at the next deadline."""
        if self.transport.is_closing():
            self._cancel_timer()
            return
        if self.conn.their_state is not h11.SEND_BODY:
            self._window = None
        elif self._window is None:  # a body starts: its first rate window too
            self._window = (self.loop.time(), 0)
        if self.conn.their_state is not h11.IDLE:
            self._waiting_since = None
        elif self._waiting_since is None:  # a new request is due: its header deadline starts now
            self._waiting_since = self.loop.time()
        when = self._next_check(self.loop.time())
        if self._timer is None or when < self._timer.when():  # a new deadline comes first: re-arm
            self._arm(when)

    def _next_check(self, now: float) -> float:
        if self._waiting_since is not None:
            return self._waiting_since + self.limits.header_timeout
        if self._window is not None:
            return max(self._window[0] + self.limits.idle_timeout, now + 0.05)
        return now + self.limits.idle_timeout  # the client owes nothing (e.g. a download): look again later

    def _arm(self, when: float) -> None:
        self._cancel_timer()
        self._timer = self.loop.call_at(when, self._on_timer)

    def _cancel_timer(self) -> None:
        if getattr(self, "_timer", None) is not None:
            self._timer.cancel()
            self._timer = None

    def _on_timer(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        now = self.loop.time()
        if self._waiting_since is not None and now >= self._waiting_since + self.limits.header_timeout:
            logger.info("closing %s: no complete request headers within %.1f s",
                        self.client, self.limits.header_timeout)
            self._close()
            return
        if self._window is not None and now >= self._window[0] + self.limits.idle_timeout:
            start, received = self._window
            if not self.flow.read_paused and received < self.limits.min_body_rate * (now - start):
                logger.info("closing %s: request body at %.0f bytes/s, below the minimum of %.0f",
                            self.client, received / (now - start), self.limits.min_body_rate)
                self._close()
                return
            self._window = (now, 0)  # a paused window (we stopped reading) does not count against the client
        self._arm(self._next_check(now))

    def _close(self) -> None:
        self._cancel_timer()
        self._waiting_since = None
        self.transport.close()


def guarded_protocol(limits: ConnectionLimits) -> type[GuardedH11Protocol]:
    """A protocol class for ``uvicorn.Config(http=...)`` that enforces ``limits``."""
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"limits": limits})
