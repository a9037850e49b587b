"""Shared fixtures, and the isolation every test runs in.

Set here for the whole session, before any test module is imported:

- ``SLATE_STORE`` and ``SLATE_SCENARIOS`` are forced (not defaulted: a value exported in the shell
  would otherwise win) to files in a folder made for this session and removed at its end, so no
  test reads or writes the working tree's ``data/*.duckdb``; a session that leaves a new
  ``data/*.duckdb`` behind fails (``no_store_in_the_working_tree``). A test that needs a store of its
  own sets these again (``monkeypatch``, or the environment of the process it starts).
- ``SLATE_PRECOMPUTE=0`` (tests solve only what they ask for); ``SLATE_DATA_DIR``,
  ``SLATE_ALLOW_NETWORK``, ``SLATE_ALLOWED_HOSTS`` and ``SLATE_DASK_SCHEDULER`` exported in the shell
  are dropped: a test sets what it needs, and nothing reaches for another computer.
- Servers start on 127.0.0.1 only, on a port held for them until they listen, checked by reading the
  kernel's socket tables (``benchmarks/serving.py``): the dashboard here (``app_server``), the
  sign-in one in ``test_signin.py``, ``slate app`` in ``test_shutdown.py``.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from benchmarks.browser_app import CHROMIUM, CHROMIUM_ARGS, start_server  # noqa: E402

SESSION_DIR = Path(tempfile.mkdtemp(prefix="slate-test-"))
os.environ["SLATE_STORE"] = str(SESSION_DIR / "slate.duckdb")
os.environ["SLATE_SCENARIOS"] = str(SESSION_DIR / "scenarios.duckdb")
os.environ["SLATE_PRECOMPUTE"] = "0"
for _name in ("SLATE_DATA_DIR", "SLATE_ALLOW_NETWORK", "SLATE_ALLOWED_HOSTS", "SLATE_DASK_SCHEDULER"):
    os.environ.pop(_name, None)

SAMPLE = ROOT / "data" / "sample"
TREE_STORES = sorted((ROOT / "data").glob("*.duckdb*"))       # there before the session (a developer's own)


SHARED_SERVER = {"app_server", "app_url", "saved_scenario", "browser"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Groups for pytest-xdist's ``--dist loadgroup`` (``.ci/test`` runs one worker per core): every
    test that uses the shared dashboard server or the browser runs on one worker, so one server serves
    them all; any other test runs on the worker that takes the rest of its file, so a module's
    fixtures are made once. Without xdist the marks change nothing."""
    for item in items:
        group = "app_server" if SHARED_SERVER & set(item.fixturenames) else item.path.name
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session", autouse=True)
def no_store_in_the_working_tree():
    """The session's stores go away with it; a store file new in ``data/`` fails the session."""
    yield
    shutil.rmtree(SESSION_DIR, ignore_errors=True)
    new = sorted(set((ROOT / "data").glob("*.duckdb*")) - set(TREE_STORES))
    if new:
        pytest.fail(f"the tests wrote {', '.join(map(str, new))} in the working tree (SLATE_STORE and SLATE_SCENARIOS "
                    "point to the session's folder: something ignored them)")


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


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """One dashboard server for every browser test (``benchmarks.browser_app.start_server``: on
    127.0.0.1, on a port held for it until it listens), on its own slate and scenario stores, loading
    the bundled sample."""
    try:
        server = start_server(tmp_path_factory.mktemp("server"), precompute=False)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app_url(app_server) -> str:
    return app_server.url


@pytest.fixture(scope="session")
def saved_scenario(app_server) -> str:
    """The name of a scenario saved in the test server's scenario store by this fixture itself (not
    by another test): one more 30,000 sq ft stage and two grip & electric crews fewer, on the bundled
    sample the server loads (``slate scenario run``, as a planner would from the command line)."""
    name = "seeded: stage +1, G&E -2"
    done = subprocess.run([sys.executable, "-m", "planning.cli", "scenario", "run", str(SAMPLE), "--name", name,
                           "--stages", "30000:1", "--capacity", "CREW-GE:-2", "--time-limit", "10",
                           "--store", str(app_server.scenarios)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return name


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
