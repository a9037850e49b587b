"""The Cost report page's figures: DataFrames in, plotly figures out. No Streamlit here.

Titles and account descriptions are the slate's own text: plotly reads a few HTML tags in labels
(a link among them), so every such label is HTML-escaped and shows as typed."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

BUDGET, ON_BUDGET, OVER, SAVED = "#bdbdbd", "#2171b5", "#d62728", "#31a354"


def millions(value: float) -> str:
    """``-1748048.88 -> "-1.75M"``; under a million in thousands (``52740.66 -> "52.7K"``)."""
    return f"{value / 1e6:,.2f}M" if abs(value) >= 1e6 else f"{value / 1e3:,.1f}K"


def budget_efc_figure(summary: pd.DataFrame, title: str = "Budget and estimate at final cost (EFC)") -> go.Figure:
    """Per production (``planning.finance.costreport.by_production``, no total row): its budget (grey)
    beside its EFC (blue; red when over budget), in millions; each production over budget is named
    above its bars with how much over ("▲ 1.75M over")."""
    label = summary["production_id"].astype(str).tolist()
    names = [html.escape(f"{p} {t}") for p, t in zip(label, summary["title"].astype(str))]
    variance = summary["variance"].astype("float64").to_numpy()
    over = variance < 0
    fig = go.Figure()
    fig.add_bar(x=label, y=(summary["budget"] / 1e6).tolist(), name="Budget", marker_color=BUDGET, customdata=names,
                hovertemplate="%{customdata}<br>budget %{y:,.2f}M<extra></extra>")
    fig.add_bar(x=label, y=(summary["efc"] / 1e6).tolist(), name="EFC",
                marker_color=np.where(over, OVER, ON_BUDGET).tolist(),
                customdata=[[n, millions(v)] for n, v in zip(names, variance)],
                hovertemplate="%{customdata[0]}<br>EFC %{y:,.2f}M<br>variance %{customdata[1]}<extra></extra>")
    fig.add_bar(x=[None], y=[None], name="EFC over budget", marker_color=OVER)     # its legend entry
    top = np.maximum(summary["budget"], summary["efc"]).to_numpy("float64") / 1e6
    for x, y, v in zip(np.array(label)[over], top[over], variance[over]):
        fig.add_annotation(x=x, y=y, text=f"▲ {millions(-v)} over", showarrow=False, yshift=12,
                           font=dict(color=OVER, size=12))
    fig.update_layout(title=title, barmode="group", height=420, yaxis_title="millions", bargap=0.25,
                      legend=dict(orientation="h", y=1.1, x=0), margin=dict(l=10, r=10, t=70, b=10))
    fig.update_xaxes(type="category")
    return fig


def variance_figure(lines: pd.DataFrame, title: str = "Variance by account, worst first") -> go.Figure:
    """One production's accounts that have a variance (``account``, ``description``, ``variance``),
    worst first from the top: over budget in red to the left, under in green to the right."""
    shown = lines[lines["variance"] != 0].sort_values(["variance", "account"])
    names = [html.escape(f"{a} {d}") for a, d in zip(shown["account"].astype(str), shown["description"].astype(str))]
    colors = np.where(shown["variance"] < 0, OVER, SAVED).tolist()
    fig = go.Figure(go.Bar(x=shown["variance"].astype("float64").tolist(), y=names, orientation="h",
                           marker_color=colors,
                           text=[("▲ " if v < 0 else "") + millions(abs(v)) + (" over" if v < 0 else " under")
                                 for v in shown["variance"]],
                           textposition="auto", hovertemplate="%{y}<br>variance %{x:,.2f}<extra></extra>"))
    fig.add_vline(x=0, line_color="#71717a", line_width=1)
    fig.update_layout(title=title, height=max(200, 36 * len(shown) + 110), xaxis_title="variance: budget − EFC",
                      margin=dict(l=10, r=10, t=50, b=10))
    fig.update_yaxes(autorange="reversed")
    return fig
