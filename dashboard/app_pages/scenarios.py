"""Scenarios: the what-ifs everyone has saved, with what each changes: compare them side by side,
reopen one in What-if, rename, delete, undo a replace or a delete, and adopt one's plan as the slate's plan."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard.downloads import comparison_stem, comparison_workbook
from dashboard.figures import difference_heatmap, position_figure
from dashboard.decisions import adopt_form, plan_name
from dashboard.forms import whatif_values
from dashboard.state import (WHATIF_OPTIONS, DEFAULT_OPTIONS, actor, baseline, current, run_with_progress, saved_plan,
                             scenario_store)
from planning.access import Forbidden, Owner
from dashboard import show
from dashboard.tables import delivery_display, kpi_display, move_display, resource_label, scenarios_display
from dashboard.text import md
from planning.analysis.compare import (comparison_csv, conflict_changes, delivery_changes, kpi_table, schedule_changes,
                                       utilization_difference)
from planning.finance.flows import funding_need, position
from planning.scenarios.store import ScenarioError
from planning.scenarios.types import Scenario, describe

loaded = current()
data = loaded.data
store = scenario_store()
me = actor()
st.title("Scenarios")
if message := st.session_state.pop("sc_message", None):
    st.success(message)


def compare_tab(saved):
    chosen = st.multiselect("Scenarios to compare with the baseline plan", list(saved["name"]),
                            default=list(saved["name"][:1]), key="sc_compare")
    if not chosen:
        return
    base = run_with_progress(loaded, baseline(loaded), label="Planning the baseline")
    if base is None:
        return
    plans = {"baseline": base}
    for name in chosen:
        plans[name] = saved_plan(loaded, name)
        if saved.set_index("name").at[name, "base_hash"] != loaded.key:
            st.warning(f"“{md(name)}” was saved on other data; its numbers are its own.")
    show.dataframe(kpi_display(kpi_table(plans), data.settings.currency), height="content")
    curves, peaks = {}, {}
    for name, p in plans.items():
        weekly = position(p.cashflow, p.data.settings)
        need = funding_need(weekly)
        curves[name], peaks[name] = weekly, (need.week_start, need.peak_need)
    st.plotly_chart(position_figure(curves, peaks, title="Cumulative cash position"), width="stretch")
    focus = st.selectbox("Differences of", chosen, key="sc_focus")
    pair = {"baseline": base, focus: plans[focus]}
    diff = utilization_difference(pair)
    names = dict(zip(plans[focus].data.resources["resource_id"].astype(str),
                     plans[focus].data.resources["name"].astype(str)))
    labels = {r: resource_label(r, names) for r in diff["resource_id"].unique()}
    st.plotly_chart(difference_heatmap(diff, labels, data.settings.horizon_start,
                                       title=f"{focus} minus baseline: units demanded, resource by week"),
                    width="stretch")
    st.markdown("**Conflicts resolved or added** (unit-weeks short)")
    changed = conflict_changes(pair)
    if changed.empty:
        st.caption("Neither plan leaves any conflict.")
    else:
        changed.insert(0, "resource", changed.pop("resource_id").map(lambda r: resource_label(r, names)))
        show.dataframe(changed.rename(columns=lambda c: c.replace("unit_weeks_short: ", "")))
    st.markdown("**Deliveries that change**")
    deliveries = delivery_display(delivery_changes(pair), data.productions, data.settings.horizon_start)
    if deliveries.empty:
        st.caption("Every production delivers when it does in the baseline plan.")
    else:
        show.dataframe(deliveries)
    with st.expander("Phases that move against the baseline"):
        show.dataframe(move_display(schedule_changes(pair), data.productions, data.settings.horizon_start))
    made = pd.Timestamp.now(tz="UTC")
    stem = comparison_stem(plans, "scenarios", loaded.key, made)
    d = st.columns(2)
    d[0].download_button("Download the KPIs (CSV)", lambda: comparison_csv(plans),
                         file_name=f"{stem}.csv", mime="text/csv", key="download_sc_comparison", on_click="ignore")
    d[1].download_button("Download the comparison (Excel: KPIs, phases moved, deliveries)",
                         lambda: comparison_workbook(plans, loaded.key, made), file_name=f"{stem}.xlsx",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         key="download_sc_comparison_xlsx", on_click="ignore")


def open_tab(saved):
    pick = st.selectbox("Scenario", list(saved["name"]), key="sc_open_pick")
    row = saved.set_index("name").loc[pick]
    scenario = Scenario.from_json(pick, row["overrides"])
    values, cannot = whatif_values(scenario, data, quick=row["search"] == "quick")
    if row["base_hash"] != loaded.key:
        st.warning(f"“{md(pick)}” was saved on other data: opening it applies its changes to the loaded slate.")
    if cannot:
        st.warning("The What-if page cannot show all of this scenario: " + "; ".join(cannot) +
                   ". Use `slate scenario run` to change it.")
    if st.button("Open in What-if", key="sc_open", disabled=bool(cannot), type="primary"):
        st.session_state["wi_open"] = values
        options = WHATIF_OPTIONS if row["search"] == "quick" else DEFAULT_OPTIONS
        st.session_state["whatif_scenario"] = (replace(scenario, name="what-if", note="", base_hash=loaded.key), options)
        st.switch_page("app_pages/whatif.py")


def manage_tab(saved):
    pick = st.selectbox("Scenario", list(saved["name"]), key="sc_pick")
    with st.form("sc_rename"):
        new = st.text_input("New name", key="sc_new_name")
        if st.form_submit_button("Rename"):
            try:
                store.rename(pick, new.strip(), actor=me)
                st.rerun()
            except (ScenarioError, Forbidden) as exc:
                st.error(md(exc))
    row = saved.set_index("name").loc[pick]
    author = Owner.of(row["created_by"], row["created_by_id"])       # ownership is decided on the id
    if not me.may("delete scenario", owner=author):
        st.caption(f"“{md(pick)}” was made by {md(author.user)}: only they or an admin may rename or delete it.")
    sure = st.checkbox(f"Yes, delete “{md(pick)}” for everyone", key="sc_sure")
    if st.button("Delete", type="primary", disabled=not (sure and me.may("delete scenario", owner=author)),
                 key="sc_delete"):
        try:
            store.delete(pick, actor=me)
        except (ScenarioError, Forbidden) as exc:
            st.error(md(exc))
        else:
            st.session_state.pop("sc_sure", None)
            st.session_state["sc_message"] = f"Deleted “{md(pick)}”: **Undo** below brings it back."
            st.rerun()


def adopt_tab(saved):
    pick = st.selectbox("Scenario", list(saved["name"]), key="sc_adopt_pick")
    row = saved.set_index("name").loc[pick]
    plan = saved_plan(loaded, pick)
    what = describe(Scenario.from_json(pick, row["overrides"]), dict(zip(data.resources["resource_id"],
                                                                         data.resources["name"])))
    adopt_form(loaded, plan.schedule, plan_name(plan.origin), row["base_hash"], key="sc",
               what="" if what == "no change" else what)


saved = store.list()
if saved.empty:
    st.info("No saved scenarios yet. Build one on the What-if page and save it.")
else:
    show.table(scenarios_display(saved, data.resources, loaded.key))
    tabs = st.tabs(["Compare", "Open in What-if", "Rename or delete", "Adopt as the slate's plan"])
    for tab, render in zip(tabs, (compare_tab, open_tab, manage_tab, adopt_tab)):
        with tab:
            render(saved)

kept = store.kept()
if len(kept):
    st.subheader("Undo a replace or a delete")
    st.caption("The versions a save replaced, or a delete removed, are kept (the last five of each name).")
    show.dataframe(kept, {
        "name": "Scenario", "replaced_by": "Replaced or deleted by", "saved_by": "Saved by", "note": "Note",
        "replaced_at": st.column_config.DatetimeColumn("When (UTC)", format="D MMM YYYY, HH:mm"),
        "saved_at": st.column_config.DatetimeColumn("Saved (UTC)", format="D MMM YYYY, HH:mm")})
    back = st.selectbox("Scenario to bring back", list(dict.fromkeys(kept["name"])), key="sc_undo_pick")
    if st.button("Undo", key="sc_undo", disabled=not me.may("undo scenario")):
        try:
            store.undo_replace(back, actor=me)
        except (ScenarioError, Forbidden) as exc:
            st.error(md(exc))
        else:
            st.session_state["sc_message"] = f"Brought back the earlier “{md(back)}”."
            st.rerun()
