"""Sign-in through a real OpenID Connect flow: the dashboard with ``[auth]`` configured, against the
small identity provider of ``tests/oidc_provider.py``, in headless Chromium. A viewer, a planner and
an admin each sign in (picking their account on the provider's page) and see what their role allows;
the write functions themselves refuse the same roles (``tests/test_access.py``)."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT
from oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

pytestmark = pytest.mark.browser
SHOTS = ROOT / "test-output" / "screenshots"
ACCOUNTS = {"viewer": "intern@studio.test", "planner": "ana@studio.test", "admin": "boss@studio.test"}
UNVERIFIED, UNLISTED = "mallory@studio.test", "stranger@elsewhere.test"


@pytest.fixture(scope="module")
def signin_app(tmp_path_factory):
    """The dashboard with sign-in configured (its own secrets, stores and port), and the provider."""
    provider = Provider([*ACCOUNTS.values(), UNVERIFIED, UNLISTED], unverified=(UNVERIFIED,)).start()
    home = tmp_path_factory.mktemp("signin")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (home / ".streamlit").mkdir()
    shutil.copy(ROOT / ".streamlit" / "config.toml", home / ".streamlit" / "config.toml")
    (home / ".streamlit" / "secrets.toml").write_text(f"""
[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
server_metadata_url = "{provider.issuer}/.well-known/openid-configuration"

[roles]
admin = ["{ACCOUNTS['admin']}"]
planner = ["@studio.test"]
viewer = ["{ACCOUNTS['viewer']}"]
default = "none"
""")
    env = dict(os.environ, SLATE_STORE=str(home / "slate.duckdb"), SLATE_SCENARIOS=str(home / "scenarios.duckdb"),
               SLATE_PRECOMPUTE="0", HOME=str(home))
    log = open(home / "streamlit.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
                             "--server.port", str(port), "--server.address", "127.0.0.1"],
                            cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError(f"the dashboard did not start: {(home / 'streamlit.log').read_text()[-2000:]}")
    yield url, home
    proc.terminate()
    proc.wait(timeout=30)
    provider.stop()
    logged = (home / "streamlit.log").read_text()
    cookie_secret = (home / ".streamlit" / "secrets.toml").read_text().split('cookie_secret = "')[1].split('"')[0]
    assert cookie_secret not in logged and CLIENT_SECRET not in logged and "id_token" not in logged


def sign_in(browser, app, email: str, expect_in: bool = True):
    """A fresh browser session that signs in as ``email`` on the provider's account chooser."""
    url = app[0]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=email).click()            # the identity provider's page
    if not expect_in:
        page.get_by_text("You cannot use Slate Planner").wait_for(state="visible", timeout=90_000)
        return context, page
    page.locator("[data-testid='stSidebarNav']").wait_for(state="visible", timeout=90_000)
    page.get_by_text(f"Signed in as {email}").wait_for(state="visible", timeout=60_000)
    return context, page


def go(page, title: str) -> None:
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title, exact=True).first.wait_for(state="visible", timeout=90_000)
    page.wait_for_timeout(1500)                              # the page's widgets settle


def button(page, name: str):
    found = page.locator("[data-testid='stMain']").get_by_role("button", name=name, exact=True).first
    found.wait_for(state="visible", timeout=60_000)
    return found


def test_nothing_shows_before_sign_in(browser, signin_app):
    context = browser.new_context()
    page = context.new_page()
    page.goto(signin_app[0])
    page.get_by_role("button", name="Sign in").wait_for(state="visible", timeout=60_000)
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    assert "Productions" not in page.locator("[data-testid='stMain']").inner_text()
    context.close()


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_each_role_signs_in_and_can_do_what_it_may(browser, signin_app, role):
    email = ACCOUNTS[role]
    context, page = sign_in(browser, signin_app, email)
    assert page.get_by_text(f"Signed in as {email} ({role})").is_visible()
    go(page, "Data")
    load = button(page, "Validate and load")
    assert load.is_disabled() == (role != "admin")
    assert button(page, "Check and save").is_disabled() == (role != "admin")
    if role != "admin":
        assert page.get_by_text("only an admin can change it").first.is_visible()
    page.screenshot(path=str(SHOTS / f"signin-{role}-data.png"), full_page=True)
    go(page, "What-if")
    assert button(page, "Apply").is_disabled() == (role == "viewer")
    go(page, "Plan")
    assert button(page, "Optimize the plan").is_disabled() == (role == "viewer")
    page.screenshot(path=str(SHOTS / f"signin-{role}-plan.png"), full_page=True)
    assert not page.locator("[data-testid='stException']").count()
    context.close()


@pytest.mark.parametrize("email, why", [(UNVERIFIED, "has not verified"), (UNLISTED, "not on this studio's list")])
def test_unverified_and_unlisted_accounts_are_turned_away(browser, signin_app, email, why):
    context, page = sign_in(browser, signin_app, email, expect_in=False)
    main = page.locator("[data-testid='stMain']").inner_text()
    assert why in main and page.locator("[data-testid='stSidebarNav']").count() == 0 and "Productions" not in main
    page.screenshot(path=str(SHOTS / f"signin-refused-{email.split('@')[0]}.png"), full_page=True)
    context.close()


def test_sign_out_ends_the_session_for_a_copied_cookie_too(browser, signin_app):
    context, page = sign_in(browser, signin_app, ACCOUNTS["planner"])
    copied = context.cookies()
    page.locator("[data-testid='stSidebar']").get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in").wait_for(state="visible", timeout=60_000)
    context.close()
    thief = browser.new_context()
    thief.add_cookies(copied)                                  # the cookie as it was before Sign out
    page = thief.new_page()
    page.goto(signin_app[0])
    page.get_by_text("Your sign-in has ended").wait_for(state="visible", timeout=60_000)
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    thief.close()
