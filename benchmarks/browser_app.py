"""Drive the running dashboard in headless Chromium: shared by the browser benchmarks
(``bench_whatif_browser.py``, ``load_scenarios.py``) and ``tests/test_browser.py``.

Things are found by stable handles only: page titles (sidebar links, ``st.title`` headings),
button labels, ``data-testid`` attributes and the ``st-key-<key>`` class Streamlit gives every
keyed widget; never by the pages' prose.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from benchmarks.serving import LOOPBACK, held_port, wait_listening

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PAGES = ("Slate", "Capacity", "Conflicts", "Plan", "What-if", "Scenarios", "Cash flow", "Data")
SOLVE_TIMEOUT_MS = 120_000

# The browser may draw a whole quick run in one frame, so stApp's script state cannot be trusted to
# show every run. Runs are counted from the server's messages instead (a ``script_finished``
# ForwardMsg on the websocket, decoded with Streamlit's own protobuf), and the page is "rendered"
# once no element has changed for QUIET_MS: the time of that last change is when it was drawn.
_LAST_CHANGE = """(() => {
  if (window.__slateLastChange !== undefined) return;
  window.__slateLastChange = Date.now();
  new MutationObserver(() => { window.__slateLastChange = Date.now(); })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
})()"""
QUIET_MS = 400
_STATE = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return {script: app && app.getAttribute("data-test-script-state"),
          connection: app && app.getAttribute("data-test-connection-state"),
          stale: document.querySelectorAll("[data-stale='true']").length, url: location.href,
          quiet_ms: Date.now() - window.__slateLastChange};
}"""
_SETTLED = """(quiet) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-connection-state") !== "CONNECTED") return false;
  if (app.getAttribute("data-test-script-state") !== "notRunning") return false;
  if (document.querySelectorAll("[data-stale='true']").length) return false;
  return Date.now() - window.__slateLastChange >= quiet;
}"""
_COMPARISON = """() => Object.fromEntries(
  [...document.querySelectorAll("[data-testid='stMain'] [data-testid='stMetric']")].map(m => [
    (m.querySelector("[data-testid='stMetricLabel']") || {}).innerText || "",
    ((m.querySelector("[data-testid='stMetricValue']") || {}).innerText || "") + " | " +
    ((m.querySelector("[data-testid='stMetricDelta']") || {}).innerText || "")]))"""
_FIVE_METRICS = "() => document.querySelectorAll(\"[data-testid='stMain'] [data-testid='stMetric']\").length >= 5"
_CHART = "[data-testid='stMain'] [data-testid='stPlotlyChart'] .js-plotly-plot .main-svg"
_TABLE = "[data-testid='stMain'] [data-testid='stDataFrame']"
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"
SUCCESS = "[data-testid='stAlertContentSuccess']"
SETTLE_MS = 300  # a slider hands its value to the form after a short debounce


@dataclass
class Server:
    proc: subprocess.Popen
    url: str
    store: Path
    scenarios: Path
    log: Path

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_server(workdir: Path | None = None, precompute: bool | None = None, timeout: float = 90) -> Server:
    """``streamlit run dashboard/app.py`` on 127.0.0.1 only, on a port held for it until it listens
    (``serving.held_port``), with its own slate store and scenario store in ``workdir`` (a new temp
    dir by default). ``precompute=None`` inherits ``SLATE_PRECOMPUTE``; ``True`` unsets it (the
    default: baseline plans computed in the background, as deployed); ``False`` sets it to 0.
    Raises ``RuntimeError`` when it does not start or listens anywhere but this computer."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="slate-browser-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SLATE_STORE=str(workdir / "slate.duckdb"), SLATE_SCENARIOS=str(workdir / "scenarios.duckdb"))
    if precompute is True:
        env.pop("SLATE_PRECOMPUTE", None)
    elif precompute is False:
        env["SLATE_PRECOMPUTE"] = "0"
    log = workdir / "streamlit.log"
    with held_port() as port:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
                                 "--server.port", str(port), "--server.address", "127.0.0.1",
                                 "--server.headless", "true", "--browser.gatherUsageStats", "false",
                                 "--server.fileWatcherType", "none"],
                                cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
        try:
            addresses = wait_listening(proc, port, timeout, log)
        except RuntimeError:
            proc.kill()
            raise
    if not set(addresses) <= LOOPBACK:
        proc.kill()
        raise RuntimeError(f"the dashboard listens on {addresses}, not on this computer only")
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            break
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                return Server(proc, url, workdir / "slate.duckdb", workdir / "scenarios.duckdb", log)
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"the dashboard did not start; see {log}")


def launch(playwright):
    """Debian's Chromium, headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_page(browser, width: int = 1400, height: int = 1000):
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def screenshot(page, path, max_height: int = 12_000) -> None:
    """A picture of the whole page. Streamlit scrolls inside its main container, so Playwright's
    ``full_page`` stops at the window: make the window as tall as the content for the shot."""
    size = page.viewport_size
    height = page.evaluate("""() => Math.max(...[...document.querySelectorAll(
        "[data-testid='stMain'], [data-testid='stAppViewContainer'], [data-testid='stAppScrollToBottomContainer'], "
        + "[data-testid='stMainBlockContainer']")].map(e => e.scrollHeight + e.getBoundingClientRect().top))""")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        page.set_viewport_size({"width": size["width"], "height": min(max(size["height"], int(height) + 40), max_height)})
        page.wait_for_timeout(700)  # charts re-layout to the new window
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)


