"""What a person sees when signing in goes wrong (``dashboard/signin.py``), with Streamlit's AppTest:
the identity provider does not answer, the provider's callback failed (an expired or invalid token, a
stale state, an error from the provider), a sign-in that expired or was signed out. Each page says
what happened and what to do, shows nothing taken from the request, and a refusal of a known
account is in the audit log with its identity. The same, end to end in a browser: tests/test_signin.py."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from benchmarks.serving import held_port
from dashboard import signin
from oidc_provider import Provider
from planning.access import session_id

from conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")
ROLES = {"admin": ["boss@studio.test"], "planner": ["@studio.test"], "default": "none"}
ANA = {"is_logged_in": True, "iss": "https://idp-a.test", "sub": "123", "email": "ana@studio.test",
       "email_verified": True}


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on (a connection to it is refused), held for the test so that
    nothing else can start listening on it meanwhile (``benchmarks.serving.held_port``)."""
    with held_port() as port:
        yield port


def auth(metadata_url: str) -> dict:
    return {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 64, "client_id": "c",
            "client_secret": "s", "server_metadata_url": metadata_url}


@pytest.fixture
def app(tmp_path, monkeypatch):
    """``app(metadata_url, user=None, query=None, access=None)``: the dashboard with sign-in configured
    (its own stores), run once."""
    monkeypatch.setenv("SLATE_STORE", str(tmp_path / "app.duckdb"))
    monkeypatch.setenv("SLATE_SCENARIOS", str(tmp_path / "scenarios.duckdb"))
    st.cache_resource.clear()

    def run(metadata_url: str, user: dict | None = None, query: dict | None = None,
            access: dict | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=120)
        at.secrets["auth"] = auth(metadata_url)
        at.secrets["roles"] = ROLES
        if access:
            at.secrets["access"] = access
        if user is not None:
            at.user = user
        at.query_params.update(query or {})
        return at.run()
    return run


def shown(at: AppTest) -> str:
    """Every error and info text on the page, with Markdown's escapes taken out."""
    return " ".join(e.value for e in [*at.error, *at.info]).replace("\\", "")


def sign_in_audit() -> list[list[str]]:
    from dashboard.state import store

    log = store().audit()
    return log.loc[log["action"] == "refused: sign in", ["user", "user_id", "role", "detail"]].values.tolist()


def test_sign_in_with_the_provider_down_says_so_and_stays_in_the_app(app, closed_port):
    port = closed_port
    at = app(f"http://127.0.0.1:{port}/.well-known/openid-configuration")
    assert [b.label for b in at.button] == ["Sign in"] and not at.error          # nothing checked before the click
    started = time.monotonic()
    at.button(key="sign_in").click().run()
    assert time.monotonic() - started < signin.METADATA_TIMEOUT + 10
    assert not at.exception
    assert shown(at) == (f"The studio's sign-in service at 127.0.0.1:{port} did not answer, so you cannot sign in "
                         "right now. Try again in a few minutes; if it keeps happening, ask your admin.")
    assert [b.label for b in at.button] == ["Try again"] and not at.metric
    assert sign_in_audit() == []                                   # nobody known: nothing to audit


def test_sign_in_with_the_provider_up_goes_to_it(app, monkeypatch):
    """(AppTest's secrets do not reach ``st.login``'s own check, so the call itself is recorded.)"""
    logins = []
    monkeypatch.setattr(st, "login", lambda *args: logins.append(args))
    provider = Provider(["ana@studio.test"]).start()
    try:
        url = f"{provider.issuer}/.well-known/openid-configuration"
        assert signin.provider_problem(url) is None
        at = app(url, query={"signin": "failed"})                  # back from a failed attempt
        at.button(key="sign_in").click().run()
        assert logins == [()] and not at.exception and signin.PROBLEM_KEY not in at.session_state
        provider.stop()
        at.button(key="sign_in").click().run()                     # down: no st.login, the page says so
        assert logins == [()] and "did not answer" in shown(at)
        provider.start()
        at.button(key="sign_in").click().run()                     # back up: Try again signs in
        assert logins == [(), ()] and signin.PROBLEM_KEY not in at.session_state
    finally:
        provider.stop()


