"""Figures of a risk run (``planning.risk.results`` tables in, plotly figures out). No Streamlit here."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import row_label

DAY_MS = 24 * 3600 * 1000   # a P10 equal to its P90 still shows, one day wide


def fan_figure(fan: pd.DataFrame, plan: pd.DataFrame | None, p90_need: float, currency: str,
               title: str = "Cumulative cash position: P10 to P90 of the samples") -> go.Figure:
    """The P10-P90 band of the cash position (``fan``: week_start, p10, p50, p90) around its P50,
    the plan's own position (``plan``: week_start, position) dashed, and the P90 peak funding need
    marked as a line at ``-p90_need``: 1 sample in 10 needs more money in place than that."""
    m = 1e6
    fig = go.Figure()
    fig.add_scatter(x=fan["week_start"], y=fan["p90"] / m, mode="lines", line=dict(width=0), showlegend=False,
                    hoverinfo="skip")
    fig.add_scatter(x=fan["week_start"], y=fan["p10"] / m, mode="lines", line=dict(width=0), fill="tonexty",
                    fillcolor="rgba(33,113,181,0.25)", name="P10 to P90 of the samples",
                    hovertemplate="week of %{x|%d %b %Y}<br>P10 %{y:,.1f}M<extra></extra>")
    fig.add_scatter(x=fan["week_start"], y=fan["p50"] / m, mode="lines", line=dict(color="#2171b5", width=2),
                    name="P50", hovertemplate="week of %{x|%d %b %Y}<br>P50 %{y:,.1f}M<extra></extra>")
    if plan is not None:
        fig.add_scatter(x=plan["week_start"], y=plan["position"] / m, mode="lines",
                        line=dict(color="#18181b", width=1.5, dash="dash"), name="The plan as it stands",
                        hovertemplate="week of %{x|%d %b %Y}<br>plan %{y:,.1f}M<extra></extra>")
    fig.add_hline(y=-p90_need / m, line=dict(color="#b30000", width=1.5, dash="dot"),
                  annotation=dict(text=f"P90 peak funding need: {p90_need / m:,.1f}M {currency}",
                                  font=dict(color="#b30000", size=13), bgcolor="white"),
                  annotation_position="top left")
    fig.update_layout(title=title, height=440, yaxis_title=f"millions {currency} (deficit < 0)",
                      legend=dict(orientation="h", y=-0.15), margin=dict(l=10, r=10, t=50, b=10))
    fig.update_yaxes(tickformat=",.0f")
    return fig


def delivery_figure(deliveries: pd.DataFrame, title: str = "Delivery: P10 to P90 against the target") -> go.Figure:
    """One row per production that can go ahead: a bar from its P10 to its P90 delivery (red where
    the P90 is after the target), a diamond at the target and a dot at the P50 (drawn last, on
    top). Rows in P50 order; a development production's row gives its chance of going ahead."""
    df = deliveries.dropna(subset=["p50"]).sort_values("p50", ascending=False)
    label = df["production_id"] + " " + df["title"] + df["chance"].map(
        lambda p: f" (dev., {p:.0%})" if p < 1 else "")
    span = (df["p90"] - df["p10"]).dt.total_seconds() * 1000
    fig = go.Figure()
    for late, name, color in ((False, "P10 to P90, on time at P90", "#9ecae1"), (True, "P10 to P90, late at P90", "#fb6a4a")):
        part = (df["p90"] > df["target"]) == late
        fig.add_bar(y=label[part], base=df.loc[part, "p10"], x=span[part].clip(lower=DAY_MS), orientation="h",
                    marker_color=color, name=name,
                    customdata=df.loc[part, ["p10", "p90"]].apply(lambda c: c.dt.strftime("%d %b %Y")).to_numpy(),
                    hovertemplate="%{y}<br>P10 %{customdata[0]} to P90 %{customdata[1]}<extra></extra>")
    fig.add_scatter(y=label, x=df["target"], mode="markers", name="Target",
                    marker=dict(symbol="diamond-open", size=11, color="#18181b", line=dict(width=2)),
                    customdata=df["miss_target"].to_numpy(),
                    hovertemplate="%{y}<br>target %{x|%d %b %Y}<br>chance of missing it %{customdata:.0%}<extra></extra>")
    fig.add_scatter(y=label, x=df["p50"], mode="markers", marker=dict(color="#08306b", size=7), name="P50",
                    hovertemplate="%{y}<br>P50 %{x|%d %b %Y}<extra></extra>")
    fig.update_layout(title=title, height=max(320, 24 * len(df) + 120), xaxis_type="date", barmode="overlay",
                      legend=dict(orientation="h", y=-0.08), margin=dict(l=10, r=10, t=50, b=10))
    fig.update_yaxes(categoryorder="array", categoryarray=list(label))
    return fig


def overbooking_figure(over: pd.DataFrame, title: str = "Chance of being short after hire-in") -> go.Figure:
    """Resource x week heatmap of ``p_short`` (``overbooking`` rows), only resources that may be short."""
    risky = over.groupby("resource_id")["p_short"].transform("max") > 0
    df = over[risky]
    order = df.drop_duplicates("resource_id")[["resource_id", "name"]]
    labels = [row_label(r, n) for r, n in zip(order["resource_id"], order["name"])]
    z = df.pivot(index="resource_id", columns="week_start", values="p_short").reindex(order["resource_id"])
    short = df.pivot(index="resource_id", columns="week_start", values="expected_short").reindex(order["resource_id"])
    fig = go.Figure(go.Heatmap(
        z=z.to_numpy(), x=list(z.columns), y=labels, zmin=0, zmax=1, customdata=short.to_numpy(),
        colorscale=[[0.0, "#f7fbff"], [0.05, "#fee8c8"], [0.5, "#fc8d59"], [1.0, "#b30000"]],
        colorbar=dict(title="Chance", tickformat=".0%"),
        hovertemplate="%{y}<br>week of %{x|%d %b %Y}<br>chance short %{z:.0%}<br>expected short %{customdata:.2f} "
                      "units<extra></extra>", xgap=1, ygap=1))
    fig.update_layout(title=title, height=max(260, 24 * len(labels) + 120), margin=dict(l=10, r=10, t=50, b=10))
    fig.update_yaxes(autorange="reversed")
    return fig
