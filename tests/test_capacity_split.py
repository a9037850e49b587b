"""Greenlit and development productions on the Capacity page: which productions count at a
threshold, the demand they add, the one-resource chart's split, and the page's control."""

import json

import pandas as pd

from conftest import ROOT
from dashboard.figures import pool_figure
from factory import demand, phase, production, resource, slate
from planning.analysis.capacity import COLUMNS, counted_productions, counted_utilization, utilization
from planning.plan import as_planned

APP = str(ROOT / "dashboard" / "app.py")
DEVELOPMENT = {"P14": 0.5, "P15": 0.7, "P17": 0.3}       # the sample slate's development productions


def tentative_slate():
    """A greenlit (A), a development production at 40% (B), one with no chance given (C, counts as 1)
    and one with no status (D, greenlit). A and B each want the one stage of at least 5,000 sq ft in
    weeks 0-1: B's booking is the one left unplaced."""
    return slate([production("A"), production("B", status="development", greenlight_probability=0.4),
                  production("C", status="development"), production("D")],
                 [phase("A", "shoot", 2, 0), phase("B", "shoot", 2, 0), phase("C", "shoot", 2, 0),
                  phase("D", "shoot", 2, 4)],
                 [resource("G&E", capacity=1, hire_cost_per_week=10.0, hire_max_units=1),
                  resource("S1", kind="stage", size=10_000.0)],
                 [demand("A", "shoot", "G&E"), demand("B", "shoot", "G&E", units=2), demand("C", "shoot", "G&E"),
                  demand("D", "shoot", "G&E"), demand("A", "shoot", min_size=5_000.0),
                  demand("B", "shoot", min_size=5_000.0)])


def at(util: pd.DataFrame, rid: str, week: int) -> pd.Series:
    return util.set_index(["resource_id", "week"]).loc[(rid, week)]


def test_counted_productions_follow_the_threshold():
    data = tentative_slate()

    def counted(threshold):
        return counted_productions(data, threshold).set_index("production_id")["counted"].to_dict()

    assert counted(0) == {"A": True, "B": True, "C": True, "D": True}
    assert counted(0.4) == {"A": True, "B": True, "C": True, "D": True}       # at the threshold: counted
    assert counted(0.41) == {"A": True, "B": False, "C": True, "D": True}
    assert counted(1) == {"A": True, "B": False, "C": True, "D": True}        # empty chance is 1, empty status greenlit
    who = counted_productions(data, 0).set_index("production_id")
    assert who["status"].to_dict() == {"A": "greenlit", "B": "development", "C": "development", "D": "greenlit"}
    assert who["greenlight_probability"].to_dict() == {"A": 1.0, "B": 0.4, "C": 1.0, "D": 1.0}


def test_a_development_production_below_the_threshold_adds_no_demand():
    data = tentative_slate()
    alloc = as_planned(data).allocation
    all_in, without_b = counted_utilization(data, alloc, 0.4), counted_utilization(data, alloc, 0.5)
    ge = at(all_in, "G&E", 0)
    assert (ge["demand"], ge["greenlit"], ge["development"]) == (4, 1, 3)      # A; B 2 and C 1
    assert (ge["hired"], ge["shortfall"]) == (1, 2)
    ge = at(without_b, "G&E", 0)
    assert (ge["demand"], ge["greenlit"], ge["development"]) == (2, 1, 1)      # B left out
    assert (ge["hired"], ge["shortfall"]) == (1, 0)
    assert at(without_b, "G&E", 4)[["demand", "greenlit", "development"]].tolist() == [1, 1, 0]   # D
    # The stage class: A holds the stage, B's booking found none; leaving B out clears the shortfall.
    cls = at(all_in, "stages>=5000", 0)
    assert (cls["demand"], cls["shortfall"], cls["greenlit"], cls["development"]) == (2, 1, 1, 1)
    cls = at(without_b, "stages>=5000", 0)
    assert (cls["demand"], cls["shortfall"], cls["greenlit"], cls["development"]) == (1, 0, 1, 0)
    for util in (all_in, without_b):
        assert (util["greenlit"] + util["development"] == util["demand"]).all()
        assert (util["development"] >= 0).all()