def test_the_metadata_check_names_what_went_wrong_and_no_secret(closed_port):
    port = closed_port
    assert "refused" in signin.provider_problem(f"http://127.0.0.1:{port}/x").lower()
    provider = Provider([]).start()
    try:
        assert signin.provider_problem(f"{provider.issuer}/nothing-here") == "HTTP 404"
        assert signin.provider_problem(f"{provider.issuer}/jwks") == "not OpenID Connect metadata"
    finally:
        provider.stop()
    assert signin.provider_problem("") is None                      # no metadata URL configured: not checked
    assert signin.host_of("https://user:secret@login.idp.test:8443/.well-known/x?token=t") == "login.idp.test:8443"
    assert signin.host_of("https://login.idp.test/.well-known/x") == "login.idp.test"


@pytest.mark.parametrize("kind, says", [
    ("unreachable", "did not answer, so you cannot sign in right now"),
    ("denied", "did not let you sign in (the sign-in was cancelled or declined there)"),
    ("provider_error", "answered with an error, so the sign-in did not complete"),
    ("stale", "That sign-in was already used or had run out"),
    ("failed", "Your sign-in could not be completed: the answer from the sign-in service at 127.0.0.1:"),
])
def test_each_failed_callback_comes_home_to_a_page_that_says_what_happened(app, kind, says, closed_port):
    at = app(f"http://127.0.0.1:{closed_port}/.well-known/openid-configuration", query={"signin": kind})
    assert not at.exception and says in shown(at) and len(at.error) == 1
    assert [b.label for b in at.button] == ["Try again" if kind == "unreachable" else "Sign in again"]
    assert not at.metric and "Sign in with your studio account" not in " ".join(m.value for m in at.markdown)


def test_a_crafted_signin_word_shows_nothing_of_itself(app, closed_port):
    for value in ("![x](http://127.0.0.1:9/b.png)", "failed ", "FAILED", "<b>stale</b>"):
        at = app(f"http://127.0.0.1:{closed_port}/.well-known/openid-configuration", query={"signin": value})
        assert not at.exception and not at.error and [b.label for b in at.button] == ["Sign in"]
        assert value not in " ".join(m.value for m in at.markdown)


def test_a_sign_in_older_than_the_session_limit_says_it_expired_and_is_audited_once(app, closed_port):
    user = dict(ANA, iat=time.time() - 5 * 3600)
    at = app(f"http://127.0.0.1:{closed_port}/.well-known/openid-configuration", user=user,
             access={"session_hours": 4})
    assert not at.exception and not at.metric
    assert shown(at) == "Your sign-in expired: a sign-in lasts 4 hours. Sign in again to go on."
    assert [b.label for b in at.button] == ["Sign in again"]
    at.run()                                                         # a rerun of the same session: one row
    assert sign_in_audit() == [["ana@studio.test", "https://idp-a.test#123", "planner",
                                "your sign-in expired: a sign-in lasts 4 hours"]]


def test_a_signed_out_sign_in_says_so(app, closed_port):
    from dashboard.state import store

    user = dict(ANA, iat=time.time() - 60)
    store().sign_out(session_id(user), "ana@studio.test", "https://idp-a.test#123")
    at = app(f"http://127.0.0.1:{closed_port}/.well-known/openid-configuration", user=user)
    assert shown(at) == ("Your sign-in has ended: you signed out, and a copy of its cookie no longer opens the app. "
                         "Sign in again to go on.")
    assert sign_in_audit()[0][:3] == ["ana@studio.test", "https://idp-a.test#123", "planner"]


def test_signing_in_again_with_the_provider_down_says_so_and_audits_the_account(app, closed_port):
    port = closed_port
    at = app(f"http://127.0.0.1:{port}/.well-known/openid-configuration", user=dict(ANA, iat=time.time() - 13 * 3600))
    at.button(key="sign_in_again").click().run()
    assert not at.exception and f"sign-in service at 127.0.0.1:{port} did not answer" in shown(at)
    refused = sign_in_audit()
    assert refused[0][:3] == ["ana@studio.test", "https://idp-a.test#123", "planner"]
    assert refused[0][3].startswith(f"the sign-in service at 127.0.0.1:{port} did not answer (")


