"""Risk: Monte Carlo samples of the plan shown. Which development productions go ahead, how long
shoots and post really take, which named risks strike; what that does to deliveries, to
over-booking and to the cash the slate needs."""

import time

import pandas as pd
import streamlit as st

from dashboard import show
from dashboard.downloads import risk_downloads
from dashboard.risk_figures import delivery_figure, fan_figure, overbooking_figure
from dashboard.state import actor, current, shown_plan
from dashboard.tables import about_time
from dashboard.text import md
from planning.access import Forbidden, require
from planning import config
from planning.analysis.capacity import counted_productions
from planning.finance.flows import funding_need, position
from planning.risk import results
from planning.risk.inputs import duration_skew
from planning.risk.run import MAX_SAMPLES, RiskOptions, run

SECONDS_PER_REPLAN = 1.8      # measured: one quick search per sample of the sample slate, on one core
KEPT_RUNS = 4

loaded = current()
plan = shown_plan(loaded)
data = plan.data
cur = data.settings.currency
st.title("Risk")
st.caption(f"Samples of the plan **{md(plan.origin.label)}** (pick another in the sidebar). Each sample draws which "
           "development productions go ahead, how long every shoot and post really takes (between its shortest "
           "and longest) and which named risks strike; delays push what follows.")

who = counted_productions(data, 0)
c = st.columns([1, 1, 2.2, 1.4])
samples = c[0].number_input("Samples", 10, MAX_SAMPLES, 1000, step=100, key="risk_samples")
seed = c[1].number_input("Seed", 0, 2**31 - 1, 0, key="risk_seed",
                         help="The same seed gives the same numbers, on this computer or a cluster")
threshold = c[2].slider("Development counted from", 0, 100, 0, step=5, format="%d%%", key="risk_threshold",
                        disabled=not who["status"].eq("development").any(),
                        help="Count development productions from this chance of going ahead; below it a "
                             "development production never goes ahead in the samples") / 100
me = actor()
replan = c[3].toggle("Re-plan each sample", key="risk_replan", disabled=not me.may("optimize"),
                     help="After each sample's first surprise, re-plan what has not begun (the optimizer's quick "
                          "search) and compare with the plan as it stands. Much slower. Takes the planner role.")
who = counted_productions(data, threshold)
if who["status"].eq("development").any():
    counted = who[(who["status"] == "development") & who["counted"]]
    st.caption("Development productions counted: " + (", ".join(
        f"{r.production_id} {r.title} ({r.greenlight_probability:.0%})" for r in counted.itertuples())
        or "none") + ".")
scheduler = config.dask_scheduler()
options = RiskOptions(samples=int(samples), seed=int(seed), replan=replan, threshold=threshold, dask=scheduler)
if replan:
    where = f"the Dask cluster at {scheduler}" if scheduler else f"{options.local_workers} processes"
    estimate = samples * SECONDS_PER_REPLAN / (1 if scheduler else options.local_workers)
    (st.warning if estimate > 120 else st.info)(
        f"Re-planning {samples:,} samples on {where}: {about_time(estimate)} here. Fewer samples "
        "(100 to 300) already show the difference reacting makes.")

key = (loaded.key, plan.origin.label, str(plan.origin.made_at), options)
runs = st.session_state.setdefault("risk_runs", {})
if st.button("Run the samples", type="primary", key="risk_run"):
    if replan:
        try:
            require(me, "optimize")          # re-planning is optimizing: checked where the work starts
        except Forbidden as why:
            st.error(f"{md(why)}.")
            st.stop()
    bar = st.progress(0.0, text="Drawing samples…")
    t0 = time.perf_counter()
    try:
        merged = run(data, plan.schedule, options,
                     lambda done, total: bar.progress(done / total, text=f"Samples: {done} of {total} chunks done"))
    except ValueError as why:
        bar.empty()
        st.error(f"{md(why)}.")
        st.stop()
    seconds = time.perf_counter() - t0
    bar.empty()
    tables = results.tables(data, merged)
    # made once per run, not on every rerun
    downloads = risk_downloads(plan.origin, loaded.key, merged, tables, pd.Timestamp.now(tz="UTC"))
    runs[key] = (merged, tables, seconds, downloads)
    for old in list(runs)[:-KEPT_RUNS]:
        del runs[old]

if key not in runs:
    st.info("Set the samples and press **Run the samples** (1,000 samples take about a second).")
    st.stop()

merged, tables, seconds, downloads = runs[key]
st.caption(f"{options.samples:,} samples, seed {options.seed}, in {seconds:.1f} s on {merged.workers}.")
money = tables["money"].set_index("key")
own_weekly = position(plan.cashflow, data.settings)
own = funding_need(own_weekly)
deliv = tables["deliveries"]
all_counted = bool((deliv["chance"] > 0).all())
k = st.columns(4)
k[0].metric(f"P90 peak funding need ({cur})", f"{money.at['peak_need', 'p90'] / 1e6:,.1f}M",
            delta=f"{(money.at['peak_need', 'p90'] - own.peak_need) / 1e6:+,.1f}M on the plan as it stands"
            if all_counted else None, delta_color="inverse",
            help="9 samples in 10 need at most this much money in place at the slate's lowest point"
            + ("" if all_counted else ". Not compared with the plan as it stands: that pays for every development "
               "production, the samples only for those counted"))
