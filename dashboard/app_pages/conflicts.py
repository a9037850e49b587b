"""Conflicts: where the planned dates over-book a resource, and who collides there."""

import streamlit as st

from dashboard.state import as_planned, current

loaded = current()
schedule, util, found = as_planned(loaded.key)

st.title("Conflicts")
if found.empty:
    st.success("No conflicts: every resource is within capacity in every week of the plan.")
else:
    st.metric("As-planned conflicts", len(found), help="Runs of consecutive over-booked weeks on a resource")
    kinds = sorted(found["kind"].unique())
    chosen = st.multiselect("Resource kinds", kinds, default=kinds, key="conflict_kinds")
    table = found[found["kind"].isin(chosen)][
        ["name", "kind", "start", "end", "weeks", "peak_demand", "capacity", "short_by", "unit_weeks", "productions"]]
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "name": "Resource", "start": st.column_config.DateColumn("From"),
        "end": st.column_config.DateColumn("Until"), "peak_demand": "Peak demand",
        "short_by": "Short by (units)", "unit_weeks": "Unit-weeks over", "productions": "Productions involved"})
