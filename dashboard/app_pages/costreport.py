"""Cost report of the plan shown, on the slate's report date: the slate roll-up (budget, actual to
date, committed, estimate to complete, estimate at final cost, variance, % spent, contingency left)
with budget against EFC per production, then one production by section and account, worst variance
first; CSV and workbook downloads, the same bytes as ``slate costreport``. The plan picked in the
sidebar gives the weeks the weekly lines still run (``planning.finance.costreport``)."""

import pandas as pd
import streamlit as st

from dashboard import show
from dashboard.cost_figures import budget_efc_figure, millions, variance_figure
from dashboard.state import current, shown_plan
from dashboard.tables import (COST_MONEY, cost_lines_display, cost_sections_display, cost_summary_display,
                              phase_progress_display)
from dashboard.text import md
from planning.data.progress import phase_weeks, tracks_progress
from planning.finance.costreport import (about_lines, by_production, cost_report, costreport_csv,
                                         costreport_filename, costreport_xlsx, totals, with_slate_total,
                                         with_subtotals)
from planning.finance.flows import line_costs

loaded = current()
st.title("Cost report")
plan = shown_plan(loaded)
data = plan.data                   # a scenario's budget may differ from the loaded slate's
settings, cur = data.settings, data.settings.currency
if settings.as_of is not None:
    st.caption(f"As of **{settings.as_of:%A} {settings.as_of.day} {settings.as_of:%B %Y}** (the report date) · "
               f"plan **{md(plan.origin.label)}** (pick another in the sidebar).")
else:
    st.caption(f"Plan **{md(plan.origin.label)}** (pick another in the sidebar).")
if not tracks_progress(data):
    st.info(f"This slate gives no report date (`as_of`) and no actual dates, so it is reported as of the horizon "
            f"start, {settings.report_date:%d %B %Y}: nothing is spent yet and every account's EFC is its budget. "
            "The README's *Actuals and progress* says how to add them.")

report = cost_report(data, plan.schedule)
summary = by_production(report, data)
t = totals(report)

row1, row2 = st.columns(3), st.columns(3)
row1[0].metric(f"Budget ({cur})", f"{t['budget'] / 1e6:,.1f}M")
row1[1].metric(f"Actual to date ({cur})", f"{t['actual_to_date'] / 1e6:,.1f}M",
               help=f"Paid by the report date, refunds netted: {t['actual_to_date'] / t['budget']:.1%} of the budget"
               if t["budget"] else "Paid by the report date, refunds netted")
row1[2].metric(f"Committed ({cur})", f"{t['committed'] / 1e6:,.1f}M", help="Open purchase orders, not paid yet")
row2[0].metric(f"Estimate to complete ({cur})", f"{t['estimate_to_complete'] / 1e6:,.1f}M",
               help="Still to spend beyond what is committed: the accountant's estimate where given, else the "
                    "budget left (a weekly line: its weekly rate for every week its phase still runs)")
row2[1].metric(f"EFC ({cur})", f"{t['efc'] / 1e6:,.1f}M",
               help="Estimate at final cost = actual to date + committed + estimate to complete")
variance = t["variance"]
row2[2].metric(f"Variance ({cur})", f"{variance / 1e6:,.2f}M",
               delta="over budget" if variance < 0 else "under budget" if variance > 0 else "on budget",
               delta_color="inverse" if variance < 0 else "normal" if variance > 0 else "off",
               help="Budget − EFC: below zero the slate is over budget")

st.info("**Weekly lines** (crew wages, stage rent: `basis` weekly) cost their weekly rate, the budget over the "
        "planned weeks, for every week their phase runs: a phase still running past its planned weeks (a long "
        "shoot) costs more weeks. The report follows the plan picked in the sidebar: a what-if that changes budgets "
        "or costs shows here in the EFC, and so does one that slips a production under way, whose running phase "
        "then runs that many weeks longer (its expected end); moving phases still to come changes when the money "
        "is paid (Cash flow), not the EFC, as each still runs its planned weeks.")

st.subheader("Productions")
over = summary[summary["variance"] < 0]
said = ", ".join(f"{md(p)} {md(tt)} by {millions(-v)}" for p, tt, v in
                 zip(over["production_id"], over["title"], over["variance"]))
st.caption((f"Over budget: {said}. " if len(over) else "No production is over budget. ")
           + f"In {cur}; % spent is actual to date over budget; contingency left is the contingency line less "
           "the net overrun of every other line. The last row is the slate's total; exact cents are in the downloads.")
