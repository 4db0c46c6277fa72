"""Tab 5 · Dashboard: score distributions (attempts and finals), iterations per final, auto-vs-user agreement
(overall and per engine/model), per-video scores, the best score across iterations, which iteration produced the
finals — for this project or all projects, filtered by date range, engine, model and feedback tag — and a CSV of
the table. `render` turns the service's summary into the tab's values (the benchmark times it too).

In team mode admins also get "Spend per user" (services.limits.spend_by_user()); nobody else is sent its data."""
from types import SimpleNamespace

import gradio as gr

from pipeline.access import NotAuthorized
from studio.components import bind, current_tab, private, user_errors
from studio.components.html import stat_cards_html
from studio.components.team import SPEND_COLUMNS, spend_frame, spend_summary_html

ROW_COLUMNS = ["project_id", "group_id", "iteration", "attempt_id", "attempt", "engine", "status", "overall_score",
               "relative_score", "system_pick", "user_pick", "final"]
TABLE_ROWS = 300  # the newest attempts shown in the table; the CSV has them all
TREND_GROUPS = 60  # the newest groups in the per-group trend (thousands of points would be unreadable)
MARK_COLOURS = {"final": "#16a34a", "your pick": "#2563eb", "system pick": "#d97706", "other": "#94a3b8"}
ALL = "(all)"


def _by_confidence(rows) -> str:
    """'clear pick 5/6 · slight edge 2/3 · tie 1/4' (overrides of a tie are expected)."""
    return " · ".join(f"{r['label']} {r['agreed']}/{r['decided_groups']}" for r in rows) or "no picks yet"


def render(services, pid, everything, date_from=None, date_to=None, engine=None, model=None, tag=None):
    """(cards, histogram of attempts, histogram of finals, agreement per engine, best score per iteration,
    per-video bars, iteration of the finals, trend per group, finals table, attempts table)."""
    import pandas as pd

    data = services.dashboard.summary(None if everything else pid, date_from or None, date_to or None,
                                      _blank(engine), _blank(model), _blank(tag), dimensions=False,
                                      row_limit=TABLE_ROWS)
    agreement, per_final = data["agreement"], data["iterations_per_final"]
    rate = (f"{agreement['agreed']}/{agreement['decided_groups']} = {agreement['rate'] * 100:.0f} %"
            if agreement["rate"] is not None else "no picks yet")
    cards = stat_cards_html([
        ("generation groups", str(data["groups"])),
        ("attempts (scored)", f"{data['attempts']} ({data['scored_attempts']})"),
        ("mean overall score", f"{data['mean_score']:.1f}" if data["mean_score"] is not None else "—"),
        ("auto vs you: agreement", rate),
        ("agreement by pick confidence", _by_confidence(data.get("agreement_by_confidence") or [])),
        ("final videos", str(per_final["count"])),
        ("iterations per final (median)", f"{per_final['median']:g}" if per_final["median"] is not None else "—"),
    ] + ([("provider cost (USD)", f"${data['cost_usd']:.2f}" + (
        f" + {data['cost_unknown_items']} unknown" if data.get("cost_unknown_items") else ""))]
         if data.get("cost_usd") else []))

    def frame(rows, columns, types):
        return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=t) for c, t in zip(columns, types)})

    hist_a = frame(data["score_histogram"]["attempts"], ["bin", "count"], ["str", "int64"])
    hist_f = frame(data["score_histogram"]["finals"], ["bin", "count"], ["str", "int64"])
    engines = [{"engine": f"{r['engine']}" + (f" · {r['model']}" if r["model"] and r["model"] != r["engine"] else ""),
                "rate": (r["rate"] or 0.0) * 100} for r in data["agreement_by_engine"]]
    agree = frame(engines, ["engine", "rate"], ["str", "float64"])
    best = frame([{**r, "iteration": f"iteration {r['iteration']}"} for r in data["best_by_iteration"]],
                 ["iteration", "mean_best_score"], ["str", "float64"])
    bars_rows = [{**r, "label": f"G{r['group_id']}·A{r['attempt']}"} for r in data["per_video"]]
    bars = frame(bars_rows, ["label", "overall_score", "mark"], ["str", "float64", "str"])
    finals_it = frame(data["final_iterations"], ["iteration", "finals"], ["str", "int64"])
    trend = frame([{**t, "group": f"G{t['group_id']}"} for t in data["trend"][-TREND_GROUPS:]], ["group", "best_score"],
                  ["str", "float64"])
    finals = pd.DataFrame(data["finals"]) if data["finals"] else pd.DataFrame(
        columns=["project_id", "project", "attempt_id", "group_id", "iteration", "iterations_to_final",
                 "overall_score", "engine", "set_at"])
    rows = data["attempt_rows"][-TABLE_ROWS:][::-1]
    table = pd.DataFrame(rows, columns=ROW_COLUMNS) if rows else pd.DataFrame(columns=ROW_COLUMNS)
    return (cards, gr.BarPlot(value=hist_a, sort=[b["bin"] for b in data["score_histogram"]["attempts"]]),
            gr.BarPlot(value=hist_f, sort=[b["bin"] for b in data["score_histogram"]["finals"]]),
            agree, gr.LinePlot(value=best, sort=list(best["iteration"])),
            gr.BarPlot(value=bars, sort=list(bars["label"])), finals_it,
            gr.LinePlot(value=trend, sort=list(trend["group"])), finals, table)


def build(services, project_id, tabs):
    tab = current_tab()
    ui = layout(services.settings.team_mode)
    wire(services, ui, project_id, tab)


