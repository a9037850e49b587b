"""What a person sees when signing in goes wrong: the identity provider down, a sign-in that fails
where the provider sends the browser back (``/oauth2callback``), a sign-in that has ended.

Streamlit's own handling (1.67, ``streamlit/web/server/starlette/starlette_auth_routes.py``):

- *Sign in* (``st.login``) sends the browser to ``/auth/login``, which reads the provider's metadata
  (``server_metadata_url``); when that fails the browser gets a bare page saying
  ``Authentication error`` (HTTP 400), and nothing else.
- At ``/oauth2callback`` every failure (the provider answering with an ``error``, a ``state`` that
  is unknown: an old or replayed link, the browser's Back button; a token exchange or ID-token check
  that fails: an expired or invalid token, a token endpoint that does not answer) redirects to the
  app's home page with no sign of what happened: the person lands on the sign-in page again.

What the app does about it:

- ``start`` (every *Sign in* button) first checks that the provider's metadata answers (only the
  configured URL, ``METADATA_TIMEOUT`` seconds); if it does not, the page says so (``UNREACHABLE``)
  instead of leaving for Streamlit's error.
- ``install`` wraps those two Streamlit routes (once per process) so that a failure sends the
  browser home with ``?signin=<what happened>`` (one of ``PROBLEMS``, a fixed word: nothing from
  the request is passed on), and ``signed_out_page`` shows the matching message. The routes are
  Streamlit internals: if a Streamlit version lacks them, ``install`` returns False and the app
  works as before (``tests/test_signin_pages.py`` checks that it installs).
- A sign-in that has ended (``state.SessionEnded``: expired, or signed out) gets its own page
  (``ended_page``), and the refusal is audited with the account's identity.

Every text from outside (the provider's host, a user's email) is shown through ``text.md``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import streamlit as st

from dashboard.state import store
from dashboard.text import md
from planning.access import Actor

METADATA_TIMEOUT = 3.0          # seconds the provider's metadata has to answer before Sign in
PARAM = "signin"                # the query parameter the wrapped routes send home
PROBLEM_KEY = "signin_problem"  # this session's failed pre-check, in st.session_state

UNREACHABLE, DENIED, PROVIDER_ERROR, STALE, FAILED = "unreachable", "denied", "provider_error", "stale", "failed"
PROBLEMS = {   # what happened -> what the page says ({host}: the provider's host, escaped)
    UNREACHABLE: "The studio's sign-in service at {host} did not answer, so you cannot sign in right now. "
                 "Try again in a few minutes; if it keeps happening, ask your admin.",
    DENIED: "The studio's sign-in service at {host} did not let you sign in (the sign-in was cancelled "
            "or declined there). Sign in again, or ask your admin for access.",
    PROVIDER_ERROR: "The studio's sign-in service at {host} answered with an error, so the sign-in did not "
                    "complete. Try again; if it keeps happening, ask your admin.",
    STALE: "That sign-in was already used or had run out (an old link, or the browser's Back button). "
           "Sign in again.",
    FAILED: "Your sign-in could not be completed: the answer from the sign-in service at {host} had expired, "
            "could not be checked, or did not come. Sign in again; if it keeps happening, ask your admin "
            "(this server's clock, or the app's registration with the sign-in service, may be wrong).",
}


def metadata_url() -> str:
    """The configured provider's metadata URL (``[auth] server_metadata_url``), or empty."""
    try:
        return str(st.secrets.get("auth", {}).get("server_metadata_url") or "")
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return ""


def host_of(url: str) -> str:
    """The host (and port) of ``url``, without any user name or password it may carry."""
    parts = urlsplit(url)
    if not parts.hostname:
        return "(not configured)"
    return parts.hostname + (f":{parts.port}" if parts.port else "")


def provider_problem(url: str, timeout: float = METADATA_TIMEOUT) -> str | None:
    """None when the provider's metadata at ``url`` answers (HTTP 200, JSON naming an
    ``authorization_endpoint``) within ``timeout`` seconds, else what went wrong, in a few words
    (for the audit log; it names no secret). An empty ``url`` is not checked (None)."""
    if not url:
        return None
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            meta = json.loads(answer.read(1_000_000))
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except urllib.error.URLError as exc:
        return str(getattr(exc.reason, "strerror", None) or exc.reason)
    except (OSError, ValueError) as exc:            # a timeout while reading, an answer that is not JSON
        return type(exc).__name__ if not str(exc) else str(exc)
    return None if isinstance(meta, dict) and meta.get("authorization_endpoint") else "not OpenID Connect metadata"


def start(who: Actor | None = None) -> None:
    """What every *Sign in* button does: sign in through the provider if its metadata answers;
    otherwise remember ``UNREACHABLE`` for this session's page (no redirect to Streamlit's bare
    error) and, when ``who`` is known (a sign-in that ended), audit the refused sign-in."""
    url = metadata_url()
    problem = provider_problem(url)
    if problem is None:
        st.session_state.pop(PROBLEM_KEY, None)
        st.login()
        return
    st.session_state[PROBLEM_KEY] = UNREACHABLE
    if who is not None:
        store().refused(who.user, "sign in", f"the sign-in service at {host_of(url)} did not answer ({problem})",
                        role=who.role, user_id=who.id)


