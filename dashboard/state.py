"""The dataset the dashboard shows, and the plans pages read.

The slate lives in a DuckDB file (``SLATE_STORE``, default ``data/slate.duckdb``) shared by every
browser session. On first start it is loaded from ``SLATE_DATA_DIR`` (default: the bundled sample).
Everything derived is cached on the dataset's content hash, so a new upload invalidates it.

Pages read a ``planning.plan.Plan``: the one picked in the sidebar (``shown_plan``: as planned,
optimized, or a saved scenario), or the ones they compute (Plan, What-if).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st
from dashboard.text import md

from planning import config
from planning.access import (Actor, Forbidden, Refused, config_problems, identity, local_operator, normalise,
                             require, session_ended, session_hours, session_id, signed_in)
from planning.data.inputs import SlateData
from planning.data.store import ADOPTED, Store
from planning.data.validate import ValidationError
from planning.optimizer import PlanOptions
from planning.plan import SCENARIO, Origin, Plan, as_planned, from_frames
from planning.scenarios.apply import apply
from planning.scenarios.run import run_scenario
from planning.scenarios.store import ScenarioError, ScenarioStore
from planning.scenarios.types import BASELINE, Scenario


def auth_settings() -> dict | None:
    """The ``[auth]`` section of ``.streamlit/secrets.toml`` (sign-in configured), else None."""
    try:
        return dict(st.secrets["auth"]) if "auth" in st.secrets else None
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None


def actor() -> Actor | None:
    """Who is using this session: without sign-in configured, this computer's user as admin
    (single-user mode); with it, the signed-in user (``access.signed_in``: issuer and subject, a
    verified email and its role; raises ``Refused`` for an account that may not use the app, and
    ``SessionEnded`` for a sign-in that is over), None before sign-in."""
    if auth_settings() is None:
        return local_operator()
    if not getattr(st.user, "is_logged_in", False):      # (AppTest has no sign-in at all)
        return None
    claims = st.user.to_dict()
    me = signed_in(claims, _section("roles"), _section("access"))
    if store().signed_out(session_id(claims)):
        raise SessionEnded("your sign-in has ended: you signed out, and a copy of its cookie no longer opens "
                           "the app", me)
    if session_ended(claims, _section("access"), time.time()):
        raise SessionEnded(f"your sign-in expired: a sign-in lasts {session_hours(_section('access')):g} hours", me)
    return me


class SessionEnded(Refused):
    """A sign-in that is over: signed out (even if its cookie was copied) or too old; ``who`` is
    the account it was (for the audit log)."""

    def __init__(self, message: str, who: Actor):
        super().__init__(message)
        self.who = who


def sign_out() -> None:
    """End this sign-in on the server too (a copied cookie stops working), then in the browser."""
    claims = st.user.to_dict()
    store().sign_out(session_id(claims), normalise(claims.get("email")), identity(claims))
    st.logout()


def _section(name: str) -> dict:
    """A secrets section as plain values (lists stay lists, a string stays a string)."""
    return {k: list(v) if isinstance(v, (list, tuple)) else v for k, v in dict(st.secrets.get(name, {})).items()}


def secrets_problems() -> list[str]:
    """``access.config_problems`` of this app's secrets (empty in single-user mode)."""
    auth = auth_settings()
    if auth is None:
        return []
    return config_problems({"auth": auth, "roles": _section("roles"), "access": _section("access")})


@dataclass(frozen=True)
class Loaded:
    data: SlateData
    label: str
    key: str


def data_dir() -> Path:
    return config.data_dir()


@st.cache_resource
def store() -> Store:
    return Store(config.store_path())


@st.cache_resource(max_entries=4)
def _slate(key: str) -> SlateData:
    return store().slate()


def current() -> Loaded:
    """The stored slate (loading the default dataset into an empty store first)."""
    s = store()
    if not s.has_slate():
        s.load(data_dir(), actor=Actor("slate planner (first start)", "admin", id="app:first start"))
    meta = s.meta()
    return Loaded(_slate(meta["content_hash"]), source_label(meta["source"]), meta["content_hash"])


def source_label(source: str) -> str:
    """What a stored slate is called on the pages, from where it came (``Store.meta()["source"]``): an
    upload as it says, the bundled sample, or a folder by its name; then the plan adopted on it, if
    any ("the bundled sample slate, scenario “X” adopted")."""
    base, _, adopted = str(source).partition(ADOPTED)
    if base.startswith("upload"):
        label = base
    elif Path(base).resolve() == config.SAMPLE_DIR.resolve():
        label = "the bundled sample slate"
    else:
        label = "folder " + Path(base).name
    return f"{label}, {adopted} adopted" if adopted else label


@st.cache_resource(max_entries=8)
def planned(key: str) -> Plan:
    """The plan of the planned dates (shared by every session; read-only)."""
    return as_planned(_slate(key))


DEFAULT_OPTIONS = PlanOptions(time_limit=20.0, gap=0.01)
WHATIF_OPTIONS = PlanOptions(time_limit=3.0, gap=0.01)  # quick what-ifs (everything included), from the baseline plan: the thorough search with a shorter limit
MAX_RESULTS = 32


