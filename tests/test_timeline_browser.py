"""The Slate timeline in headless Chromium: a real mouse drag of a phase bar inside the component's
iframe comes back locked at the week it was dropped on, re-planned and compared with the baseline,
and Undo puts it back; the component on its own (its page served by the app, driven with the same
messages Streamlit sends) shows titles as text and answers a drag with one drop.

Bars are found by their ``data-id`` (``P09/shoot``), the page's parts by widget keys and headings."""

import json
import time

import pytest
from playwright.sync_api import expect

from benchmarks.browser_app import errors, open_app, pick_plan, screenshot, wait_idle
from conftest import ROOT

pytestmark = pytest.mark.browser
SHOTS = ROOT / "test-output" / "screenshots"
SOLVE_MS = 120_000
COMPONENT = "/component/dashboard.components.timeline.slate_timeline/index.html"


def drag(page, bar, weeks: float, duration_weeks: int) -> None:
    """Press ``bar`` (a phase of ``duration_weeks``), move the mouse ``weeks`` to the right (left when
    negative) in 20 steps and let go: a real drag, as a person's hand does it. The drag starts once
    the mouse has gone 5 pixels (vis-timeline's threshold): the first step goes 10, and the bar moves
    by the distance after it."""
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    week = box["width"] / duration_weeks
    x, y = box["x"] + min(box["width"] / 2, 20), box["y"] + box["height"] / 2
    start = x + (10 if weeks > 0 else -10)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(start, y)
    for step in range(1, 21):
        page.mouse.move(start + weeks * week * step / 20, y)
        time.sleep(0.01)
    page.mouse.up()


def tip(bar) -> str:
    """A bar's tooltip (``P09 · Red Meridian: shoot, 06 Sep 2027 to 22 Nov 2027 (moved by hand, locked)``)."""
    return bar.locator(".label").get_attribute("title")


def test_a_phase_dragged_on_the_timeline_comes_back_locked_at_that_week_and_compared(browser_page, app_url):
    page = browser_page
    open_app(page, app_url)
    pick_plan(page, "As planned")                    # P09's shoot is planned for the week of 16 Aug 2027
    timeline = page.frame_locator("iframe[title*='slate_timeline']")
    shoot = timeline.locator(".vis-item[data-id='P09/shoot']")
    expect(shoot).to_be_visible(timeout=SOLVE_MS)
    assert "shoot, 16 Aug 2027 to 01 Nov 2027" in tip(shoot) and "vis-editable" in shoot.get_attribute("class")
    for held in ("P01/shoot", "P05/shoot"):          # locked; running on the report date: both stay
        bar = timeline.locator(f".vis-item[data-id='{held}']")
        assert "locked" in bar.get_attribute("class") and "vis-readonly" in bar.get_attribute("class"), held
    screenshot(page, SHOTS / "slate-timeline.png")

    drag(page, shoot, 3, 11)                          # 3 weeks later: the week of 6 Sep 2027
    moves = page.locator(".st-key-slate_moves")
    expect(moves).to_be_visible(timeout=SOLVE_MS)
    wait_idle(page)
    row = moves.locator("tbody tr").first.inner_text().split("\t")
    assert [c.strip() for c in row] == ["P09", "Red Meridian", "shoot", "2027-09-06", "2027-09-06", "true"], row
    assert page.get_by_role("heading", name="Moved by hand, against the baseline").is_visible()
    assert page.locator("[data-testid='stMain'] [data-testid='stMetricDelta']").count() >= 1   # what changed
    classes = shoot.get_attribute("class")
    assert "moved" in classes and "locked" in classes, classes
    assert "shoot, 06 Sep 2027 to 22 Nov 2027 (moved by hand, locked)" in tip(shoot)
    assert not errors(page), errors(page)
    screenshot(page, SHOTS / "slate-moved-by-hand.png")

    page.get_by_role("button", name="Undo last move").click()
    expect(moves).to_have_count(0, timeout=SOLVE_MS)
    wait_idle(page)
    assert "shoot, 06 Sep 2027" not in tip(shoot) and "moved" not in shoot.get_attribute("class")
    assert not errors(page), errors(page)


def test_a_drop_the_slate_cannot_take_is_refused_with_its_reason(browser_page, app_url):
    """P09 may not start before 12 Apr 2027: its shoot dragged 15 weeks earlier (the week of 3 May)
    leaves its 18-week prep no week; the page says so and the bar goes back."""
    page = browser_page
    open_app(page, app_url)
    pick_plan(page, "As planned")
    shoot = page.frame_locator("iframe[title*='slate_timeline']").locator(".vis-item[data-id='P09/shoot']")
    expect(shoot).to_be_visible(timeout=SOLVE_MS)
    drag(page, shoot, -15, 11)                        # to the week of 3 May 2027
    refused = page.locator(".st-key-slate_refused [data-testid='stAlertContentError']")
    expect(refused).to_be_visible(timeout=SOLVE_MS)
    assert "P09 shoot moved to the week of 2027" in refused.inner_text() and "P09/prep" in refused.inner_text()
    wait_idle(page)
    assert "shoot, 16 Aug 2027" in tip(shoot)
    screenshot(page, SHOTS / "slate-move-refused.png")


