"""DNS rebinding: the dashboard answers only the host names it is served under. A page on another
name that resolves to 127.0.0.1 cannot open the app's websocket (the channel every read and every
button goes through); this computer's own names can."""

from __future__ import annotations

import base64
import os
import socket
from urllib.parse import urlsplit

import pytest

from planning.cli import allowed_hosts


def handshake(port: int, host: str) -> bytes:
    """The status line of a websocket upgrade to the app's stream sent with ``Host: host``."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: http://{host}\r\n"
               "Sec-WebSocket-Protocol: streamlit\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request.encode())
        return s.recv(200).split(b"\r\n")[0]


@pytest.mark.parametrize("host, opens", [("localhost", True), ("127.0.0.1", True), ("[::1]", True),
                                         ("rebind.attacker.example", False), ("localhost.attacker.example", False),
                                         ("127.0.0.1.nip.io", False)])
def test_only_this_computers_names_open_the_app(app_url, host, opens):
    port = urlsplit(app_url).port
    status = handshake(port, f"{host}:{port}")
    assert (b" 101 " in status) is opens, status


def test_slate_app_allows_the_sign_in_host_and_no_other():
    assert allowed_hosts({}) == ["localhost", "127.0.0.1", "::1"]
    signed = {"auth": {"redirect_uri": "https://slate.studio.example:8443/oauth2callback"}}
    assert allowed_hosts(signed) == ["localhost", "127.0.0.1", "::1", "slate.studio.example"]
    assert allowed_hosts({}, " proxy.studio.example ,") == ["localhost", "127.0.0.1", "::1", "proxy.studio.example"]