def test_a_refused_sign_in_is_audited_with_issuer_and_subject(app, closed_port):
    stranger = dict(ANA, email="stranger@elsewhere.test", sub="s-1", iat=time.time())
    at = app(f"http://127.0.0.1:{closed_port}/.well-known/openid-configuration", user=stranger)
    assert "You cannot use Slate Planner" in at.error[0].value
    assert sign_in_audit() == [["stranger@elsewhere.test", "https://idp-a.test#s-1", "",
                                "stranger@elsewhere.test is not on this studio's list of users; ask an admin to add you"]]


# --- Streamlit's routes, wrapped ----------------------------------------------------------------------

def run_async(coroutine):
    """Run ``coroutine`` to its end on a loop of its own (in the full suite Playwright's loop runs on
    this thread, and ``asyncio.run`` refuses to start inside it)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def request(query: str, session: dict):
    from starlette.requests import Request

    return Request({"type": "http", "method": "GET", "path": "/oauth2callback", "query_string": query.encode(),
                    "headers": [], "session": session})


def test_the_wrapped_routes_send_a_failure_home_saying_what_happened(monkeypatch):
    """Streamlit's handlers replaced by stand-ins that answer as they do (a redirect home, with or
    without the identity cookie; a bare 400 when the provider's metadata cannot be read)."""
    from starlette.responses import RedirectResponse, Response
    from streamlit.web.server.starlette import starlette_auth_routes as routes

    def home(sets_cookie: bool = False, deletes_cookie: bool = False):
        response = RedirectResponse("/", status_code=302)
        if sets_cookie:
            response.set_cookie(routes.USER_COOKIE_NAME, "signed", max_age=30 * 86400, httponly=True)
        if deletes_cookie:
            response.delete_cookie(routes.USER_COOKIE_NAME)
        return response

    answers = {}

    async def callback(req, base_url):
        req.session.clear()                                  # Streamlit's token exchange clears the state
        return answers["callback"]

    async def login(req, base_url):
        return answers["login"]

    monkeypatch.setattr(routes, "_auth_callback", callback)
    monkeypatch.setattr(routes, "_auth_login", login)
    assert signin.install() and signin.install()             # once: the second call sees it wrapped
    assert getattr(routes._auth_callback, signin.WRAPPED) and routes._auth_callback is not callback

    def landed(query: str, session: dict, answer) -> str:
        answers["callback"] = answer
        return run_async(routes._auth_callback(request(query, session), "")).headers["location"]

    started = {"_state_default_abc": {"data": {}, "exp": time.time() + 60}}
    assert landed("code=c&state=abc", dict(started), home(sets_cookie=True)) == "/"                 # signed in
    assert landed("code=c&state=abc", dict(started), home(deletes_cookie=True)) == "/?signin=failed"  # token refused
    assert landed("code=c&state=zzz", dict(started), home()) == "/?signin=stale"
    assert landed("code=c", {}, home()) == "/?signin=stale"
    assert landed("error=access_denied&state=abc", dict(started), home()) == "/?signin=denied"
    assert landed("error=server_error&error_description=%3Cb%3E&state=abc", dict(started), home()) == \
        "/?signin=provider_error"
    answers["login"] = Response("Authentication error", status_code=400)
    down = run_async(routes._auth_login(request("provider=t", {}), ""))
    assert (down.status_code, down.headers["location"]) == (302, "/?signin=unreachable")
    answers["login"] = RedirectResponse("https://idp.test/authorize?x=1", status_code=302)
    assert run_async(routes._auth_login(request("provider=t", {}), "")).headers["location"] == \
        "https://idp.test/authorize?x=1"


def test_the_routes_this_relies_on_are_there():
    """``install`` wraps Streamlit internals (1.67); an upgrade without them fails here, not silently."""
    from streamlit.web.server.starlette import starlette_auth_routes as routes

    assert callable(routes._auth_login) and callable(routes._auth_callback) and routes.USER_COOKIE_NAME
    assert signin.install()
