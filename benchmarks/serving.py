"""Servers that tests and benchmarks start on this computer: a port nobody else can take meanwhile,
and where the server listens read from the kernel's socket tables (never by connecting anywhere).

``held_port()`` picks a free loopback port and HOLDS it (a socket bound to it with ``SO_REUSEADDR``,
not listening) until the block ends. Meanwhile the kernel hands that port to nobody asking for a
free one, and a connection to it is refused; but a server told to use it binds and listens on it,
because servers bind with ``SO_REUSEADDR`` too (Tornado under Streamlit, ``http.server``, ``slate
app``'s port check) and Linux lets a second such socket bind a port whose holder is not listening.
So: start the server inside the block, wait with ``wait_listening`` until it listens, then leave
the block. (Picking a port, closing it and passing the number on is a race: another process can
take the port in between.)

``listening(port)`` lists the local addresses of the sockets listening on ``port``, from
``/proc/net/tcp`` and ``/proc/net/tcp6`` (what ``ss -ltn`` reads): ``["127.0.0.1"]`` for a server
of this computer only, ``["0.0.0.0"]`` or ``["::"]`` for one that serves the network.
"""

from __future__ import annotations

import ipaddress
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

LOOPBACK = {"127.0.0.1", "::1"}


@contextmanager
def held_port():
    """A free port of 127.0.0.1, held (bound, not listening) until the block ends."""
    with socket.socket() as hold:
        hold.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        hold.bind(("127.0.0.1", 0))
        yield hold.getsockname()[1]


def listening(port: int) -> list[str]:
    """The local addresses of the sockets listening on ``port`` (TCP, IPv4 and IPv6)."""
    found = []
    for table, size in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] != "0A" or int(hex_port, 16) != port:           # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            words = b"".join(raw[i:i + 4][::-1] for i in range(0, size, 4))   # each 32-bit word is little-endian
            found.append(str(ipaddress.ip_address(words)))
    return found


def wait_listening(proc: subprocess.Popen, port: int, timeout: float, log: Path | None = None) -> list[str]:
    """Wait until something listens on ``port`` (``proc``, the only one that knows the held port);
    its addresses. Raises ``RuntimeError`` (with the log's end) when ``proc`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while not (addresses := listening(port)):
        if proc.poll() is not None or time.monotonic() > deadline:
            said = log.read_text()[-3000:] if log and log.exists() else ""
            state = f"exited with {proc.returncode}" if proc.poll() is not None else f"not listening after {timeout:.0f} s"
            raise RuntimeError(f"the server on port {port} {state}:\n{said}")
        time.sleep(0.1)
    return addresses
