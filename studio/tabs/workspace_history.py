"""The workspace's history section: the iteration timeline of the project (version, iteration, chosen attempt, key
prompt changes, score trend, FINAL marker) and any two versions side by side (synced players plus metrics)."""
import gradio as gr

from studio.components import bind, private, user_errors
from studio.components.iteration_html import compare_metrics_html, iterations_html, trend_note
from studio.components.synced_player import attempt_items, player_html, synced_player

MODES = [("Side by side", "grid"), ("A/B wipe", "wipe")]
EMPTY = "Choose two versions and press Compare."


def build(services, project_id):
    """Lay out the section; returns (refresh function of project_id, its outputs, the "make FINAL" event) for the
    workspace to chain its own refresh to."""
    with gr.Accordion("History & versions", open=True):
        table = gr.HTML()
        trend = gr.LinePlot(x="version", y="score", color="series", title="Score per version", height=240,
                            x_title="version", y_title="overall score")
        with gr.Row(elem_classes="bottom-row"):
            version_a = gr.Dropdown([], label="Version A", scale=3)
            version_b = gr.Dropdown([], label="Version B", scale=3)
            mode = gr.Radio(MODES, value="grid", label="Compare as", scale=2)
            compare_btn = gr.Button("Compare", variant="primary", scale=1)
            final_btn = gr.Button("Make version B FINAL", scale=1)
        player = synced_player("history-player")
        metrics = gr.HTML()

    history_refresh = bind(refresh, services)
    outputs = [table, trend, version_a, version_b, player, metrics]
    compare = bind(on_compare, services)
    compare_btn.click(compare, [version_a, version_b, mode], [player, metrics], **private)
    mode.input(compare, [version_a, version_b, mode], [player, metrics], **private)
    final_event = final_btn.click(bind(on_final, services), [project_id, version_b], outputs, **private)
    return history_refresh, outputs, final_event


@user_errors
def refresh(services, pid):
    import pandas as pd

    if pid is None:
        return gr.skip()
    history = services.history.iterations(pid)
    points = [(f"v{t['version']}", t["best_score"], "best attempt") for t in history["score_trend"]]
    points += [(f"v{t['version']}", t["chosen_score"], "chosen attempt") for t in history["score_trend"]
               if t["chosen_score"] is not None]
    frame = pd.DataFrame({"version": pd.Series([p[0] for p in points], dtype="str"),
                          "score": pd.Series([p[1] for p in points], dtype="float64"),
                          "series": pd.Series([p[2] for p in points], dtype="str")})
    choices = [(_label(r), r["chosen"]["attempt_id"]) for r in history["iterations"] if r["chosen"]]
    values = [c[1] for c in choices]
    a = values[-2] if len(values) >= 2 else (values[0] if values else None)
    b = values[-1] if values else None
    versions = frame["version"].nunique()  # one point draws an empty-looking chart: a line of text says why instead
    return (iterations_html(history) + trend_note(versions),
            gr.LinePlot(value=frame, sort=[f"v{r['version']}" for r in history["iterations"]], visible=versions >= 2),
            gr.Dropdown(choices=choices, value=a), gr.Dropdown(choices=choices, value=b),
            player_html([], empty=EMPTY), "")


@user_errors
def on_compare(services, a, b, view_mode):
    if a is None or b is None:
        gr.Warning("Choose two versions first.")
        return gr.skip()
    result = services.history.compare_attempts([a, b] if a != b else [a])
    items = attempt_items(result.attempts)
    return player_html(items, view_mode, empty=EMPTY), compare_metrics_html(result)


@user_errors
def on_final(services, pid, b):
    if pid is None or b is None:
        gr.Warning("Choose version B first.")
        return gr.skip()
    result = services.history.set_final(pid, b)
    gr.Info(f"{result['final']['label']} is the project's final version.")
    return refresh(services, pid)


def _label(row):
    chosen = row["chosen"]
    score = f" · {chosen['overall_score']:.1f}" if chosen.get("overall_score") is not None else ""
    final = " · FINAL" if row.get("is_final") else ""
    return f"v{row['version']} · iteration {row['iteration']} · {chosen['label']}{score}{final}"
