"""Slow and idle clients (slowloris) cannot starve real ones: header/idle timeouts and a connection cap.

Before the guard, idle half-sent requests held their descriptors forever: with a descriptor limit
of 256, 300 of them made every later request wait in the accept backlog until it timed out.
"""

from __future__ import annotations

import select
import socket
import time

import httpx
import pytest

from genzoo_hub import ConnectionLimits, import_folder

HALF_REQUEST = b"GET /genzoo/model/resolve/main/weights.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def open_half_sent(port: int, count: int, wave: int = 10) -> list[socket.socket]:
    """``count`` connections that each sent part of a request line and headers, then go quiet.

    They are opened in waves smaller than the server's listen backlog, as a slowloris client does
    (it needs no flood): a burst beyond the backlog would leave connections in the kernel's queue,
    where the server cannot time them out until it accepts them.
    """
    sockets = []
    for start in range(0, count, wave):
        for _ in range(min(wave, count - start)):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(HALF_REQUEST)
            sockets.append(sock)
        time.sleep(0.02)
    return sockets


def closed_by_server(sock: socket.socket, wait: float) -> bool:
    """True if the server closed ``sock`` within ``wait`` seconds (EOF or reset)."""
    readable, _, _ = select.select([sock], [], [], wait)
    if not readable:
        return False
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True


@pytest.fixture
def published(tmp_path, source):
    """A storage root holding genzoo/model with one file."""
    import_folder(tmp_path / "root", source("model", {"weights.bin": b"w" * 1000}))
    return tmp_path / "root"


def test_real_requests_are_served_during_a_slowloris_attack(published, spawn):
    server = spawn(published, args=["--header-timeout", "2"], max_open_files=256)
    attack = open_half_sent(server.port, 300)  # more than the descriptor limit of the server
    try:
        for _ in range(5):
            started = time.monotonic()
            response = httpx.get(f"{server.url}/genzoo/model/resolve/main/weights.bin", timeout=10)
            assert response.status_code == 200 and response.content == b"w" * 1000
            assert time.monotonic() - started < 2
        deadline = time.monotonic() + 4  # the header timeout (2 s) plus slack
        still_open = [sock for sock in attack if not closed_by_server(sock, max(0.0, deadline - time.monotonic()))]
        assert not still_open, f"{len(still_open)} of {len(attack)} idle connections were never closed"
        assert server.proc.poll() is None
    finally:
        for sock in attack:
            sock.close()


def test_the_longest_waiting_connection_makes_room(published, make_hub):
    hub = make_hub(limits=ConnectionLimits(header_timeout=30, max_connections=10))
    oldest = open_half_sent(hub.port, 5)
    time.sleep(0.2)
    newest = open_half_sent(hub.port, 10)  # 15 > 10: the 5 oldest must go, not the new ones
    try:
        assert all(closed_by_server(sock, 2) for sock in oldest)
        assert not select.select(newest, [], [], 0.3)[0]  # nothing to read: none was closed
        assert httpx.get(f"{hub.endpoint}/genzoo/model/resolve/main/weights.bin", timeout=5).status_code == 200
    finally:
        for sock in oldest + newest:
            sock.close()


def test_when_every_connection_is_busy_a_new_one_gets_503(published, make_hub):
    hub = make_hub(limits=ConnectionLimits(max_connections=2))
    uploads = [socket.create_connection(("127.0.0.1", hub.port), timeout=5) for _ in range(2)]
    for sock in uploads:  # complete headers, body in progress: busy, not evictable
        sock.sendall(b"POST /api/validate-yaml HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Authorization: Bearer " + hub.write_token.encode() + b"\r\nContent-Length: 100\r\n\r\n{")
    time.sleep(0.2)
    try:
        with socket.create_connection(("127.0.0.1", hub.port), timeout=5) as extra:
            assert extra.recv(1024).startswith(b"HTTP/1.1 503 ")
        assert not select.select(uploads, [], [], 0.2)[0]  # the uploads were left alone
    finally:
        for sock in uploads:
            sock.close()


def test_headers_dripped_byte_by_byte_still_meet_the_deadline(published, make_hub):
    hub = make_hub(limits=ConnectionLimits(header_timeout=1))
    sock = socket.create_connection(("127.0.0.1", hub.port), timeout=5)
    started = time.monotonic()
    try:
        closed = False
        for byte in HALF_REQUEST * 4:  # one byte every 50 ms: each byte would reset an idle timer
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            if closed_by_server(sock, 0.05):
                closed = True
                break
        assert closed and time.monotonic() - started < 2
    finally:
        sock.close()


def test_a_stalled_upload_is_cut_but_the_next_request_on_a_keepalive_connection_is_timed_too(published, make_hub):
    hub = make_hub(limits=ConnectionLimits(header_timeout=1, idle_timeout=1))
    stalled = socket.create_connection(("127.0.0.1", hub.port), timeout=5)
    stalled.sendall(b"POST /api/validate-yaml HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Authorization: Bearer " + hub.write_token.encode() + b"\r\n"
                    b"Content-Length: 1000\r\n\r\n{\"content\": ")
    keepalive = socket.create_connection(("127.0.0.1", hub.port), timeout=5)
    keepalive.sendall(b"GET /genzoo/model/resolve/main/weights.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        answer = b""
        while not answer.endswith(b"w" * 1000):
            answer += keepalive.recv(1 << 16)
        keepalive.sendall(HALF_REQUEST)  # a second request that never completes
        assert closed_by_server(stalled, 3)
        assert closed_by_server(keepalive, 3)
    finally:
        stalled.close()
        keepalive.close()


def test_a_dripped_upload_is_cut_by_the_minimum_rate(published, make_hub):
    hub = make_hub(limits=ConnectionLimits(idle_timeout=0.5, min_body_rate=100))
    sock = socket.create_connection(("127.0.0.1", hub.port), timeout=5)
    sock.sendall(b"POST /api/validate-yaml HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Authorization: Bearer " + hub.write_token.encode() + b"\r\nContent-Length: 100000\r\n\r\n")
    started = time.monotonic()
    try:
        while not closed_by_server(sock, 0.1):  # 8 bytes per 0.1 s: under 100 bytes/s
            assert time.monotonic() - started < 3, "a dripping upload kept its connection"
            try:
                sock.sendall(b" " * 8)
            except OSError:
                break
    finally:
        sock.close()


def test_limits_are_validated():
    with pytest.raises(ValueError):
        ConnectionLimits(header_timeout=0)
    with pytest.raises(ValueError):
        ConnectionLimits(max_connections=0)
    assert 8 <= ConnectionLimits().connection_cap <= 4096
    assert 16 <= ConnectionLimits(max_connections=10).accept_backlog <= ConnectionLimits().connection_cap