def test_on_the_sample_threshold_zero_is_the_plan_and_the_parts_add_up(sample_data):
    plan = as_planned(sample_data)
    every = counted_utilization(sample_data, plan.allocation, 0)
    pd.testing.assert_frame_equal(every[COLUMNS], plan.utilization)
    assert (every["greenlit"] + every["development"] == every["demand"]).all()
    named = ~every["resource_id"].str.startswith("stages>=")
    dev_units = plan.allocation[plan.allocation["production_id"].isin(list(DEVELOPMENT))]["units"].sum()
    assert every.loc[named, "development"].sum() == dev_units > 0             # every unit of P14, P15, P17
    sure = counted_utilization(sample_data, plan.allocation, 0.75)            # above 0.7: no development at all
    greenlit_only = plan.allocation[~plan.allocation["production_id"].isin(list(DEVELOPMENT))]
    pd.testing.assert_frame_equal(sure[COLUMNS], utilization(sample_data, greenlit_only))
    assert (sure["development"] == 0).all() and sure["demand"].sum() < every["demand"].sum()
    some = counted_utilization(sample_data, plan.allocation, 0.7)             # P15 only
    p15 = plan.allocation[plan.allocation["production_id"] == "P15"]["units"].sum()
    assert some.loc[named, "development"].sum() == p15 > 0


def test_pool_figure_draws_development_hatched_on_top():
    data = tentative_slate()
    util = counted_utilization(data, as_planned(data).allocation, 0)
    fig = pool_figure(util, "G&E", split=True)                 # week 0: A 1 greenlit; B 2 and C 1 development
    bars = {t.name: list(t.y[:2]) for t in fig.data if t.type == "bar" and t.y[0] is not None}
    assert bars == {"From the lot": [1, 1], "From the lot: development": [0, 0], "Hired in": [0, 0],
                    "Hired in: development": [1, 1], "Short": [0, 0], "Short: development": [2, 2]}
    hatched = [t.name for t in fig.data if t.type == "bar" and t.marker.pattern.shape == "/"]
    assert "Development (tentative)" in hatched and "From the lot" not in hatched
    plain = pool_figure(util, "G&E")                           # without split: as before
    assert [t.name for t in plain.data] == ["From the lot", "Hired in", "Short", "Capacity"]


def heatmap_demand(app) -> int:
    """The units of demand in every cell of the page's load heatmap (its first chart)."""
    text = json.loads(app.get("plotly_chart")[0].proto.spec)["data"][0]["text"]
    return sum(int(cell.split(" needed / ")[0]) for row in text for cell in row)


def pool_traces(app) -> list[str]:
    return [t.get("name") for t in json.loads(app.get("plotly_chart")[-1].proto.spec)["data"]]


def split_caption(app) -> str:
    return next(c.value for c in app.caption if c.value.startswith("Development productions counted"))


def test_capacity_threshold_leaves_development_out(start_app, sample_data):
    app = start_app()
    app.switch_page("app_pages/capacity.py").run()
    assert not app.exception
    plan = as_planned(sample_data)
    busy = set(plan.utilization.loc[plan.utilization["demand"] > 0, "resource_id"])
    assert app.slider(key="capacity_threshold").value == 0
    assert heatmap_demand(app) == plan.utilization.loc[plan.utilization["resource_id"].isin(busy), "demand"].sum()
    assert "Left out: none" in split_caption(app)
    app.selectbox(key="capacity_pool").set_value("POST-EDIT").run()
    assert "Development (tentative)" in pool_traces(app)

    app.slider(key="capacity_threshold").set_value(75).run()
    assert not app.exception
    greenlit = utilization(sample_data, plan.allocation[~plan.allocation["production_id"].isin(list(DEVELOPMENT))])
    assert heatmap_demand(app) == greenlit.loc[greenlit["resource_id"].isin(busy), "demand"].sum()
    assert heatmap_demand(app) < plan.utilization["demand"].sum()
    caption = split_caption(app)
    assert caption.startswith("Development productions counted: none. Left out: ")
    assert all(f"{p} {sample_data.productions.set_index('production_id').at[p, 'title']} ({c:.0%})" in caption
               for p, c in DEVELOPMENT.items())
    assert "Development (tentative)" not in pool_traces(app)

    app.slider(key="capacity_threshold").set_value(70).run()
    assert split_caption(app).startswith("Development productions counted: P15 The Understudy (70%). Left out: "
                                         "P14 Last Light at Dover (50%), P17 Kingdom of Salt (S2) (30%).")


def test_capacity_page_without_development_has_no_threshold(start_app, sample_copy):
    prods = pd.read_parquet(sample_copy / "productions.parquet").drop(columns=["status", "greenlight_probability"])
    prods.to_parquet(sample_copy / "productions.parquet", index=False)
    app = start_app(sample_copy)
    app.switch_page("app_pages/capacity.py").run()
    assert not app.exception
    assert not [s for s in app.slider if s.key == "capacity_threshold"]
    assert not [c for c in app.caption if c.value.startswith("Development productions counted")]
    app.selectbox(key="capacity_pool").set_value("POST-EDIT").run()
    assert not [name for name in pool_traces(app) if "evelopment" in name]