@st.cache_resource
def _results() -> dict[str, Plan]:
    """Optimized plans shared by every session, keyed on dataset, overrides and options."""
    return {}


def result_key(key: str, scenario: Scenario, options: PlanOptions) -> str:
    return f"{key}|{scenario.overrides_json()}|{options!r}"


def cached_result(key: str, scenario: Scenario, options: PlanOptions = DEFAULT_OPTIONS) -> Plan | None:
    return _results().get(result_key(key, scenario, options))


@dataclass
class Job:
    """A plan being computed in a background thread; ``info`` is its latest progress report."""

    thread: threading.Thread
    started: float
    info: dict
    box: dict


_JOBS_LOCK = threading.Lock()
# Solves at once, across all sessions (``SLATE_SOLVERS``, default 2, one per core here). More would
# share the cores and each would stop at its time limit with a worse plan; the rest wait their turn.
SOLVE_SLOTS = threading.BoundedSemaphore(config.solvers())


@st.cache_resource
def _jobs() -> dict[str, Job]:
    """Plans being computed, shared by every session: two sessions asking for the same plan wait
    for one solve."""
    return {}


def start_plan(loaded: Loaded, scenario: Scenario, options: PlanOptions, start: pd.DataFrame | None = None,
               who: Actor | None = None) -> Job | None:
    """Start computing a plan in the background (unless it is cached or already running), from the
    schedule ``start`` when given (a search hint only: the plan is cached on its settings alone).
    Reading a computed plan is every role's; starting a solve other than the shared baseline takes
    the ``optimize`` action (``Forbidden`` otherwise, before any work starts)."""
    key = result_key(loaded.key, scenario, options)
    with _JOBS_LOCK:
        if key in _results():
            return None
        if key in _jobs():
            return _jobs()[key]
        if not (scenario == baseline(loaded) and options == DEFAULT_OPTIONS):
            if who is None:
                raise Forbidden(f"nobody signed in may plan {scenario.name!r}; nothing was started")
            require(who, "optimize")
        job = Job(threading.Thread(daemon=True), time.perf_counter(), {"stage": "preparing", "gap": None}, {})

        def work():
            try:
                job.info["stage"] = "waiting for a free solver (others are planning)"
                with SOLVE_SLOTS:
                    job.info["stage"] = "preparing"
                    result = run_scenario(loaded.data, scenario, options, progress=job.info.update, start=start)
                results = _results()
                results[key] = result
                while len(results) > MAX_RESULTS:
                    results.pop(next(iter(results)))
            except (ValueError, ValidationError) as exc:  # the scenario does not fit the data
                job.box["error"] = exc
            except Exception as exc:  # noqa: BLE001 - a solver failure must reach the page, not kill the thread
                job.box["error"] = RuntimeError(f"the optimizer failed: {type(exc).__name__}: {exc}")
            finally:
                _jobs().pop(key, None)

        job.thread = threading.Thread(target=work, daemon=True)
        _jobs()[key] = job
        job.thread.start()
        return job


def warm_up(loaded: Loaded) -> None:
    """Compute the baseline plan in the background as soon as a slate is shown (unless
    ``SLATE_PRECOMPUTE=0``), so the first Plan or What-if answer is quick."""
    if config.precompute():
        start_plan(loaded, baseline(loaded), DEFAULT_OPTIONS)


def from_cache_note(plan: Plan, today: pd.Timestamp) -> str:
    """What the page says when a plan asked for comes from the cache: when it was made (UTC; the day
    too when that is not ``today``)."""
    made = plan.origin.made_at
    when = f"{made:%H:%M}" if made.date() == today.date() else f"{made:%d %b %Y}, {made:%H:%M}"
    return f"Same data and settings as the plan made at {when} UTC; shown from the cache."


def run_with_progress(loaded: Loaded, scenario: Scenario, options: PlanOptions = DEFAULT_OPTIONS,
                      label: str = "Optimizing the plan", start: pd.DataFrame | None = None,
                      asked: bool = False) -> Plan | None:
    """Run (or fetch) a scenario's plan, showing status, elapsed time and gap while it solves.
    ``asked``: the user pressed the button for this plan; one that comes from the cache then says so.

    Returns ``None`` (after showing the error) when the scenario cannot be run.
    """
    try:
        job = start_plan(loaded, scenario, options, start, who=actor())
    except Forbidden as why:
        st.error(f"{md(why)}.")
        return None
    if job is None and asked:
        st.info(from_cache_note(cached_result(loaded.key, scenario, options), pd.Timestamp.now(tz="UTC")))
    if job is not None:
        with st.status(label + "…", expanded=True) as status:
            line = st.empty()
            while job.thread.is_alive():
                gap = f" · within {job.info['gap']:.1%} of the best possible" if job.info.get("gap") is not None else ""
                line.write(f"{job.info['stage'].capitalize()} · {time.perf_counter() - job.started:.1f} s{gap}")
                job.thread.join(0.2)
            if "error" in job.box:
                status.update(label="The scenario cannot be run", state="error")
                line.error(str(job.box["error"]))
                return None
            result = cached_result(loaded.key, scenario, options)
            status.update(label=f"{label}: {result.origin.solver['verdict']} ({time.perf_counter() - job.started:.1f} s)",
                          state="complete", expanded=False)
    return cached_result(loaded.key, scenario, options)