k[1].metric(f"P50 peak funding need ({cur})", f"{money.at['peak_need', 'p50'] / 1e6:,.1f}M")
k[2].metric(f"P90 net cost ({cur})", f"{money.at['cost', 'p90'] / 1e6:,.1f}M",
            help="Spend, risk extra costs and financing, less incentives")
going = deliv[deliv["goes_ahead"] > 0]
likely = going[going["miss_target"] >= 0.5]
plan_late = plan.kpis["late_deliveries"]
k[3].metric("Likely late", f"{len(likely)} of {len(going)}",
            delta=f"{len(likely) - plan_late:+d} on the plan as it stands" if all_counted else None, delta_color="inverse",
            help="Productions that miss their target delivery in at least half the samples where they go ahead")
skew = duration_skew(data)
lean = (f"{skew.long} of the {skew.ranged} phases with a range of lengths are more likely to run long than short "
        f"(their usual length is nearer their shortest), {skew.short or 'none'} the other way: on average such a phase "
        f"runs {skew.extra_weeks:.1f} weeks longer than planned. ") if skew.ranged else ""
st.caption(f"The plan as it stands delivers {plan_late} late; the samples run later than the plan. {lean}A phase "
           "that runs long pushes what follows, one that runs short does not bring it forward (the plan keeps its "
           "bookings), and named risks only add delay.")

fan = tables["cash_fan"]
weekly = own_weekly.set_index("week")["position"]
weekly = weekly.reindex(fan["week"]).ffill().fillna(0).rename("position").reset_index()   # flat once paid up
weekly["week_start"] = fan["week_start"].to_numpy()
dates = [fan["week_start"].min(), fan["week_start"].max()]      # one date axis for the three charts
st.plotly_chart(fan_figure(fan, weekly, money.at["peak_need", "p90"], cur).update_xaxes(range=dates),
                width="stretch")
st.caption("The band holds the middle 80% of the samples week by week; the dashed line is the plan as it stands. "
           "A development production that does not go ahead spends nothing, so the band can sit above the plan.")

st.plotly_chart(delivery_figure(deliv).update_xaxes(range=dates), width="stretch")
st.caption("Red bars: the P90 delivery is after the target (1 sample in 10 or more is late). Hover a diamond for "
           "the chance of missing the target.")

st.plotly_chart(overbooking_figure(tables["overbooking"]).update_xaxes(range=dates), width="stretch")
st.caption("Each cell is one resource in one week: the share of samples in which it is short even after hiring in. "
           "'Any stage ≥ N sq ft' rows count every booking that needs a stage of that size.")

st.subheader("The risks that move the P90s most")
rankings = {"p90_delivery_weeks": "Delivery", "p90_funding_need": "Funding need", "p90_net_cost": "Net cost",
            "weeks_short": "Shortfall"}
by = st.radio("Rank by", list(rankings), format_func=rankings.get, horizontal=True, key="risk_rank_by")
ranked = results.ranked_risks(data, merged, by)
show.dataframe(ranked.drop(columns=["phase_id"]), key="risk_ranked", column_config={
    "driver": st.column_config.TextColumn("Risk", width="medium"),
    "kind": st.column_config.TextColumn("Kind"),
    "production_id": st.column_config.TextColumn("Prod.", width="small"),
    "resource": st.column_config.TextColumn("Takes away", help="The person or place the risk takes away for its "
                                            "delay: every phase that needs them waits"),
    "probability": st.column_config.NumberColumn("Chance", format="percent", width="small"),
    "p90_delivery_weeks": st.column_config.NumberColumn("P90 delivery (weeks)",
                                                        help="Weeks it adds to the P90 deliveries, summed"),
    "p90_funding_need": st.column_config.NumberColumn(f"P90 funding need ({cur})", format="compact"),
    "p90_net_cost": st.column_config.NumberColumn(f"P90 net cost ({cur})", format="compact"),
    "weeks_short": st.column_config.NumberColumn("Weeks short", format="%.2f",
                                                 help="Expected unit-weeks (crews, kit) plus stage-weeks short")})
st.caption("Each risk's effect is what the same samples lose when it is switched off, every other draw the same. "
           "A small negative number is the sampling's noise, or a delay that happens to move a booking out of a "
           "busy week.")

if "reaction" in tables:
    st.subheader("The plan as it stands, and after reacting")
    show.dataframe(tables["reaction"], key="risk_reaction", column_config={
        "measure": "Measure", "as_is_mean": st.column_config.NumberColumn("As it stands: mean", format="compact"),
        "as_is_p90": st.column_config.NumberColumn("As it stands: P90", format="compact"),
        "reacted_mean": st.column_config.NumberColumn("After reacting: mean", format="compact"),
        "reacted_p90": st.column_config.NumberColumn("After reacting: P90", format="compact")})
    st.caption("After reacting: each sample re-planned at its first surprise, knowing how every remaining phase "
               "turns out, with what has begun kept where it is. It is the best a reaction can do.")

d = st.columns([1, 1, 1])
d[0].download_button("Download the results (.xlsx)", downloads["xlsx"], f"{downloads['stem']}.xlsx",
                     key="risk_xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
d[1].download_button("Download the cash position P10/P50/P90 (.csv)", downloads["csv"],
                     f"{downloads['stem']}-cash.csv", key="risk_csv", mime="text/csv")
