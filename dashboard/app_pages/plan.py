"""Plan: run the optimizer on demand, see what moved and why, stages chosen, hires, the cost split;
lock or unlock phases and re-plan; adopt the plan as the slate's plan."""

from dataclasses import replace

import pandas as pd

import streamlit as st

from dashboard import show
from dashboard.decisions import adopt_form, plan_name
from dashboard.downloads import schedule_csv, schedule_name
from dashboard.figures import objective_figure, timeline_figure
from dashboard.state import DEFAULT_OPTIONS, actor, baseline, current, current_plan, planned, remember_plan, run_with_progress
from dashboard.tables import conflicts_display, moves_by_production, plan_changes_display
from planning.analysis.gaps import opened_gaps
from planning.data.inputs import week_start
from planning.scenarios.types import Scenario

loaded = current()
data = loaded.data
base = planned(loaded.key)
planned_dates = base.schedule

st.title("Plan")
st.write("The optimizer places every movable production inside its window, picks stages and hires in "
         "outside capacity only where that is cheaper than moving or delivering late. Locked phases never move.")

locks = planned_dates[["production_id", "phase_id", "kind", "start", "locked"]].copy()
locks["planned start"] = locks["start"].dt.date
with st.form("plan_form"):
    c1, c2, c3 = st.columns(3)
    time_limit = c1.slider("Time limit (seconds)", 5, 120, int(DEFAULT_OPTIONS.time_limit), step=5, key="plan_time")
    gap = c2.select_slider("Good enough when it costs at most this much more than the best possible plan",
                           [0.005, 0.01, 0.02, 0.05], value=DEFAULT_OPTIONS.gap, format_func=lambda g: f"{g:.1%}",
                           key="plan_gap")
    solver = c3.radio("Solver", ["highs", "cbc"], horizontal=True, key="plan_solver")
    with st.expander("Locks: tick a phase to keep it at its planned date"):
        edited = show.editor(locks[["production_id", "phase_id", "kind", "planned start", "locked"]],
                             disabled=["production_id", "phase_id", "kind", "planned start"], key="plan_locks")
    go = st.form_submit_button("Optimize the plan", type="primary", disabled=not actor().may("optimize"))

changed = edited["locked"].to_numpy() != locks["locked"].to_numpy()
phase_locks = {f"{r.production_id}/{r.phase_id}": bool(r.locked) for r in edited[changed].itertuples()}
scenario = baseline(loaded) if not phase_locks else Scenario("re-plan with locks", base_hash=loaded.key,
                                                             phase_locks=phase_locks)
options = replace(DEFAULT_OPTIONS, time_limit=float(time_limit), gap=gap, solver=solver)
if go:
    result = run_with_progress(loaded, scenario, options, asked=True)
    if result is not None:
        remember_plan(loaded, scenario, options)
else:
    result = current_plan(loaded)

if result is None:
    st.info("Press **Optimize the plan** to place the slate. The sample solves in a few seconds."
            if actor().may("optimize") else
            f"Optimizing takes the planner role (you are a {actor().role}); the plan shows here once a planner has "
            "made it.")
    st.stop()

s, k = result.origin.solver, result.kpis
sched = result.schedule
cur = data.settings.currency
cols = st.columns(5)
quality = {"optimal": "Best", "feasible": f"Within {s['gap'] or 0:.1%}"}.get(s["status"], "Not checked")
bound = f"No plan can cost less than {s['bound']:,.0f}" if s["bound"] is not None else "No bound was found"
cols[0].metric("Plan quality", quality, help=f"{s['verdict'].capitalize()}. {bound} (with the same shortfall). "
               f"Found by {s.get('method', 'full model')} (solver {s['solver']}); {s['variables']:,} variables, "
               f"{s['constraints']:,} constraints")
cols[1].metric(f"Cost of the plan ({cur})", f"{s['objective'] / 1e6:,.2f}M",
               help=f"Hire-in + lateness + moves. The quick plan it started from costs {s['start_objective']:,.0f}"
                    + (f" with {s['start_shortfall']} unit-weeks short" if s["start_shortfall"] else ""))
short, least = s["shortfall_unit_weeks"], s["shortfall_least_possible"]
cols[2].metric("Unit-weeks short", short,
               help="Capacity no move or hire-in can cover, in units × weeks: the plan has the fewest it could find "
                    + ("(proven least possible)" if least >= short else f"(at least {least} cannot be avoided)"))