class RunCounter:
    """Counts the script runs the server reports finished to one page (over its websocket)."""

    def __init__(self):
        self.finished = 0

    def on_websocket(self, ws) -> None:
        if "_stcore/stream" in ws.url:
            ws.on("framereceived", self.on_frame)

    def on_frame(self, payload) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, str):
            return
        try:
            msg = ForwardMsg.FromString(payload)
        except Exception:  # noqa: BLE001 - not a message we know
            return
        if (msg.WhichOneof("type") == "script_finished"
                and msg.script_finished != ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN):
            self.finished += 1


def _watch(page) -> RunCounter:
    counter = RunCounter()
    page.on("websocket", counter.on_websocket)
    page._slate_runs = counter
    return counter


def _count_runs(page) -> int:
    return page._slate_runs.finished


def wait_idle(page, after_runs: int | None = None, timeout: float = SOLVE_TIMEOUT_MS) -> float:
    """Wait until the server has finished a run after ``after_runs`` (the count read before a
    click), and the page has settled: script not running, no element of an older run left, nothing
    changed for QUIET_MS. Returns the time (``time.time()``) of the page's last change."""
    from playwright.sync_api import TimeoutError

    deadline = time.time() + timeout / 1000
    while after_runs is not None and _count_runs(page) <= after_runs:
        if time.time() > deadline:
            raise TimeoutError(f"the server finished no run after run {after_runs} in {timeout / 1000:.0f} s: "
                               f"{page.evaluate(_STATE)}")
        page.wait_for_timeout(50)
    try:
        page.wait_for_function(_SETTLED, arg=QUIET_MS, timeout=max(1000.0, (deadline - time.time()) * 1000),
                               polling=100)
    except TimeoutError as exc:
        raise TimeoutError(f"the page did not settle: {page.evaluate(_STATE)}") from exc
    return page.evaluate("() => window.__slateLastChange") / 1000


def open_app(page, url: str, timeout: float = SOLVE_TIMEOUT_MS) -> None:
    """Load the app and wait for its first run to be drawn."""
    _watch(page)
    page.add_init_script(_LAST_CHANGE)
    page.goto(url, timeout=timeout)
    page.wait_for_selector("[data-testid='stSidebarNav']", timeout=timeout)
    wait_idle(page, 0, timeout)


def go_to(page, title: str, timeout: float = SOLVE_TIMEOUT_MS) -> None:
    """Click the page's link in the sidebar and wait for its title and its run to be drawn."""
    before = _count_runs(page)
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=title, exact=True).click()
    wait_idle(page, before, timeout)
    page.get_by_role("heading", name=title, exact=True).first.wait_for(state="visible", timeout=timeout)


def pick(page, key: str, choice: str, timeout: float = SOLVE_TIMEOUT_MS) -> None:
    """Pick ``choice`` in the select box of widget key ``key`` and wait for the page to be drawn again."""
    before = _count_runs(page)
    page.locator(f".st-key-{key} input").first.click()
    option = page.get_by_role("option", name=choice, exact=True)
    if option.get_attribute("aria-selected") == "true":       # already picked
        page.keyboard.press("Escape")
        return
    option.click()
    wait_idle(page, before, timeout)


def pick_plan(page, choice: str, timeout: float = SOLVE_TIMEOUT_MS) -> None:
    """Pick the sidebar's "Plan shown" (``As planned``, ``Optimized``, ``Scenario: <name>``) and
    wait for the page to be drawn again."""
    pick(page, "shown_plan", choice, timeout)


def _thumb(page, key: str):
    return page.locator(f".st-key-{key} [data-testid='stSlider'] input[type='range']").first


def slider_value(page, key: str) -> float:
    """The slider's position (for a select slider: the option's index)."""
    return float(_thumb(page, key).input_value())


def move_slider(page, key: str, steps: int) -> float:
    """Focus the slider of widget ``key`` and press the arrow key ``steps`` times (negative: left),
    as a person with a keyboard would. Returns the value the slider then shows."""
    thumb = _thumb(page, key)
    thumb.focus()
    for _ in range(abs(steps)):
        thumb.press("ArrowRight" if steps > 0 else "ArrowLeft")
    page.wait_for_timeout(SETTLE_MS)
    return float(thumb.input_value())


def set_slider(page, key: str, value: int) -> float:
    """Move a slider of unit steps to ``value`` with the keyboard."""
    return move_slider(page, key, int(round(value - slider_value(page, key))))


