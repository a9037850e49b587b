"""Stopping the app while it solves: SIGTERM to ``slate app`` while a fresh store's baseline plan is
being solved in the background ends the server cleanly (exit 0, not an abort: "terminate called
without an active exception", 134) and leaves no process behind (no server, no CP-SAT worker)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from benchmarks.serving import LOOPBACK, held_port, wait_listening
from conftest import ROOT


def session_of(pid: int) -> tuple[int, str, str] | None:
    """(session id, state, command line) of a live process, else None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[3]), fields[0], cmdline


def in_session(sid: int) -> dict[int, str]:
    """Every live (not zombie) process of session ``sid``: pid -> command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (info := session_of(int(entry.name))) and info[0] == sid and info[1] != "Z":
            found[int(entry.name)] = info[2]
    return found


def open_a_session(port: int) -> None:
    """Do what a browser does on opening the app: connect to its stream and ask for a run of the
    page; returns once the page has run (the baseline's solve goes on in the background)."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async def run() -> None:
        async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                      origin=f"http://127.0.0.1:{port}", open_timeout=30) as ws:
            msg = BackMsg()
            msg.rerun_script.query_string = ""
            msg.rerun_script.page_script_hash = ""
            await ws.send(msg.SerializeToString())
            while True:
                forward = ForwardMsg()
                forward.ParseFromString(await asyncio.wait_for(ws.recv(), 120))
                if forward.WhichOneof("type") == "script_finished":
                    return

    # in a thread of its own: in the full suite the browser tests' Playwright keeps an event loop
    # running on this thread, where asyncio.run refuses to start another
    failed: list[BaseException] = []

    def in_thread() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            failed.append(exc)

    worker = threading.Thread(target=in_thread)
    worker.start()
    worker.join()
    if failed:
        raise failed[0]


def test_sigterm_while_the_baseline_solves_exits_cleanly_and_leaves_no_process(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SLATE_PRECOMPUTE"}       # warm-up on, as deployed
    snapshot = tmp_path / "snapshot"                 # the sample before its report date: a search that runs long
    subprocess.run([sys.executable, "-m", "planning.cli", "sample", "--snapshot", "--out", str(snapshot)], cwd=ROOT,
                   check=True, capture_output=True)
    env.update(SLATE_STORE=str(tmp_path / "slate.duckdb"), SLATE_SCENARIOS=str(tmp_path / "scenarios.duckdb"),
               SLATE_DATA_DIR=str(snapshot), HOME=str(tmp_path))
    log = tmp_path / "app.log"
    with held_port() as port:                        # held until the server listens on it
        proc = subprocess.Popen([sys.executable, "-m", "planning.cli", "app", "--port", str(port)], cwd=ROOT, env=env,
                                stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
        try:
            addresses = wait_listening(proc, port, 90, log)
        except RuntimeError:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    try:
        assert set(addresses) <= LOOPBACK, addresses                  # `slate app` without sign-in: this computer only
        deadline = time.time() + 90
        while True:
            assert proc.poll() is None and time.time() < deadline, f"the app did not start:\n{log.read_text()}"
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        open_a_session(port)                         # a fresh store: the page starts the baseline's solve
        workers = {}
        while not workers:                           # the solve is in its search: the CP-SAT worker runs
            assert time.time() < deadline, f"no constraint search started:\n{log.read_text()}"
            workers = {p: c for p, c in in_session(proc.pid).items() if "cpsat_worker" in c}
            time.sleep(0.1)
        time.sleep(1.5)                              # well inside HiGHS's runs beside it
        assert set(workers) <= set(in_session(proc.pid)), "the solve ended before it could be stopped"
        started = time.time()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
        seconds = time.time() - started
        time.sleep(0.5)                              # (killed children are reaped by init)
        left = in_session(proc.pid)
    finally:
        if proc.poll() is None or in_session(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    out = log.read_text()
    assert code == 0, f"exit code {code}:\n{out}"
    assert "terminate called" not in out and "Traceback" not in out, out
    assert not left, f"left running after the app stopped: {left}"
    assert seconds < 30, f"took {seconds:.1f} s to stop"
