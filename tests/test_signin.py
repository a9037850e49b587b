"""Sign-in through a real OpenID Connect flow: the dashboard with ``[auth]`` configured, against the
small identity provider of ``tests/oidc_provider.py``, in headless Chromium. A viewer, a planner and
an admin each sign in (picking their account on the provider's page) and see what their role allows;
the write functions themselves refuse the same roles (``tests/test_access.py``). When the provider
does not answer, a token has expired, a callback is stale or a sign-in is too old, the app's own page
says what happened (``dashboard/signin.py``; the pages themselves in ``tests/test_signin_pages.py``)."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from benchmarks.serving import LOOPBACK, held_port, wait_listening
from conftest import ROOT
from oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

pytestmark = pytest.mark.browser
SHOTS = ROOT / "test-output" / "screenshots"
ACCOUNTS = {"viewer": "intern@studio.test", "planner": "ana@studio.test", "admin": "boss@studio.test"}
UNVERIFIED, UNLISTED = "mallory@studio.test", "stranger@elsewhere.test"
EXPIRED, LATE = "expired@studio.test", "late@studio.test"      # an expired ID token; a sign-in 13 hours old


@pytest.fixture(scope="module")
def signin_app(tmp_path_factory):
    """The dashboard with sign-in configured (its own secrets, stores and port), and the provider."""
    provider = Provider([*ACCOUNTS.values(), UNVERIFIED, UNLISTED, EXPIRED, LATE], unverified=(UNVERIFIED,),
                        expired=(EXPIRED,), old_sign_in=(LATE,)).start()
    home = tmp_path_factory.mktemp("signin")
    with held_port() as port:                # held until the server listens on it (benchmarks/serving.py)
        proc = start(home, port, provider)
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
    yield url, home, provider
    proc.terminate()
    proc.wait(timeout=30)
    provider.stop()
    logged = (home / "streamlit.log").read_text()
    cookie_secret = (home / ".streamlit" / "secrets.toml").read_text().split('cookie_secret = "')[1].split('"')[0]
    assert cookie_secret not in logged and CLIENT_SECRET not in logged
    assert not re.search(r"eyJ[\w-]+\.eyJ[\w-]+\.", logged)          # no token (a JWT) in the log


def start(home, port: int, provider) -> subprocess.Popen:
    """The dashboard in ``home`` (its secrets, stores and log there) on 127.0.0.1:``port``, once it listens."""
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
    addresses = wait_listening(proc, port, 90, home / "streamlit.log")
    if not set(addresses) <= LOOPBACK:
        proc.kill()
        raise RuntimeError(f"the dashboard listens on {addresses}, not on this computer only")
    return proc


def sign_in(browser, app, email: str, expect_in: bool = True, expect_text: str = "You cannot use Slate Planner"):
    """A fresh browser session that signs in as ``email`` on the provider's account chooser (and,
    when it is not to get in, waits for ``expect_text``)."""
    url = app[0]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=email).click()            # the identity provider's page
    if not expect_in:
        page.get_by_text(expect_text).wait_for(state="visible", timeout=90_000)
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


def main_text(page, waiting_for: str) -> str:
    """The page's main text once ``waiting_for`` shows."""
    page.get_by_text(waiting_for).first.wait_for(state="visible", timeout=60_000)
    return page.locator("[data-testid='stMain']").inner_text()


def test_a_provider_that_does_not_answer_gets_a_page_that_says_so_and_try_again_works(browser, signin_app):
    url, _, provider = signin_app
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    sign_in_button = page.get_by_role("button", name="Sign in")
    sign_in_button.wait_for(state="visible")
    provider.stop()                                          # its port closed: the connection is refused
    try:
        sign_in_button.click()
        main = main_text(page, "did not answer")
        assert f"sign-in service at localhost:{provider.port} did not answer" in main and "ask your admin" in main
        assert page.url.rstrip("/") == url and "Authentication error" not in page.content()     # still in the app
        assert page.locator("[data-testid='stSidebarNav']").count() == 0
        page.screenshot(path=str(SHOTS / "signin-provider-down.png"), full_page=True)
    finally:
        provider.start()
    page.get_by_role("button", name="Try again").click()       # back up: the same button signs in
    page.get_by_role("link", name=ACCOUNTS["planner"]).click()
    page.get_by_text(f"Signed in as {ACCOUNTS['planner']}").wait_for(state="visible", timeout=90_000)
    context.close()


def test_a_provider_that_stops_between_the_check_and_the_sign_in_still_gets_the_page(browser, signin_app):
    """Streamlit's /auth/login answers a provider it cannot read with a bare 'Authentication error';
    the wrapped route sends the browser home to the app's page instead."""
    url, _, provider = signin_app
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    login = []
    page.route("**/auth/login?*", lambda route: (login.append(route.request.url), route.abort()))
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()       # the check passes; the browser heads for /auth/login
    deadline = time.time() + 30
    while not login and time.time() < deadline:
        page.wait_for_timeout(200)
    page.unroute("**/auth/login?*")
    provider.stop()
    try:
        page.goto(login[0])
        main = main_text(page, "did not answer")
        assert f"localhost:{provider.port}" in main and "signin=unreachable" in page.url
    finally:
        provider.start()
    context.close()


def test_an_expired_token_at_the_callback_gets_a_page_that_says_so(browser, signin_app):
    url = signin_app[0]
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=EXPIRED).click()          # the provider's ID token expired ten minutes ago
    main = main_text(page, "could not be completed")
    assert "had expired" in main and "signin=failed" in page.url
    assert page.locator("[data-testid='stSidebarNav']").count() == 0 and "Productions" not in main
    page.screenshot(path=str(SHOTS / "signin-token-expired.png"), full_page=True)
    context.close()


def test_a_stale_or_refused_callback_gets_a_page_that_says_so(browser, signin_app):
    url = signin_app[0]
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{url}/oauth2callback?code=made-up&state=never-started")      # a replayed or forged callback
    assert "already used or had run out" in main_text(page, "Sign in again")
    page.goto(f"{url}/oauth2callback?error=access_denied&error_description=%3Cb%3Ehi%3C%2Fb%3E&state=x")
    main = main_text(page, "did not let you sign in")
    assert "<b>" not in main and "hi" not in main.split()                       # nothing of the request is shown
    context.close()


def test_a_sign_in_older_than_the_session_limit_says_it_expired(browser, signin_app):
    context, page = sign_in(browser, signin_app, LATE, expect_in=False, expect_text="Your sign-in expired")
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "a sign-in lasts 12 hours" in main and page.locator("[data-testid='stSidebarNav']").count() == 0
    assert page.get_by_role("button", name="Sign in again").is_visible()
    context.close()
