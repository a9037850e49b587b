import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

# The dashboard's store must never be the developer's own file while tests run.
os.environ.setdefault("SLATE_STORE", str(Path(tempfile.mkdtemp(prefix="slate-test-")) / "slate.duckdb"))

os.environ.setdefault("SLATE_PRECOMPUTE", "0")  # tests solve only what they ask for

SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="session")
def sample_data():
    from planning.data.store import load_folder

    return load_folder(SAMPLE)


@pytest.fixture
def start_app(tmp_path, monkeypatch):
    """Open the dashboard in Streamlit's AppTest on its own stores (on ``data_dir`` when given), with
    Streamlit's caches emptied, so tests cannot leak into each other."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    def start(data_dir=None) -> AppTest:
        monkeypatch.setenv("SLATE_STORE", str(tmp_path / "app.duckdb"))
        monkeypatch.setenv("SLATE_SCENARIOS", str(tmp_path / "scenarios.duckdb"))
        if data_dir is not None:
            monkeypatch.setenv("SLATE_DATA_DIR", str(data_dir))
        st.cache_resource.clear()
        st.cache_data.clear()
        return AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120).run()
    return start


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A writable copy of the sample slate, to break in a test."""
    dest = tmp_path / "slate"
    shutil.copytree(SAMPLE, dest)
    return dest


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """One dashboard server for every browser test, on its own slate and scenario stores."""
    import subprocess
    import time
    import urllib.request

    port = _free_port()
    stores = tmp_path_factory.mktemp("server")
    env = dict(os.environ, SLATE_STORE=str(stores / "slate.duckdb"), SLATE_SCENARIOS=str(stores / "scenarios.duckdb"))
    log = open(tmp_path_factory.mktemp("log") / "streamlit.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
                             "--server.port", str(port), "--server.headless", "true",
                             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the dashboard did not start; see " + log.name)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (the README's test command does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def browser_page(browser):
    (ROOT / "test-output" / "screenshots").mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()
