"""Cash flow of the plan shown: spend by period and section or production, incentive receipts,
the cumulative position with the peak funding need, and the finance downloads (the same bytes
as the CLI)."""

import pandas as pd
import streamlit as st

from dashboard import show
from dashboard.figures import cash_bars, position_figure
from dashboard.state import current, shown_plan
from dashboard.text import md
from planning.finance.export import (about_line, export_name, CSV_VIEWS, budget_summary, finance_csv, finance_xlsx,
                                     headline)
from planning.finance.periods import PERIODS, assign_periods, period_order
from planning.finance.flows import SLATE_ID, position

loaded = current()
data = loaded.data
st.title("Cash flow")

plan = shown_plan(loaded)
data = plan.data                   # a scenario's budget may differ from the loaded slate's
st.caption(f"Showing the plan **{md(plan.origin.label)}** (pick another in the sidebar).")
c1, c2, c3 = st.columns(3)
period = c1.selectbox("Period", PERIODS, index=1, key="cash_period")
by = c2.radio("Spend by", ["section", "production"], horizontal=True, key="cash_by")
fiscal = c3.selectbox("Fiscal year starts", range(1, 13), index=0, key="cash_fiscal",
                      format_func=lambda m: ["January", "February", "March", "April", "May", "June", "July",
                                             "August", "September", "October", "November", "December"][m - 1])
flows = plan.cashflow
weekly = position(flows, data.settings)
figures = headline(flows, data.settings)        # the workbook's About sheet states the same figures
cur = data.settings.currency

k = st.columns(4)
k[0].metric(f"Spend ({cur})", f"{figures['spend'] / 1e6:,.1f}M")          # the currency in the label: values fit
k[1].metric(f"Incentive receipts ({cur})", f"{figures['incentive'] / 1e6:,.1f}M")
k[2].metric(f"Peak funding need ({cur})", f"{figures['peak_need'] / 1e6:,.1f}M",
            help=f"Lowest cumulative position, first reached the week of {figures['peak_week_start']:%d %b %Y}"
            if figures["peak_week_start"] is not None else "The position never goes below zero")
k[3].metric(f"Financing cost ({cur})", f"{figures['financing_cost'] / 1e6:,.2f}M",
            help=f"Simple weekly interest at {data.settings.financing_rate_annual:.1%} a year on the running deficit")

tagged = assign_periods(flows, data.settings, period, fiscal)
st.plotly_chart(cash_bars(tagged, period_order(tagged), by=by), width="stretch")
st.plotly_chart(position_figure({plan.origin.name: weekly},
                                {plan.origin.name: (figures["peak_week_start"], figures["peak_need"])}),
                width="stretch")
st.caption("The slate's data holds costs and incentives, not revenue, so the position only recovers by "
           "incentive receipts: the peak funding need is the money the studio must have in place.")

st.subheader("Budget summary")
st.caption(f"Per production, in {cur}: budget by section, the incentive (credit less any discount when sold) "
           "and the net cost after it (ATL: above the line; BTL: below the line; in brackets, the incentive's "
           "jurisdiction); the last row is the slate's total. Exact cents are in the downloads.")
money_cols = {"ATL": "ATL", "BTL_PRODUCTION": "BTL prod.", "BTL_POST": "BTL post", "OTHER": "Other",
              "budget": "Budget", "qualifying": "Qualifying", "incentive_credit": "Credit",
              "incentive_discount": "Discount", "incentive": "Incentive", "net_cost": "Net cost"}
summary = budget_summary(data)
where = summary.pop("jurisdiction").map(lambda j: f" ({j})" if isinstance(j, str) and j else "")
label = (summary.pop("production_id") + " " + summary.pop("title")).str.replace(f"{SLATE_ID} ", "", regex=False)
summary.insert(0, "production", label + where)
show.dataframe(summary, height="content",   # every row, totals too
               column_config={"production": st.column_config.TextColumn("Production (incentive)", width="medium"),
                              **{c: st.column_config.NumberColumn(label, format="compact", width="small")
                                 for c, label in money_cols.items()}})

st.subheader("Finance export")
d = st.columns(4)
made = pd.Timestamp.now(tz="UTC")
about = about_line(plan.origin.label, loaded.key, made)
for col, view in zip(d, CSV_VIEWS):
    col.download_button(f"CSV: {view}", lambda v=view: finance_csv(data, flows, period, view=v, fiscal_start_month=fiscal),
                        file_name=export_name(plan.origin.name, loaded.key, made, period, view), mime="text/csv",
                        key=f"download_{view}", on_click="ignore")
d[3].download_button("Excel workbook", lambda: finance_xlsx(data, flows, period, fiscal_start_month=fiscal, about=about),
                     file_name=export_name(plan.origin.name, loaded.key, made, period, suffix="xlsx"),
                     key="download_xlsx", on_click="ignore",
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
st.caption("Files are built when you click; each says which plan, slate and day it holds (in its name; the workbook "
           "also on its About sheet, with the peak funding need). A CSV's first line is its header. Long: one row per "
           "production, section, account, period and flow (out negative, in positive). Accounts / productions: periods "
           "as columns and a total column; the Total row is in the workbook. Identical to `slate cashflow`.")