def problem() -> str | None:
    """What went wrong with this browser's last sign-in: this session's failed pre-check, else the
    word the wrapped routes sent home (``?signin=``) when it is one of ``PROBLEMS`` (else None)."""
    found = st.session_state.get(PROBLEM_KEY) or st.query_params.get(PARAM)
    return found if found in PROBLEMS else None


def message(kind: str) -> str:
    """The page's text for ``kind`` (one of ``PROBLEMS``), the provider's host escaped."""
    return PROBLEMS[kind].format(host=md(host_of(metadata_url())))


def signed_out_page() -> None:
    """The page before sign-in: what went wrong with the last attempt, if anything, and a button."""
    st.title("Slate Planner")
    kind = problem()
    if kind is None:
        st.write("Sign in with your studio account to see the slate.")
        st.button("Sign in", type="primary", key="sign_in", on_click=start)
        return
    st.error(message(kind))
    st.button("Try again" if kind == UNREACHABLE else "Sign in again", type="primary", key="sign_in",
              on_click=start)


def ended_page(why: Exception, who: Actor) -> None:
    """The page of a sign-in that has ended (``why``: expired, or signed out), once audited per
    browser session as a refused sign-in of ``who``."""
    audited = f"signin_ended_audited:{who.id}"
    if not st.session_state.get(audited):
        store().refused(who.user, "sign in", str(why), role=who.role, user_id=who.id)
        st.session_state[audited] = True
    st.title("Slate Planner")
    if problem() == UNREACHABLE:
        st.error(message(UNREACHABLE))
    else:
        text = md(why)
        st.info(f"{text[:1].upper()}{text[1:]}. Sign in again to go on.")
    st.button("Sign in again", type="primary", key="sign_in_again", on_click=start, args=(who,))


# --- Streamlit's sign-in routes, wrapped so that a failure says what happened -----------------------

ROUTES = "streamlit.web.server.starlette.starlette_auth_routes"
WRAPPED = "_slate_says_what_happened"


def with_problem(location: str, kind: str) -> str:
    """``location`` (the app's home) with ``?signin=<kind>``."""
    return f"{location}{'&' if '?' in location else '?'}{PARAM}={kind}"


def callback_problem(query: dict, session: dict) -> str | None:
    """What is already wrong with a request to ``/oauth2callback`` before Streamlit handles it:
    the provider sent an ``error`` (``DENIED`` for ``access_denied``, else ``PROVIDER_ERROR``), or
    the ``state`` is none this browser started (``STALE``); None when it may still succeed."""
    error = query.get("error")
    if error:
        return DENIED if error == "access_denied" else PROVIDER_ERROR
    state = query.get("state")
    started = state and any(key.startswith("_state_") and key.endswith(f"_{state}") for key in session)
    return None if started else STALE


def signs_in(headers: list[tuple[bytes, bytes]], cookie: str) -> bool:
    """Whether a response's raw ``headers`` set the identity ``cookie`` (rather than delete it)."""
    for name, value in headers:
        text = value.decode("latin-1")
        if name.lower() == b"set-cookie" and text.startswith(f"{cookie}="):
            if "max-age=0" not in [part.strip().lower() for part in text.split(";")]:
                return True
    return False


def install() -> bool:
    """Wrap Streamlit's ``/auth/login`` and ``/oauth2callback`` handlers (once per process) so that
    a failed sign-in sends the browser home with ``?signin=<what happened>``. Returns whether they
    are wrapped (False on a Streamlit without these internals: then its own handling stays)."""
    try:
        import importlib

        routes = importlib.import_module(ROUTES)
        login, callback, cookie = routes._auth_login, routes._auth_callback, routes.USER_COOKIE_NAME
        from starlette.responses import RedirectResponse
        from streamlit.url_util import make_url_path
    except (ImportError, AttributeError):
        return False
    if getattr(callback, WRAPPED, False):
        return True

    async def said_login(request, base_url):
        """Streamlit answers a provider whose metadata cannot be read with a bare 400 page."""
        response = await login(request, base_url)
        if response.status_code == 400:
            return RedirectResponse(with_problem(make_url_path(base_url, "/"), UNREACHABLE), status_code=302)
        return response

    async def said_callback(request, base_url):
        """Streamlit sends every failed callback home silently; say what happened."""
        kind = callback_problem(dict(request.query_params), dict(request.session))   # before it clears the state
        response = await callback(request, base_url)
        if kind is None and not signs_in(response.raw_headers, cookie):
            kind = FAILED
        if kind is not None and "location" in response.headers:
            response.headers["location"] = with_problem(response.headers["location"], kind)
        return response

    setattr(said_login, WRAPPED, True)
    setattr(said_callback, WRAPPED, True)
    routes._auth_login, routes._auth_callback = said_login, said_callback
    return True
