"""What-if: change capacity, hiring, a production's dates, a person's or a place's availability, the
budget or the weights; apply to re-plan and compare with the baseline plan. Save the scenario for colleagues."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard.downloads import comparison_stem, comparison_workbook
from dashboard.figures import position_figure
from dashboard.forms import AVAILABILITY_SHIFT_RANGE, DEPTHS, LATENESS_WEIGHTS, MOVE_COSTS, OVERAGE_RANGE, SLIP_RANGE, pool_ids
from dashboard.state import DEFAULT_OPTIONS, WHATIF_OPTIONS, actor, baseline, current, run_with_progress, scenario_store
from planning.access import Forbidden
from dashboard import show
from dashboard.tables import delivery_display, kpi_display, move_display
from dashboard.text import md
from planning.finance.flows import funding_need, position
from planning.analysis.compare import comparison_csv, delivery_changes, kpi_table, schedule_changes
from planning.optimizer import Weights
from planning.scenarios.store import ScenarioExists
from planning.scenarios.types import AvailabilityChange, CapacityChange, Scenario, StageChange

DEFAULT_WEIGHTS = {"lateness": 1.0, "moves": Weights().move_cost_per_week}   # what a scenario leaves unchanged

loaded = current()
data = loaded.data
me = actor()
res = data.resources
st.title("What-if")
st.write("Set the changes, then **Apply** to re-plan. The comparison is against the baseline plan "
         "(the optimizer on the data as it is). Results are cached: the same settings come back at once.")

stage_sizes = sorted(res.loc[res["kind"] == "stage", "size"].dropna().unique())
pools = res[res["resource_id"].isin(pool_ids(data))]       # people and places change by availability below
dated = res[res["kind"].isin(["talent", "location"])]
opened = st.session_state.pop("wi_open", {})          # a saved scenario reopened from the Scenarios page
if opened:
    st.info(f"Opened “{md(opened['wi_name'])}” from Scenarios: adjust it, **Apply**, then **Save** (Replace is ticked).")
with st.form("whatif"):
    st.markdown("**Stages**")
    stage_cols = st.columns(len(stage_sizes))
    stage_delta = {}
    for col, size in zip(stage_cols, stage_sizes):
        n = int(((res["kind"] == "stage") & (res["size"] == size)).sum())
        stage_delta[size] = col.slider(f"{size:,.0f} sq ft ({n} on the lot)", -n, 3,
                                     opened.get(f"wi_stage_{int(size)}", 0), key=f"wi_stage_{int(size)}")
    st.markdown("**Crew, equipment and post pools** (units added or removed, every week)")
    pool_cols = st.columns(4)
    pool_delta = {}
    for i, r in enumerate(pools.itertuples()):
        pool_delta[r.resource_id] = pool_cols[i % 4].slider(f"{r.name} ({r.capacity})", -int(r.capacity),
                                                            int(r.capacity), opened.get(f"wi_pool_{r.resource_id}", 0),
                                                            key=f"wi_pool_{r.resource_id}")
    avail_who, avail_shift, avail_off = "(none)", 0, ()
    if len(dated):
        st.markdown("**People and places** (a person or a place available later or earlier, or not for a while)")
        names = dict(zip(dated["resource_id"], dated["name"]))
        who_options = ["(none)"] + list(dated["resource_id"])
        a1, a2, a3 = st.columns([2, 1, 2])
        avail_who = a1.selectbox("Person or place", who_options, key="wi_avail_who",
                                 index=who_options.index(opened.get("wi_avail_who", "(none)")),
                                 format_func=lambda r: r if r == "(none)" else names[r])
        avail_shift = a2.number_input("Available weeks later (negative = earlier)", *AVAILABILITY_SHIFT_RANGE,
                                      value=opened.get("wi_avail_shift", 0), step=1, key="wi_avail_shift",
                                      help="Every availability window moves by these weeks. One without windows (always "
                                           "available) is unavailable in the first weeks of the horizon; earlier "
                                           "changes nothing for it.")
        avail_off = a3.date_input("Not available (first and last day)", value=opened.get("wi_avail_off", ()),
                                  key="wi_avail_off", format="YYYY-MM-DD",
                                  help="Leave empty for no gap. The days are cut out of its windows; a piece left "
                                       "without a whole week (Monday to Sunday) is dropped.")
    c1, c2, c3 = st.columns(3)
    hire_allowed = c1.toggle("Hire-in allowed", value=opened.get("wi_hire", True), key="wi_hire")
    stage_rent = c1.number_input(f"An added stage costs a week ({data.settings.currency})", min_value=0, step=5_000,
                                 value=opened.get("wi_stage_rent", 0), key="wi_stage_rent",
                                 help="Rent (or build and running cost) of each stage the scenario adds, so the "
                                      "comparison weighs it against what it saves. 0: not costed.")
    unit_cost = c1.number_input(f"An added crew or kit unit costs a week ({data.settings.currency})", min_value=0,
                                step=1_000, value=opened.get("wi_unit_cost", 0), key="wi_unit_cost",
                                help="Wages or rent of each unit a pool slider adds, every week it is added.")
    overage = c1.slider("Budget overage (%)", *OVERAGE_RANGE, opened.get("wi_overage", 0), key="wi_overage")
    titles = dict(zip(data.productions["production_id"], data.productions["title"]))
    movable = [p for p, locked in zip(data.productions["production_id"], data.productions["locked"]) if not locked]
    slip_who = c2.selectbox("Production that slips", ["(none)"] + movable, key="wi_slip_who",
                            index=(["(none)"] + movable).index(opened.get("wi_slip_who", "(none)")),
                            format_func=lambda p: p if p == "(none)" else f"{p} · {titles[p]}")
    slip = c2.slider("Slip (weeks; negative = earlier)", *SLIP_RANGE, opened.get("wi_slip", 0), key="wi_slip")
    lateness = c3.select_slider("Weight on lateness", LATENESS_WEIGHTS, key="wi_late",
                                value=opened.get("wi_late", DEFAULT_WEIGHTS["lateness"]), format_func=lambda f: f"× {f:g}")
    moves = c3.select_slider("Cost of moving a phase one week", MOVE_COSTS, key="wi_moves",
                             value=opened.get("wi_moves", int(DEFAULT_WEIGHTS["moves"])), format_func=lambda m: f"{m:,}")
    depths = list(DEPTHS)
    depth = st.radio("Search", depths, horizontal=True, key="wi_depth",
                     index=depths.index(opened.get("wi_depth", depths[0])),
                     help="Both start from the baseline plan (solved thoroughly once, for everyone), so a what-if is "
                          "never planned worse than the baseline's own dates allow. Both are the same search, with two time "
                          "limits: quick answers in a few seconds and says how close it got; thorough searches until "
                          "within 1% of the best possible or 20 s.")
    applied = st.form_submit_button("Apply", type="primary", disabled=not me.may("optimize"))
    if not me.may("optimize"):
        st.caption(f"You are signed in as a {me.role}: what-ifs take the planner role.")

off = tuple(avail_off) if isinstance(avail_off, (tuple, list)) else ()
availability = ()
if avail_who != "(none)" and (avail_shift or len(off) == 2):
    availability = (AvailabilityChange(avail_who, shift_weeks=int(avail_shift),
                                       off_from=str(off[0]) if len(off) == 2 else None,
                                       off_to=str(off[1]) if len(off) == 2 else None),)
scenario = Scenario(
    "what-if", base_hash=loaded.key, availability=availability,
    capacity=tuple(CapacityChange(rid, delta=d) for rid, d in pool_delta.items() if d),
    stages=tuple(StageChange(float(size), d) for size, d in stage_delta.items() if d),
    slips={slip_who: slip} if slip_who != "(none)" and slip else {},
    overage_pct=float(overage), hire_allowed=hire_allowed,
    weights={k: float(v) for k, v in (("lateness", lateness), ("moves", moves)) if v != DEFAULT_WEIGHTS[k]},
    added_costs={k: float(v) for k, v in (("stage", stage_rent), ("unit", unit_cost)) if v},
)
options = WHATIF_OPTIONS if depth.startswith("quick") else DEFAULT_OPTIONS
if applied:
    st.session_state["whatif_scenario"] = (scenario, options)
scenario, options = st.session_state.get("whatif_scenario", (None, options))
if scenario is None or scenario.base_hash != loaded.key:
    st.info("Move a slider and press **Apply** to see the scenario against the baseline.")
    st.stop()

base_result = run_with_progress(loaded, baseline(loaded), DEFAULT_OPTIONS, label="Planning the baseline")
if base_result is None:
    st.stop()
what_result = run_with_progress(loaded, scenario, options, label="Planning the what-if",
                                start=base_result.schedule, asked=applied)
if what_result is None:
    st.stop()

plans = {"baseline": base_result, "what-if": what_result}
kb, kw = base_result.kpis, what_result.kpis
cur = data.settings.currency
st.caption(f"Baseline: {base_result.origin.solver['verdict']}. What-if: {what_result.origin.solver['verdict']}.")
if options == WHATIF_OPTIONS and what_result.origin.solver["status"] != "optimal":
    gap = what_result.origin.solver.get("gap")
    how_far = f"it may cost up to {gap:.0%} more than the best plan" if gap is not None else \
        "it was not checked against the best possible plan"
    left = f"; {kw['conflicts']} conflict(s) are not proven unavoidable" if kw["conflicts"] else ""
    st.warning(f"Quick search: {how_far}{left}. A thorough search would likely find less lateness "
               f"({kw['weeks_late']} weeks late now) or less hire-in ({kw['hire_cost'] / 1e6:,.2f}M {cur} now): "
               "choose **thorough** and apply again before deciding on it.")
cols = st.columns(5)
cols[0].metric("Conflicts as planned", kw["conflicts_as_planned"],
               delta=(kw["conflicts_as_planned"] - kb["conflicts_as_planned"]) or None,
               delta_color="inverse", help="Conflicts on the planned dates: runs of weeks short if nothing moved")
cols[1].metric("Conflicts in the plan", kw["conflicts"], delta=(kw["conflicts"] - kb["conflicts"]) or None,
               delta_color="inverse", help="Runs of weeks still short after the optimizer moved, chose stages and hired")
hire_delta = kw["hire_cost"] - kb["hire_cost"]
cols[2].metric(f"Hire-in ({cur})", f"{kw['hire_cost'] / 1e6:,.2f}M",
               delta=f"{hire_delta / 1e6:+,.2f}M" if round(hire_delta / 1e4) else None, delta_color="inverse")
cols[3].metric("Late deliveries", kw["late_deliveries"], delta=(kw["late_deliveries"] - kb["late_deliveries"]) or None,
               delta_color="inverse")
need_delta = kw["peak_funding_need"] - kb["peak_funding_need"]
cols[4].metric(f"Peak funding ({cur})", f"{kw['peak_funding_need'] / 1e6:,.1f}M",
               delta=f"{need_delta / 1e6:+,.1f}M" if round(need_delta / 1e5) else None, delta_color="inverse")

curves, peaks = {}, {}
for name, result in (("baseline", base_result), ("what-if", what_result)):
    weekly = position(result.cashflow, result.data.settings)
    need = funding_need(weekly)
    curves[name], peaks[name] = weekly, (need.week_start, need.peak_need)
st.plotly_chart(position_figure(curves, peaks, title="Cumulative cash position: baseline and what-if"),
                width="stretch")

st.markdown("**KPIs**")
show.dataframe(kpi_display(kpi_table(plans), cur), height="content")
st.markdown("**Deliveries that change**")
deliveries = delivery_display(delivery_changes(plans), data.productions, data.settings.horizon_start)
if deliveries.empty:
    st.caption("Every production delivers when it does in the baseline plan.")
else:
    show.dataframe(deliveries)
with st.expander("Phases that move against the baseline"):
    show.dataframe(move_display(schedule_changes(plans), data.productions, data.settings.horizon_start))
made = pd.Timestamp.now(tz="UTC")
stem = comparison_stem(plans, "whatif", loaded.key, made)
d = st.columns(2)
d[0].download_button("Download the KPIs (CSV)", lambda: comparison_csv(plans),
                     file_name=f"{stem}.csv", mime="text/csv", key="download_comparison", on_click="ignore")
d[1].download_button("Download the comparison (Excel: KPIs, phases moved, deliveries)",
                     lambda: comparison_workbook(plans, loaded.key, made), file_name=f"{stem}.xlsx",
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     key="download_comparison_xlsx", on_click="ignore")

with st.form("save_whatif"):
    st.markdown("**Save this scenario** so colleagues can open and compare it (Scenarios page).")
    c1, c2 = st.columns([2, 3])
    name = c1.text_input("Name", value=opened.get("wi_name", ""), key="wi_name",
                         placeholder="e.g. Stage 13 built, no G&E hire")
    note = c2.text_input("Note", value=opened.get("wi_note", ""), key="wi_note")
    replace_it = st.checkbox("Replace a saved scenario of the same name (it is kept: Undo on the Scenarios page)",
                             value=opened.get("wi_replace", False), key="wi_replace")
    save = st.form_submit_button("Save scenario", disabled=not me.may("save scenario"))
if save:
    if not name.strip():
        st.warning("Give the scenario a name.")
    else:
        named = replace(scenario, name=name.strip(), note=note)
        store = scenario_store()
        summary = {**what_result.summary(), "search": "quick" if options == WHATIF_OPTIONS else "thorough"}
        try:
            store.save(named, actor=me, results=what_result.frames(), summary=summary, replace=replace_it)
        except Forbidden as exc:
            st.error(md(exc))
        except ScenarioExists as exc:
            st.warning(f"Not saved: {md(exc)}. A free name: “{md(store.free_name(named.name))}”; or tick *Replace*.")
        else:
            st.success(f"Replaced “{md(named.name)}”; the version it replaced is kept (Undo on the Scenarios page)."
                       if replace_it and len(store.versions(named.name)) else f"Saved “{named.name}”.")
