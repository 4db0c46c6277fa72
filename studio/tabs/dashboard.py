"""Tab 5 · Dashboard: how the attempts score, how the best score moves over iterations, and how often the
system's pick agrees with yours — for this project or all projects."""
import gradio as gr

from studio.components import current_tab, private, user_errors
from studio.components.html import stat_cards_html

TREND_TITLE = "Best score per group"
ROW_COLUMNS = ["group_id", "iteration", "attempt_id", "attempt", "engine", "status", "overall_score",
               "relative_score", "system_pick", "user_pick"]


def build(services, project_id, tabs):
    tab = current_tab()
    bars_data = gr.State(None)  # the bar plot's data, drawn after the plot was cleared (see refresh)
    with gr.Row(elem_classes="bottom-row"):
        all_projects = gr.Checkbox(label="All projects", value=False, scale=1)
        refresh_btn = gr.Button("↻ Refresh", size="sm", scale=1)
        gr.HTML(scale=4)
    stats = gr.HTML()
    with gr.Row():
        trend = gr.LinePlot(x="group_id", y="best_score", title=TREND_TITLE, x_title="generation group",
                            y_title="best overall score", height=280)
        bars = gr.BarPlot(x="attempt", y="overall_score", color="group", title="Overall score per attempt",
                          x_title="attempt", y_title="overall score", height=280, x_label_angle=-45)
    rows = gr.Dataframe(label="Attempts", interactive=False, wrap=False, max_height=360)

    @user_errors
    def refresh(pid, everything):
        import pandas as pd

        if pid is None and not everything:
            return gr.skip()
        data = services.dashboard.summary(None if everything else pid)
        agreement = data["agreement"]
        rate = (f"{agreement['agreed']}/{agreement['decided_groups']} = {agreement['rate'] * 100:.0f} %"
                if agreement["rate"] is not None else "no picks yet")
        cards = stat_cards_html([
            ("generation groups", str(data["groups"])),
            ("attempts (scored)", f"{data['attempts']} ({data['scored_attempts']})"),
            ("mean overall score", f"{data['mean_score']:.2f}" if data["mean_score"] is not None else "—"),
            ("auto vs you: agreement", rate),
        ] + ([("provider cost (USD)", f"${data['cost_usd']:.2f}" + (
            f" + {data['cost_unknown_items']} unknown" if data.get("cost_unknown_items") else ""))]
             if data.get("cost_usd") is not None else []))
        table = pd.DataFrame(data["attempt_rows"])
        if table.empty:
            table = pd.DataFrame(columns=ROW_COLUMNS)
        # Explicit dtypes: an empty column would be float and turn the plot's colour scale quantitative.
        trend_df = pd.DataFrame({"group_id": pd.Series([t["group_id"] for t in data["trend"]], dtype="int64"),
                                 "best_score": pd.Series([t["best_score"] for t in data["trend"]], dtype="float64")})
        scored = [r for r in data["attempt_rows"] if r["overall_score"] is not None]
        bars = {"attempt": [f"G{r['group_id']}·A{r['attempt']}" for r in scored],
                "overall_score": [r["overall_score"] for r in scored],
                "group": [f"group {r['group_id']}" for r in scored]}
        title = TREND_TITLE if len(trend_df) > 1 else f"{TREND_TITLE} (a trend needs two or more scored groups)"
        # The bar plot is cleared first and filled by show_bars: Gradio 6.31's BarPlot keeps the colour domain of
        # the first data it drew, so bars of new groups would not show when updated in place.
        return cards, gr.LinePlot(value=trend_df, title=title), None, bars if scored else None, table

    def show_bars(bars):
        import pandas as pd

        if not bars:
            return gr.skip()
        frame = pd.DataFrame({"attempt": pd.Series(bars["attempt"], dtype="str"),
                              "overall_score": pd.Series(bars["overall_score"], dtype="float64"),
                              "group": pd.Series(bars["group"], dtype="str")})
        return gr.BarPlot(value=frame, sort=bars["attempt"])

    outputs = [stats, trend, bars, bars_data, rows]
    triggers = [project_id.change, all_projects.change, refresh_btn.click] + ([tab.select] if tab is not None else [])
    for trigger in triggers:
        trigger(refresh, [project_id, all_projects], outputs, **private).then(show_bars, bars_data, bars, **private)
