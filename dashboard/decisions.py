"""Which plan the slate follows, and what changed: *Adopt as the slate's plan* (Plan and Scenarios
pages), and on the Slate page the decision log (every plan adopted, with its note) and what changed
since an earlier version of the slate (``planning.analysis.versions``).

Adopting is the store's (``Store.adopt``: the role, the note, a stale plan are checked there); the form
is shown to planners and admins, a viewer reads why not. After adopting, the sidebar shows the plan as
planned, which is now the adopted plan, and the Slate page opens with what changed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import show, state
from dashboard.figures import version_moves_figure
from dashboard.state import AS_PLANNED_CHOICE, PICKED, Loaded, source_label
from dashboard.tables import named_productions
from dashboard.text import md
from planning.access import Forbidden
from planning.analysis.versions import conflict_changes, headline_changes, production_changes, production_figures
from planning.data.adopt import MAX_NOTE, PlanNotAdopted
from planning.data.files import csv_bytes
from planning.data.store import StaleEdit
from planning.data.validate import ValidationError
from planning.plan import OPTIMIZED, Origin, Plan, as_planned

MESSAGE = "slate_message"          # what the Slate page says first after an adoption


def plan_name(origin: Origin) -> str:
    """What an adopted plan is called in the decision log and the slate's name: "the optimized plan",
    or "scenario “X”" (its quality is on the page it came from, not in its name)."""
    return "the optimized plan" if origin.kind == OPTIMIZED else Origin(origin.kind, origin.name).label


def adopt_form(loaded: Loaded, schedule: pd.DataFrame, plan: str, made_on: str, key: str,
               what: str = "") -> None:
    """*Adopt as the slate's plan* for the plan called ``plan`` (its ``schedule``, made on the slate
    whose content hash is ``made_on``), with a required note; ``what``: a line on what the plan
    changes besides its dates (not adopted). Planners and admins only; anyone else reads why not."""
    me = state.actor()
    st.subheader("Adopt as the slate's plan")
    if not me.may("adopt plan"):
        st.caption(f"Adopting a plan takes the planner role (you are a {md(me.role)}): a planner or an admin makes "
                   "a plan the slate's plan.")
        return
    stale = made_on != loaded.key
    st.write("Its start dates become every phase's planned date, as a new version of the slate: the version as it is "
             "now is kept (Data page, *Earlier slates*), and the decision goes in the log on the Slate page with "
             "your note. Phases that have started keep their actual dates.")
    if what:
        st.caption(f"Only its dates are adopted: what it assumes besides ({md(what)}) is not written to the slate; "
                   "change that on the Data page.")
    if stale:
        st.warning("This plan was made on another version of the slate: plan again on the slate as it is now, then "
                   "adopt that plan.")
    with st.form(f"{key}_adopt"):
        note = st.text_area("Why this plan (required: it goes in the decision log)", key=f"{key}_adopt_note",
                            max_chars=MAX_NOTE, placeholder="e.g. Agreed with finance: P05 shoots after the "
                            "summer to free stage 3")
        go = st.form_submit_button("Adopt as the slate's plan", type="primary", disabled=stale)
    if not go:
        return
    try:
        state.store().adopt(schedule, plan, made_on, note, actor=me)
    except ValidationError as exc:
        st.error(f"The slate would not be valid with these dates ({len(exc.problems)} problem(s)); nothing was "
                 "changed.")
        show.table(pd.DataFrame([vars(p) for p in exc.problems]).set_index("table"))
    except (PlanNotAdopted, StaleEdit, Forbidden) as exc:
        st.error(md(str(exc)[:1].upper() + str(exc)[1:]))
    else:
        st.session_state[PICKED] = AS_PLANNED_CHOICE
        st.session_state[MESSAGE] = (f"Adopted {md(plan)} as the slate's plan: the plan as planned is now this plan. "
                                     "What changed is below the timeline.")
        st.switch_page("app_pages/slate.py")


def decision_log() -> None:
    """Every plan adopted, newest first: when, who, which plan, the note, how many phases' dates changed,
    and the number the slate before it is kept under; downloadable (formula-safe CSV)."""
    log = state.store().adoptions()
    if log.empty:
        st.caption("No plan adopted yet: adopt one from the Plan page (the optimized plan) or from Scenarios.")
        return
    shown = pd.DataFrame({"When (UTC)": pd.to_datetime(log["at"]).dt.strftime("%d %b %Y %H:%M"), "Who": log["user"],
                          "Plan": log["plan"], "Note": log["note"], "Phases re-dated": log["moved"],
                          "Slate before": ["#" + str(v) if pd.notna(v) else "" for v in log["version"]]})
    with st.container(key="decision_log"):
        show.table(shown.set_index("When (UTC)"))
    st.download_button("Download the decision log (CSV)", csv_bytes(log), file_name="slate-decisions.csv",
                       mime="text/csv", key="download_decisions", on_click="ignore")


@st.cache_resource(max_entries=4)
def _kept_plan(content_hash: str, version: int) -> Plan:
    """The plan as planned of the earlier slate kept as ``version`` (``content_hash``: its, for the cache)."""
    return as_planned(state.store().kept_slate(version))


def _figures(plan: Plan) -> tuple[pd.DataFrame, dict]:
    productions = production_figures(plan.data, plan.schedule)
    return productions, {"efc": float(productions["efc"].sum()), "peak_funding_need": plan.kpis["peak_funding_need"],
                         "conflicts": len(plan.conflicts)}


def what_changed(loaded: Loaded) -> None:
    """The slate as planned now against an earlier version (picked from the store's history): EFC,
    peak funding need and conflicts before and after, the productions that moved (start, delivery,
    EFC) with a chart, and the conflicts resolved and new."""
    history = state.store().history()
    if history.empty:
        st.caption("No earlier version yet: every load, edit or adopted plan keeps the slate it replaces.")
        return
    kept = history.set_index("version")
    version = st.selectbox("Against the version", list(history["version"]), key="slate_versus",
                           format_func=lambda v: f"#{v}: {source_label(kept.at[v, 'source'])}, replaced "
                                                 f"{pd.Timestamp(kept.at[v, 'replaced_at']):%d %b %Y %H:%M} UTC")
    if kept.at[version, "content_hash"] == loaded.key:
        st.caption(f"Version #{version} is the slate as it is now: nothing changed.")
        return
    before, after = _kept_plan(kept.at[version, "content_hash"], int(version)), state.planned(loaded.key)
    (prods_before, head_before), (prods_after, head_after) = _figures(before), _figures(after)
    cur = loaded.data.settings.currency
    head = headline_changes(head_before, head_after)
    cols = st.columns(3)
    for col, row in zip(cols, head.itertuples(index=False)):
        money = row.measure != "Conflicts"
        value = (lambda v: f"{v / 1e6:,.1f}M") if money else (lambda v: f"{v:,.0f}")
        col.metric(f"{row.measure} now ({cur})" if money else f"{row.measure} now", value(row.after),
                   delta=(("+" if row.change > 0 else "") + value(row.change)) if round(row.change, 2) else None,
                   delta_color="inverse", help=f"Version #{version}: {value(row.before)}; now: {value(row.after)}")
    moves = production_changes(prods_before, prods_after)
    st.markdown(f"**Productions that changed** ({len(moves)}), against version #{version}")
    if moves.empty:
        st.caption("Every production starts, delivers and costs what it did.")
    else:
        table = pd.DataFrame({
            "Production": moves["production_id"] + " " + moves["title"], "Change": moves["change"],
            "Start then": moves["start_before"].dt.date, "Start now": moves["start_after"].dt.date,
            "Start, weeks later": moves["start_weeks"], "Delivery then": moves["delivery_before"].dt.date,
            "Delivery now": moves["delivery_after"].dt.date, "Delivery, weeks later": moves["delivery_weeks"],
            f"EFC then ({cur})": moves["efc_before"], f"EFC now ({cur})": moves["efc_after"]})
        money = {c: st.column_config.NumberColumn(c, format="%,.0f") for c in table.columns if c.startswith("EFC")}
        with st.container(key="version_moves"):
            show.dataframe(table, money)
        if (moves["change"] == "moved").any():
            st.plotly_chart(version_moves_figure(moves, title=f"Weeks later (+) or earlier (−) than in version "
                                                 f"#{version}"), width="stretch")
    conflicts = conflict_changes(before.conflicts, after.conflicts)
    changed = conflicts[conflicts["outcome"] != "still"]
    st.markdown(f"**Conflicts**: {len(before.conflicts)} in version #{version}, {len(after.conflicts)} now "
                f"({(conflicts['outcome'] == 'resolved').sum()} resolved, {(conflicts['outcome'] == 'new').sum()} new)")
    if not changed.empty:
        show.dataframe(pd.DataFrame({
            "Resource": changed["name"], "Outcome": changed["outcome"], "From": pd.to_datetime(changed["start"]).dt.date,
            "Until": (pd.to_datetime(changed["end"]) - pd.Timedelta(days=1)).dt.date,
            "Unit-weeks short then": changed["unit_weeks_before"], "Unit-weeks short now": changed["unit_weeks_after"],
            "Productions involved": named_productions(changed["productions"], loaded.data.productions)}))