def layout(team_mode: bool) -> SimpleNamespace:
    """Create the tab's components (inside the open gr.Tab) and return them by name (spend per user: team mode)."""
    with gr.Row(elem_classes="bottom-row"):
        all_projects = gr.Checkbox(label="All projects", value=False, scale=1, min_width=110)
        date_from = gr.DateTime(include_time=False, type="string", label="From", scale=1)
        date_to = gr.DateTime(include_time=False, type="string", label="To", scale=1)
        engine = gr.Dropdown([ALL], value=ALL, label="Engine", scale=2)
        model = gr.Dropdown([ALL], value=ALL, label="Model", scale=2)
        tag = gr.Dropdown([ALL], value=ALL, label="Feedback tag", scale=2)
        refresh_btn = gr.Button("↻ Refresh", size="sm", scale=1)
    stats = gr.HTML()
    if team_mode:
        # Hidden until an admin opens the tab; the data is only ever computed (and sent) for an admin.
        with gr.Accordion("Spend per user", open=False, visible=False, elem_id="spend-per-user") as spend_box:
            spend_head = gr.HTML()
            spend_table = gr.Dataframe(headers=SPEND_COLUMNS, interactive=False, wrap=False, max_height=320,
                                       show_label=False)
    with gr.Row():
        hist_attempts = gr.BarPlot(x="bin", y="count", title="Score distribution: all attempts", height=240,
                                   x_title="overall score", y_title="attempts", x_label_angle=-45)
        hist_finals = gr.BarPlot(x="bin", y="count", title="Score distribution: final videos", height=240,
                                 x_title="overall score", y_title="finals", x_label_angle=-45)
        agreement = gr.BarPlot(x="engine", y="rate", title="Auto-vs-you agreement per engine (%)", height=240,
                               x_title="engine · model", y_title="agreement %", y_lim=[0, 100])
    with gr.Row():
        per_video = gr.BarPlot(x="label", y="overall_score", color="mark", color_map=MARK_COLOURS,
                               title="Per video: every attempt's score (newest groups)", height=280,
                               x_title="group · attempt", y_title="overall score", x_label_angle=-45)
        best_iter = gr.LinePlot(x="iteration", y="mean_best_score", title="Best score across iterations (mean)",
                                height=280, x_title="iteration", y_title="best overall score")
    with gr.Row():
        final_iter = gr.BarPlot(x="iteration", y="finals", title="Which iteration produced the final", height=240,
                                x_title="iteration", y_title="finals", y_lim=[0, None])
        trend = gr.LinePlot(x="group", y="best_score", title=f"Best score per group (newest {TREND_GROUPS})",
                            height=240, x_title="generation group", y_title="best overall score", x_label_angle=-45)
    finals = gr.Dataframe(label="Final versions", interactive=False, wrap=False, max_height=240)
    with gr.Row(elem_classes="bottom-row"):
        csv_btn = gr.Button("Export CSV (filtered table, every score dimension)", size="sm", scale=1)
        csv_file = gr.File(label="CSV", scale=2, visible=False)
    rows = gr.Dataframe(label=f"Attempts (newest {TABLE_ROWS}; the CSV has all)", interactive=False, wrap=False,
                        max_height=360)
    return SimpleNamespace(**locals())


def wire(services, ui, project_id, tab) -> None:
    """Connect the tab's events to the handlers below."""
    filters = [project_id, ui.all_projects, ui.date_from, ui.date_to, ui.engine, ui.model, ui.tag]
    outputs = [ui.engine, ui.model, ui.tag, ui.stats, ui.hist_attempts, ui.hist_finals, ui.agreement, ui.best_iter,
               ui.per_video, ui.final_iter, ui.trend, ui.finals, ui.rows]
    triggers = [project_id.change, ui.all_projects.change, ui.refresh_btn.click, ui.engine.input, ui.model.input,
                ui.tag.input, ui.date_from.change, ui.date_to.change] + ([tab.select] if tab is not None else [])
    reload = bind(refresh, services)
    for trigger in triggers:
        trigger(reload, filters, outputs, **private)
    ui.csv_btn.click(bind(on_csv, services), filters, ui.csv_file, **private)

    if not services.settings.team_mode:
        return
    spend = bind(on_spend, services)
    for trigger in [project_id.change, ui.refresh_btn.click] + ([tab.select] if tab is not None else []):
        trigger(spend, None, [ui.spend_box, ui.spend_head, ui.spend_table], **private)


@user_errors
def refresh(services, pid, everything, start, end, engine_name, model_name, tag_name):
    if pid is None and not everything:
        return gr.skip()
    options = services.dashboard.options(None if everything else pid)
    chosen = [value if value in options[key] else ALL
              for key, value in (("engines", engine_name), ("models", model_name), ("tags", tag_name))]
    dropdowns = [gr.Dropdown(choices=[ALL, *options[key]], value=value)
                 for key, value in zip(("engines", "models", "tags"), chosen)]
    return (*dropdowns, *render(services, pid, everything, start, end, *chosen))


@user_errors
def on_csv(services, pid, everything, start, end, engine_name, model_name, tag_name):
    if pid is None and not everything:
        return gr.skip()
    return gr.File(value=services.dashboard.export_csv(
        project_id=None if everything else pid, date_from=start or None, date_to=end or None,
        engine=_blank(engine_name), model=_blank(model_name), tag=_blank(tag_name)), visible=True)


def on_spend(services):
    try:
        admin = services.access.actor().is_admin
    except NotAuthorized:
        admin = False
    if not admin:
        return gr.Accordion(visible=False), gr.skip(), gr.skip()
    data = services.limits.spend_by_user()
    return gr.Accordion(visible=True), spend_summary_html(data), spend_frame(data)


def _blank(value):
    return None if value in (None, "", ALL) else value