cols[3].metric("Time", f"{s['solve_seconds']:.1f} s",
               help="Building and searching; the progress box above also counts the cash flow")
cols[4].metric("Conflicts", k["conflicts"], delta=k["conflicts"] - base.kpis["conflicts"], delta_color="inverse",
               help="Runs of weeks still short after moves and hire-in (change: against the planned dates)")

left, right = st.columns([2, 3])
left.plotly_chart(objective_figure(s["parts"]), width="stretch")
moved = sched[sched["moved_weeks"] != 0]
right.markdown(f"**{moved['production_id'].nunique()} productions move** ({len(moved)} phases), "
               f"**{k['late_deliveries']} deliver late** ({k['weeks_late']} weeks in all), "
               f"hire-in costs **{k['hire_cost']:,.0f} {cur}**.")
changes = result.changes
st.markdown("**What moved, production by production**")
summary = moves_by_production(changes, sched, planned_dates, data.productions)
if summary.empty:
    st.caption("Nothing moved: every phase keeps its planned dates.")
else:
    show.table(summary.rename(columns={"production_id": "Production", "title": "Title", "phases moved": "Phases moved",
                                       "weeks": "Weeks moved", "delivery": "Delivery", "why": "Why"})
               .set_index("Production"))
idle = opened_gaps(sched, planned_dates)
if not idle.empty:
    names = data.productions.set_index("production_id")["title"]
    st.warning(f"**{idle['production_id'].nunique()} productions sit idle inside their schedule** for more weeks "
               "than their planned dates: a crew that finishes one phase and waits for the next. Where that cannot "
               "happen, give the link a largest gap (`max_lag_weeks` in `phase_links`) and optimize again.")
    h0 = data.settings.horizon_start
    st.dataframe(pd.DataFrame({
        "Production": idle["production_id"].map(lambda p: f"{p} {names.get(p, '')}"),
        "Idle between": idle["after_phase"] + " and " + idle["before_phase"],
        "Idle from": week_start(idle["from_week"], h0), "Next phase starts": week_start(idle["until_week"], h0),
        "Weeks idle": idle["weeks"], "In all (planned)": [f"{a} ({b})" for a, b in
                                                         zip(idle["idle_weeks"], idle["planned_idle_weeks"])]}),
        hide_index=True, width="stretch",
        column_config={c: st.column_config.DateColumn(c, format="D MMM YYYY") for c in ("Idle from", "Next phase starts")})
tabs = st.tabs(["Moved phases", "Stages", "Hire-in", "Conflicts"])
dates = {c: st.column_config.DateColumn(format="D MMM YYYY") for c in ("from", "until")}    # headers: show.dataframe
wide = {c: st.column_config.TextColumn(width="large") for c in ("what", "request")}
for tab, kind in zip(tabs, ["moved", "stage", "hire"]):
    part = plan_changes_display(changes, kind, sched, data.productions, result.data.resources, data.settings.horizon_start)
    if part.empty:
        tab.caption("Nothing.")
    elif kind == "moved":              # a table that wraps: every reason readable in full
        show.table(part.assign(**{c: part[c].map(lambda d: f"{d:%d %b %Y}" if pd.notna(d) else "")
                                  for c in ("planned start", "new start")}).set_index("production_id"), where=tab)
    else:
        show.dataframe(part, {**dates, **wide}, where=tab)
if result.conflicts.empty:
    tabs[3].caption("Nothing is short in any week.")
else:
    show.dataframe(conflicts_display(result.conflicts, data.productions), where=tabs[3],
                   column_config={c: st.column_config.TextColumn(c, width="large")
                                  for c in ("Productions involved", "What would fix it")})

st.plotly_chart(timeline_figure(sched, data.productions, data.settings.horizon_start, data.settings.horizon_weeks,
                                title="Optimized timeline (outline: planned dates of a production that moved)",
                                planned=planned_dates), width="stretch")
st.download_button("Download the schedule (CSV)", lambda: schedule_csv(result),
                   file_name=schedule_name(result, loaded.key, pd.Timestamp.now(tz="UTC")),
                   mime="text/csv", key="download_schedule", on_click="ignore")
adopt_form(loaded, sched, plan_name(result.origin), loaded.key, key="plan")
