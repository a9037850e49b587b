"""Entry point: ``streamlit run dashboard/app.py``. Declares the pages; each page renders itself.

With sign-in configured (``[auth]`` in ``.streamlit/secrets.toml``) nobody sees a page before signing
in through the studio's identity provider; without it the app is in single-user mode (``slate app``
then serves this computer only). What a person sees when the provider is down, a sign-in fails or
has ended: ``dashboard/signin.py``."""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from dashboard import signin  # noqa: E402
from dashboard.state import (SessionEnded, actor, auth_settings, choose_plan, current, secrets_problems,  # noqa: E402
                             sign_out, store, warm_up)
from dashboard.text import md  # noqa: E402
from planning.access import Refused, identity  # noqa: E402
from planning.data.store import StoreBusy  # noqa: E402

# An emoji favicon: the browser draws it itself (a ``:material/...:`` page icon is fetched from Google's
# servers, and nothing here may reach outside this computer; the sidebar's icons use a bundled font).
st.set_page_config(page_title="Slate Planner", page_icon="🎬", layout="wide")

auth = auth_settings()
problems = secrets_problems()
if problems:            # fail closed: nobody signs in on a configuration that cannot be trusted
    st.error("Sign-in cannot start; fix .streamlit/secrets.toml (see README, Sign-in):\n\n"
             + "\n".join(f"- {p}" for p in problems))
    st.stop()
if auth is not None:
    signin.install()    # a sign-in that fails at the provider's callback comes home saying what happened
try:
    me = actor()
except SessionEnded as why:
    signin.ended_page(why, why.who)
    st.stop()
except Refused as why:
    if not st.session_state.get("signin_refused_audited"):        # once per browser session
        store().refused(str(st.user.get("email") or st.user.get("sub") or "(no email)"), "sign in", str(why),
                        user_id=identity(st.user.to_dict()))
        st.session_state["signin_refused_audited"] = True
    st.title("Slate Planner")
    st.error(f"You cannot use Slate Planner: {md(why)}.")
    st.button("Sign out", key="sign_out_refused", on_click=st.logout)
    st.stop()
if me is None:
    signin.signed_out_page()
    st.stop()

try:
    store()
except StoreBusy as busy:
    st.title("Slate Planner")
    st.error(md(busy))
    st.stop()

PAGES = Path(__file__).parent / "app_pages"
page = st.navigation([
    st.Page(PAGES / "slate.py", title="Slate", icon=":material/movie:", default=True),
    st.Page(PAGES / "capacity.py", title="Capacity", icon=":material/grid_on:"),
    st.Page(PAGES / "conflicts.py", title="Conflicts", icon=":material/warning:"),
    st.Page(PAGES / "plan.py", title="Plan", icon=":material/auto_fix_high:"),
    st.Page(PAGES / "whatif.py", title="What-if", icon=":material/tune:"),
    st.Page(PAGES / "scenarios.py", title="Scenarios", icon=":material/bookmarks:"),
    st.Page(PAGES / "cashflow.py", title="Cash flow", icon=":material/payments:"),
    st.Page(PAGES / "costreport.py", title="Cost report", icon=":material/request_quote:"),
    st.Page(PAGES / "risk.py", title="Risk", icon=":material/casino:"),
    st.Page(PAGES / "data.py", title="Data", icon=":material/database:"),
])
with st.sidebar:
    loaded = current()
    warm_up(loaded)
    st.caption(f"Dataset: **{md(loaded.label)}**  \n{len(loaded.data.productions)} productions · "
               f"{loaded.data.settings.horizon_weeks} weeks from {loaded.data.settings.horizon_start:%d %b %Y}")
    choose_plan(loaded)
    if auth is None:
        st.caption("Single-user mode: only this computer can open it (no sign-in is configured).")
    else:
        st.caption(f"Signed in as **{md(me.user)}** ({me.role})")
        st.button("Sign out", key="sign_out", on_click=sign_out)
page.run()