st.plotly_chart(budget_efc_figure(summary), width="stretch")
money = {"budget": "Budget", "actual_to_date": "Actual", "committed": "Committed", "estimate_to_complete": "ETC",
         "efc": "EFC", "variance": "Variance", "contingency_left": "Contingency left"}
show.dataframe(cost_summary_display(with_slate_total(summary)), height="content", key="cost_summary",
               column_config={"production": st.column_config.TextColumn("Production", width="medium"),
                              **{c: st.column_config.NumberColumn(name, format="compact") for c, name in money.items()},
                              "pct_spent": st.column_config.NumberColumn("% spent", format="%.1f%%"),
                              "status": st.column_config.TextColumn("Status", width="medium")})

st.subheader("One production")
worst_first = summary.sort_values(["variance", "production_id"])
names = dict(zip(summary["production_id"], summary["title"]))
pid = st.selectbox("Production", worst_first["production_id"].tolist(), key="cost_production",
                   format_func=lambda p: f"{p} {names[p]}",
                   help="Worst variance first: the production most over budget is at the top")
mine = report[report["production_id"] == pid]
prod = summary.set_index("production_id").loc[pid]
m = st.columns(4)
m[0].metric(f"Budget ({cur})", millions(prod["budget"]))
m[1].metric(f"EFC ({cur})", millions(prod["efc"]))
m[2].metric(f"Variance ({cur})", millions(prod["variance"]),
            delta="over budget" if prod["variance"] < 0 else "under budget" if prod["variance"] > 0 else "on budget",
            delta_color="inverse" if prod["variance"] < 0 else "normal" if prod["variance"] > 0 else "off")
m[3].metric(f"Contingency left ({cur})", millions(prod["contingency_left"]),
            help=prod["note"] or "The contingency line less the net overrun of every other line")

runs = phase_weeks(data, plan.schedule)
runs = runs[runs["production_id"] == pid]
duration = data.phases.set_index(["production_id", "phase_id"]).loc[list(zip(runs["production_id"], runs["phase_id"])),
                                                                    "duration_weeks"]
st.caption("Its phases in this plan: done and running ones where they really are (a running one to its expected "
           "end), planned ones where the plan puts them.")
show.dataframe(phase_progress_display(runs, settings.horizon_start, duration), height="content", key="cost_phases")

if (mine["variance"] != 0).any():
    st.plotly_chart(variance_figure(mine), width="stretch")
else:
    st.caption("Every account is on budget.")
show.dataframe(cost_sections_display(with_subtotals(mine)), height="content", key="cost_sections",
               column_config={"section": st.column_config.TextColumn("Section", width="medium"),
                              **{c: st.column_config.NumberColumn(money[c], format="accounting") for c in COST_MONEY}})
costs = line_costs(data, plan.schedule)
show.dataframe(cost_lines_display(mine, costs[costs["production_id"] == pid], data.phases), height="content",
               key="cost_lines",
               column_config={"account": st.column_config.TextColumn("Account", width="medium"),
                              "etc_from": st.column_config.TextColumn(
                                  "ETC from", help="How the estimate to complete is made: the accountant's "
                                  "estimate, the budget left, or a weekly line's weeks still to go"),
                              **{c: st.column_config.NumberColumn(money[c], format="accounting") for c in COST_MONEY}})
st.caption("Accounts worst variance first. Variance = budget − EFC; EFC = actual + committed + ETC.")

st.subheader("Downloads")
made = pd.Timestamp.now(tz="UTC")
d = st.columns(2)
d[0].download_button("CSV: every production and account", lambda: costreport_csv(report),
                     file_name=costreport_filename(plan.origin.name, loaded.key, made, settings.report_date),
                     mime="text/csv", key="download_costreport_csv", on_click="ignore")
d[1].download_button("Excel workbook", lambda: costreport_xlsx(data, report, about_lines(plan.origin.label, loaded.key,
                                                                                         made, settings)),
                     file_name=costreport_filename(plan.origin.name, loaded.key, made, settings.report_date, "xlsx"),
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     key="download_costreport_xlsx", on_click="ignore")
st.caption("Files are built when you click; each says which plan, slate, day and report date it holds (in its name; "
           "the workbook also on its About sheet). The CSV's first line is its header: one row per production and "
           "account. The workbook adds section and production subtotals and the slate summary. Identical to "
           "`slate costreport`.")
