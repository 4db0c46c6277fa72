"""Dashboard numbers from SQL: filters (date range, engine, model, tag), agreement overall and per engine,
distributions across attempts and finals, iterations per final, trends, per-video bars, CSV export."""
from __future__ import annotations

import csv
from datetime import datetime

import pytest

from pipeline.errors import StudioError
from tests.services import seed

DIMS = {"motion_smoothness": 0.99, "i2v_subject": 0.9}


@pytest.fixture
def data(services):
    """Two projects. A: three iterations on engine-a/m1 in January (final = iteration 3's user pick);
    B: one group on engine-b/m2 in March (final = its system pick), plus an undecided group."""
    a = seed.rows(services, "alpha", groups=[
        {"engine": "engine-a", "model": "m1", "created": datetime(2026, 1, 5), "iteration": 1, "chain": True,
         "scores": [40.0, 62.0, 55.0], "system": 1, "user": 1, "tags": [], "dims": DIMS, "band": "clear"},
        {"engine": "engine-a", "model": "m1", "created": datetime(2026, 1, 6), "iteration": 2, "chain": True,
         "scores": [70.0, 66.0], "system": 0, "user": 1, "tags": ["too chaotic"], "dims": DIMS, "band": "tie"},
        {"engine": "engine-a", "model": "m1", "created": datetime(2026, 1, 7, 23, 30), "iteration": 3,
         "scores": [81.0, 88.0, None], "system": 1, "user": 0, "tags": ["too static", "not cinematic enough"],
         "dims": DIMS, "cost": 0.5, "band": "slight"},
    ], final=(2, 0))
    b = seed.rows(services, "beta", groups=[
        {"engine": "engine-b", "model": "m2", "created": datetime(2026, 3, 1), "scores": [91.0, 93.5],
         "system": 1, "user": 1, "tags": []},
        {"engine": "engine-b", "model": "m2", "created": datetime(2026, 3, 2), "scores": [12.0], "system": 0},
    ], final=(0, 1))
    return a, b


def test_totals_agreement_and_finals(services, data):
    a, b = data
    s = services.dashboard.summary()
    assert (s["groups"], s["attempts"], s["scored_attempts"]) == (5, 11, 10)
    assert s["agreement"] == {"decided_groups": 4, "agreed": 2, "rate": 0.5}
    per = {(r["engine"], r["model"]): r for r in s["agreement_by_engine"]}
    assert per[("engine-a", "m1")] == {"engine": "engine-a", "model": "m1", "decided_groups": 3, "agreed": 1,
                                       "rate": 0.333}
    assert per[("engine-b", "m2")]["rate"] == 1.0
    # per margin band of the system's pick (beta's group was ranked before bands were stored)
    assert [(r["band"], r["agreed"], r["decided_groups"]) for r in s["agreement_by_confidence"]] == [
        ("clear", 1, 1), ("slight", 0, 1), ("tie", 0, 1), ("unrecorded", 1, 1)]
    finals = {f["project"]: f for f in s["finals"]}
    assert finals["alpha"]["overall_score"] == 81.0 and finals["alpha"]["iteration"] == 3
    assert finals["alpha"]["iterations_to_final"] == 3 and finals["beta"]["iterations_to_final"] == 1
    assert s["iterations_per_final"] == {"median": 2.0, "values": [3, 1], "count": 2}
    assert s["final_iterations"] == [{"iteration": 1, "finals": 1}, {"iteration": 3, "finals": 1}]
    hist = {h["start"]: h["count"] for h in s["score_histogram"]["attempts"]}
    assert sum(hist.values()) == 10 and hist[90] == 2 and hist[10] == 1
    assert sum(h["count"] for h in s["score_histogram"]["finals"]) == 2
    assert [r["final"] for r in s["attempt_rows"]].count(True) == 2
    assert s["best_by_iteration"][0] == {"iteration": 1, "groups": 3, "mean_best_score": round((62 + 93.5 + 12) / 3, 2),
                                         "max_best_score": 93.5}
    assert [t["best_score"] for t in s["trend"]] == [62.0, 70.0, 88.0, 93.5, 12.0]
    marks = {(v["group_id"], v["attempt"]): v["mark"] for v in s["per_video"]}
    assert marks[(a["groups"][2]["group_id"], 1)] == "final" and marks[(b["groups"][1]["group_id"], 1)] == "system pick"
    assert s["attempt_rows"][0]["dim:motion_smoothness"] == 0.99
    assert s["attempts_cost_usd"] == pytest.approx(1.5) and s["group_costs"][2]["actual_usd"] == pytest.approx(1.5)


def test_filters(services, data):
    dash = services.dashboard
    january = dash.summary(date_from="2026-01-01", date_to="2026-01-07")
    assert january["groups"] == 3  # the end date includes the whole day (23:30)
    assert dash.summary(date_from="2026-01-07", date_to="2026-01-07")["groups"] == 1
    assert dash.summary(date_from=datetime(2026, 2, 1).timestamp())["groups"] == 2
    assert dash.summary(engine="engine-b")["groups"] == 2
    only_b = dash.summary(engine="engine-b")
    assert only_b["agreement"]["decided_groups"] == 1 and len(only_b["finals"]) == 1
    assert dash.summary(model="m1")["groups"] == 3
    assert dash.summary(tag="too static")["groups"] == 1
    assert dash.summary(tag="too chaotic", engine="engine-b")["groups"] == 0
    assert dash.summary(tag="100%_not_a_tag")["groups"] == 0
    assert dash.summary(project_id=data[1]["project_id"])["groups"] == 2
    assert dash.summary(project_id=data[0]["project_id"], dimensions=False)["attempt_rows"][0].get(
        "dim:i2v_subject") is None
    with pytest.raises(StudioError, match="not a date"):
        dash.summary(date_from="last tuesday")
    options = dash.options()
    assert options["engines"] == ["engine-a", "engine-b"] and options["models"] == ["m1", "m2"]
    assert {"too static", "not cinematic enough", "too chaotic", "product distorted"} <= set(options["tags"])
    assert (options["first"], options["last"]) == ("2026-01-05", "2026-03-02")


def test_csv_export(services, data):
    path = services.dashboard.export_csv(engine="engine-a")
    assert path.startswith(str(services.media.root / "downloads"))
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 8 and {r["engine"] for r in rows} == {"engine-a"}
    assert "dim:motion_smoothness" in rows[0] and rows[0]["dim:motion_smoothness"] == "0.99"
    for _ in range(12):
        services.dashboard.export_csv()
    assert len(list((services.media.root / "downloads").glob("dashboard-*.csv"))) == 10


def test_empty_studio(services):
    s = services.dashboard.summary()
    assert s["groups"] == 0 and s["agreement"]["rate"] is None and s["iterations_per_final"]["median"] is None
    assert s["finals"] == [] and s["per_video"] == [] and sum(h["count"] for h in s["score_histogram"]["attempts"]) == 0


def test_dashboard_tab_renders(services, data):
    from studio.tabs import dashboard

    values = dashboard.render(services, data[0]["project_id"], True, "", "", "(all)", "(all)", "(all)")
    cards, *_, finals, table = values
    assert "final videos" in cards and len(finals) == 2 and len(table) == 11