def comparison(page) -> dict[str, str]:
    """The what-if comparison as shown: every metric's label, value and delta."""
    return page.evaluate(_COMPARISON)


def errors(page) -> list[str]:
    """Streamlit exceptions and error alerts on the page, as text."""
    found = page.locator(ERRORS)
    return [found.nth(i).inner_text() for i in range(found.count())]


def apply_whatif(page, timeout: float = SOLVE_TIMEOUT_MS) -> float:
    """Press Apply and wait for the comparison to be rendered: the run it starts over, five
    metrics, the cash position chart drawn and the KPI table shown. Returns the seconds it took."""
    before = _count_runs(page)
    t0 = time.time()
    page.get_by_role("button", name="Apply", exact=True).click()
    drawn = wait_idle(page, before, timeout)
    page.locator(_CHART).first.wait_for(state="visible", timeout=timeout)
    page.locator(_TABLE).first.wait_for(state="visible", timeout=timeout)
    page.wait_for_function(_FIVE_METRICS, timeout=timeout)
    return drawn - t0


def save_scenario(page, name: str, note: str = "", timeout: float = SOLVE_TIMEOUT_MS) -> float:
    """Type a name (and note) in the save form, press "Save scenario" and wait for the success
    message. Returns the seconds from the click."""
    page.locator(".st-key-wi_name input").fill(name)
    if note:
        page.locator(".st-key-wi_note input").fill(note)
    before = _count_runs(page)
    t0 = time.time()
    page.get_by_role("button", name="Save scenario", exact=True).click()
    drawn = wait_idle(page, before, timeout)
    page.locator(SUCCESS).first.wait_for(state="visible", timeout=timeout)
    return drawn - t0


# The same steps for Playwright's async API (many sessions at once from one event loop).

async def a_wait_idle(page, after_runs: int | None = None, timeout: float = SOLVE_TIMEOUT_MS) -> float:
    from playwright.async_api import TimeoutError

    deadline = time.time() + timeout / 1000
    while after_runs is not None and _count_runs(page) <= after_runs:
        if time.time() > deadline:
            raise TimeoutError(f"the server finished no run after run {after_runs} in {timeout / 1000:.0f} s: "
                               f"{await page.evaluate(_STATE)}")
        await page.wait_for_timeout(50)
    try:
        await page.wait_for_function(_SETTLED, arg=QUIET_MS, timeout=max(1000.0, (deadline - time.time()) * 1000),
                                     polling=100)
    except TimeoutError as exc:
        raise TimeoutError(f"the page did not settle: {await page.evaluate(_STATE)}") from exc
    return await page.evaluate("() => window.__slateLastChange") / 1000


async def a_open_app(page, url: str, timeout: float = SOLVE_TIMEOUT_MS) -> None:
    _watch(page)
    await page.add_init_script(_LAST_CHANGE)
    await page.goto(url, timeout=timeout)
    await page.wait_for_selector("[data-testid='stSidebarNav']", timeout=timeout)
    await a_wait_idle(page, 0, timeout)


async def a_go_to(page, title: str, timeout: float = SOLVE_TIMEOUT_MS) -> None:
    before = _count_runs(page)
    await page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=title, exact=True).click()
    await a_wait_idle(page, before, timeout)
    await page.get_by_role("heading", name=title, exact=True).first.wait_for(state="visible", timeout=timeout)


async def a_move_slider(page, key: str, steps: int) -> float:
    thumb = _thumb(page, key)
    await thumb.focus()
    for _ in range(abs(steps)):
        await thumb.press("ArrowRight" if steps > 0 else "ArrowLeft")
    await page.wait_for_timeout(SETTLE_MS)
    return float(await thumb.input_value())


async def a_comparison(page) -> dict[str, str]:
    return await page.evaluate(_COMPARISON)


async def a_errors(page) -> list[str]:
    found = page.locator(ERRORS)
    return [await found.nth(i).inner_text() for i in range(await found.count())]


async def a_apply_whatif(page, timeout: float = SOLVE_TIMEOUT_MS) -> float:
    before = _count_runs(page)
    t0 = time.time()
    await page.get_by_role("button", name="Apply", exact=True).click()
    drawn = await a_wait_idle(page, before, timeout)
    await page.locator(_CHART).first.wait_for(state="visible", timeout=timeout)
    await page.locator(_TABLE).first.wait_for(state="visible", timeout=timeout)
    await page.wait_for_function(_FIVE_METRICS, timeout=timeout)
    return drawn - t0


async def a_save_scenario(page, name: str, note: str = "", timeout: float = SOLVE_TIMEOUT_MS) -> float:
    await page.locator(".st-key-wi_name input").fill(name)
    if note:
        await page.locator(".st-key-wi_note input").fill(note)
    before = _count_runs(page)
    t0 = time.time()
    await page.get_by_role("button", name="Save scenario", exact=True).click()
    drawn = await a_wait_idle(page, before, timeout)
    await page.locator(SUCCESS).first.wait_for(state="visible", timeout=timeout)
    return drawn - t0