CRAFTED = "<img src=x onerror=window.__xss=1>"


def render(page, items, editable=True, whole=False) -> None:
    """Send the component what Streamlit sends it: one render message with its args."""
    args = {"items": items, "groups": [{"id": "P1", "label": CRAFTED, "tip": CRAFTED, "order": 0}],
            "backgrounds": [], "markers": [], "window": {"start": "2027-01-04", "end": "2027-07-05"},
            "editable": editable, "whole_productions": whole, "revision": 0, "height": 400}
    page.evaluate("args => window.postMessage({type: 'streamlit:render', args}, '*')", args)


def bar(pid, phase, start, end, **kw) -> dict:
    return {"id": f"{pid}/{phase}", "group": pid, "start": start, "end": end, "kind": "shoot", "label": CRAFTED,
            "tip": CRAFTED, "locked": False, "moved": False, "production_id": pid, "phase_id": phase,
            "phase_start": start, "production_start": "2027-02-01", "phase_draggable": True,
            "production_draggable": True} | kw


def test_the_component_shows_user_text_as_text_and_answers_a_drag_with_one_drop(browser_page, app_url):
    page = browser_page
    page.add_init_script("""window.__sent = [];
        window.addEventListener('message', e => { if (e.data && e.data.isStreamlitMessage) window.__sent.push(e.data); });""")
    open_app(page, app_url)                  # the Slate page declares the component: its files are served from then on
    page.goto(app_url + COMPONENT)
    items = [bar("P1", "prep", "2027-02-01", "2027-03-01", kind="prep"), bar("P1", "shoot", "2027-03-01", "2027-04-12"),
             bar("P1", "post", "2027-04-12", "2027-05-10", locked=True, phase_draggable=False, production_draggable=False)]
    render(page, items)
    shoot = page.locator(".vis-item[data-id='P1/shoot']")
    expect(shoot).to_be_visible()
    assert page.locator("img").count() == 0 and page.evaluate("window.__xss") is None
    assert shoot.locator(".label").inner_text() == CRAFTED
    assert page.locator(".vis-label .group-label").inner_text() == CRAFTED

    drag(page, shoot, 3, 6)
    page.wait_for_function("window.__sent.some(m => m.type === 'streamlit:setComponentValue')")
    values = [m["value"] for m in page.evaluate("window.__sent") if m["type"] == "streamlit:setComponentValue"]
    assert len(values) == 1 and {k: values[0][k] for k in ("production_id", "phase_id", "new_start")} == \
        {"production_id": "P1", "phase_id": "shoot", "new_start": "2027-03-22"}

    post = page.locator(".vis-item[data-id='P1/post']")          # locked: it does not move (the view pans)
    gap = post.bounding_box()["x"] - shoot.bounding_box()["x"]
    page.evaluate("window.__sent = []")
    drag(page, post, 2, 4)
    page.wait_for_timeout(300)
    assert post.bounding_box()["x"] - shoot.bounding_box()["x"] == gap
    assert not [m for m in page.evaluate("window.__sent") if m["type"] == "streamlit:setComponentValue"]

    render(page, items[:2], whole=True)                              # whole productions: every phase together
    page.evaluate("window.__sent = []")
    prep = page.locator(".vis-item[data-id='P1/prep']")
    start = page.locator(".vis-item[data-id='P1/shoot']").bounding_box()["x"]
    drag(page, prep, -2, 4)
    page.wait_for_function("window.__sent.some(m => m.type === 'streamlit:setComponentValue')")
    values = [m["value"] for m in page.evaluate("window.__sent") if m["type"] == "streamlit:setComponentValue"]
    assert len(values) == 1 and {k: values[0][k] for k in ("production_id", "phase_id", "new_start")} == \
        {"production_id": "P1", "phase_id": None, "new_start": "2027-01-18"}
    assert page.locator(".vis-item[data-id='P1/shoot']").bounding_box()["x"] < start    # moved along
    print(json.dumps(values[0]))

    render(page, items[:2], editable=False)                          # a viewer's: nothing moves
    page.evaluate("window.__sent = []")
    drag(page, page.locator(".vis-item[data-id='P1/shoot']"), 3, 6)
    page.wait_for_timeout(300)
    assert not [m for m in page.evaluate("window.__sent") if m["type"] == "streamlit:setComponentValue"]