def current_plan_key(loaded: Loaded) -> str | None:
    """Key of this session's latest plan of the loaded slate, else of the baseline plan if anyone
    has run it, else ``None``."""
    mine = st.session_state.get("plan_key")
    if mine and mine.startswith(loaded.key + "|") and mine in _results():
        return mine
    base = result_key(loaded.key, baseline(loaded), DEFAULT_OPTIONS)
    return base if base in _results() else None


def current_plan(loaded: Loaded) -> Plan | None:
    """This session's latest optimized plan, else the baseline's if anyone has run it, else None."""
    key = current_plan_key(loaded)
    return None if key is None else _results()[key]


def remember_plan(loaded: Loaded, scenario: Scenario, options: PlanOptions) -> None:
    st.session_state["plan_key"] = result_key(loaded.key, scenario, options)
    st.session_state["plan_scenario"] = scenario


@st.cache_resource
def scenario_store() -> ScenarioStore:
    return ScenarioStore(config.scenarios_path())


def baseline(loaded: Loaded) -> Scenario:
    return Scenario(BASELINE, base_hash=loaded.key)


@st.cache_resource(max_entries=16)
def _saved_plan(key: str, name: str, saved_at: pd.Timestamp) -> Plan:
    scenario, frames, summary = scenario_store().load(name)
    data = _slate(key)
    if scenario.base_hash == key:
        data = apply(data, scenario)
    return from_frames(data, frames, summary, Origin(SCENARIO, name, made_at=saved_at))


def saved_plan(loaded: Loaded, name: str) -> Plan:
    """A saved scenario's plan (its own frames; its data is the loaded slate with its overrides)."""
    saved = scenario_store().list().set_index("name")
    return _saved_plan(loaded.key, name, pd.Timestamp(saved.at[name, "saved_at"]))


AS_PLANNED_CHOICE, OPTIMIZED_CHOICE, SCENARIO_CHOICE = "As planned", "Optimized", "Scenario: "


PICKED = "shown_plan_picked"    # the user's own pick, kept apart from the widget's value (see choose_plan)


def choose_plan(loaded: Loaded) -> None:
    """The sidebar's "Plan shown" picker: as planned, the optimized plan (once there is one; then
    it is shown until the user picks another) and every scenario saved on this slate.

    The user's pick is kept under its own key and put back into the widget on every run: Streamlit
    forgets a widget's value when a page action switches page (``st.switch_page``, e.g. Scenarios
    → *Open in What-if*), which showed the plan as planned again. A pick that is not available
    (a deleted scenario, no optimized plan yet) shows the default until it is again."""
    options = [AS_PLANNED_CHOICE] + ([OPTIMIZED_CHOICE] if current_plan(loaded) is not None else [])
    saved = scenario_store().list()
    options += [SCENARIO_CHOICE + n for n in saved.loc[saved["base_hash"] == loaded.key, "name"]]
    state = st.session_state
    picked = state.get(PICKED)
    if picked in options:
        state["shown_plan"] = picked
    else:
        state["shown_plan"] = OPTIMIZED_CHOICE if OPTIMIZED_CHOICE in options else AS_PLANNED_CHOICE
    st.selectbox("Plan shown", options, key="shown_plan", on_change=lambda: state.update({PICKED: state["shown_plan"]}),
                 help="Slate, Capacity, Conflicts, Cash flow and Cost report all show this plan.")


def shown_scenario(loaded: Loaded) -> Scenario:
    """The scenario of the plan picked in the sidebar, to build on (moves by hand): a saved scenario's
    own (when saved on this slate), the optimized plan's (this session's latest, else the baseline),
    and for the plan as planned the baseline (a move re-plans the slate around it)."""
    choice = st.session_state.get("shown_plan") or AS_PLANNED_CHOICE
    if choice == OPTIMIZED_CHOICE and current_plan_key(loaded) == st.session_state.get("plan_key"):
        return st.session_state.get("plan_scenario", baseline(loaded))
    if choice.startswith(SCENARIO_CHOICE):
        saved = scenario_store().list().set_index("name")
        name = choice.removeprefix(SCENARIO_CHOICE)
        if name in saved.index and saved.at[name, "base_hash"] == loaded.key:    # (not deleted since it was picked)
            return Scenario.from_json(name, saved.at[name, "overrides"])
    return baseline(loaded)


def shown_plan(loaded: Loaded) -> Plan:
    """The plan picked in the sidebar (as planned until another is picked)."""
    choice = st.session_state.get("shown_plan") or AS_PLANNED_CHOICE
    if choice == OPTIMIZED_CHOICE and (optimized := current_plan(loaded)) is not None:
        return optimized
    if choice.startswith(SCENARIO_CHOICE):
        try:
            return saved_plan(loaded, choice.removeprefix(SCENARIO_CHOICE))
        except (KeyError, ScenarioError):      # deleted since it was picked
            pass
    return planned(loaded.key)
