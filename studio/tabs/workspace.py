"""Tab 3 · Workspace: compare a group's attempts side by side, see why the system picked one, choose your own
(with a reason and feedback tags), or regenerate the group as a new iteration."""
import gradio as gr

from pipeline.services.attempts import MAX_ATTEMPTS
from studio.components import current_tab, private, user_errors
from studio.components.html import attempt_card_html, group_header_html, group_label

FEEDBACK_TAGS = ["too chaotic", "not cinematic enough", "product distorted", "too static"]
PLAY_ALL_JS = """() => {
  const videos = Array.from(document.querySelectorAll('#workspace-attempts video'));
  videos.forEach(v => { v.pause(); v.currentTime = 0; v.muted = true; });
  videos.forEach(v => v.play().catch(() => {}));
}"""
RESET = "?"


def build(services, project_id, tabs):
    tab = current_tab()
    attempt_ids = gr.State([None] * MAX_ATTEMPTS)  # slot → attempt id
    shown = gr.State([RESET] * MAX_ATTEMPTS)  # slot → video path as last sent

    with gr.Row(elem_classes="bottom-row"):
        group_dd = gr.Dropdown([], label="Generation group", scale=5)
        refresh_btn = gr.Button("↻ Refresh", size="sm", scale=1)
        play_btn = gr.Button("▶ Play all together", size="sm", scale=1)
    group_head = gr.HTML(group_header_html(None))
    slots = []
    with gr.Row(elem_id="workspace-attempts", equal_height=False):
        for i in range(MAX_ATTEMPTS):
            with gr.Column(visible=False, min_width=200) as col:
                video = gr.Video(interactive=False, show_label=False, height=200, loop=True)
                card = gr.HTML(padding=False)
                choose = gr.Button("Choose this one", size="sm")
            slots.append((col, video, card, choose))
    with gr.Row():
        reason = gr.Textbox(label="Why? (optional, helps tune the auto-pick)", scale=3,
                            placeholder="e.g. the smoothest move, the product stays sharp")
        tags = gr.CheckboxGroup(FEEDBACK_TAGS, label="Feedback tags (optional)", scale=3)
        accept_btn = gr.Button("Accept system pick", variant="primary", scale=1)
    with gr.Accordion("Regenerate as a new iteration", open=False):
        with gr.Row():
            regen_motion = gr.Textbox(label="Motion prompt", lines=2, scale=3)
            regen_negative = gr.Textbox(label="Negative prompt", lines=2, scale=3)
            regen_count = gr.Slider(1, MAX_ATTEMPTS, value=3, step=1, label="Attempts", scale=1)
        regen_btn = gr.Button("Regenerate as new iteration →", variant="primary")

    slot_outputs = [c for (col, video, card, _) in slots for c in (col, video, card)]

    # ------------------------------------------------------------ readers
    def show_group(gid, shown_before, prompts=True):
        """group header, slots, attempt ids, shown paths (+ the regenerate prompts)."""
        group = services.attempts.group(gid) if gid is not None else None
        attempts = (group or {}).get("attempts", [])
        out, ids, now = [], [], []
        for i in range(MAX_ATTEMPTS):
            a = attempts[i] if i < len(attempts) else None
            ids.append(a["id"] if a else None)
            if a is None:
                out += [gr.Column(visible=False), gr.skip(), ""]
                now.append(shown_before[i])
                continue
            path = a["video"] if a["status"] in ("scoring", "done") else None
            out += [gr.Column(visible=True), gr.skip() if path == shown_before[i] else path,
                    attempt_card_html(a, group)]
            now.append(path)
        extra = [group["motion_prompt"], group["negative_prompt"]] if group and prompts else [gr.skip(), gr.skip()]
        return (group_header_html(group), *out, ids, now, *extra)

    show_outputs = [group_head, *slot_outputs, attempt_ids, shown, regen_motion, regen_negative]

    @user_errors
    def refresh(pid, current, shown_before):
        if pid is None:
            return gr.skip()
        groups = services.attempts.groups(pid)
        choices = [(group_label(g), g["id"]) for g in groups]
        gid = current if current in [g["id"] for g in groups] else (groups[0]["id"] if groups else None)
        return (gr.Dropdown(choices=choices, value=gid), *show_group(gid, shown_before, current != gid))

    refresh_outputs = [group_dd, *show_outputs]
    project_id.change(lambda pid: refresh(pid, None, [RESET] * MAX_ATTEMPTS), project_id, refresh_outputs,
                      **private)
    refresh_btn.click(refresh, [project_id, group_dd, shown], refresh_outputs, **private)
    if tab is not None:
        tab.select(refresh, [project_id, group_dd, shown], refresh_outputs, **private)
    group_dd.input(user_errors(lambda gid, before: show_group(gid, before)), [group_dd, shown], show_outputs,
                   **private)
    play_btn.click(None, None, None, js=PLAY_ALL_JS, **private)

    # ------------------------------------------------------------ picks
    def picked(gid, shown_before, result):
        if result["agrees_with_system"]:
            gr.Info("You agree with the system pick. It goes on the timeline.")
        else:
            gr.Info("Your pick overrides the system's and goes on the timeline. Noted for the agreement rate.")
        return show_group(gid, shown_before, prompts=False)

    def make_choose(slot):
        @user_errors
        def on_choose(gid, ids, why, feedback, shown_before):
            if ids[slot] is None:
                return gr.skip()
            return picked(gid, shown_before, services.selection.select_attempt(ids[slot], why, feedback))
        return on_choose

    for i, (_, _, _, choose) in enumerate(slots):
        choose.click(make_choose(i), [group_dd, attempt_ids, reason, tags, shown], show_outputs, **private)

    @user_errors
    def on_accept(gid, why, feedback, shown_before):
        if gid is None:
            gr.Warning("Pick a generation group first.")
            return gr.skip()
        return picked(gid, shown_before, services.selection.accept_system_pick(gid, why, feedback))

    accept_btn.click(on_accept, [group_dd, reason, tags, shown], show_outputs, **private)

    @user_errors
    def on_regenerate(gid, motion, negative, n):
        if gid is None:
            gr.Warning("Pick a generation group first.")
            return gr.skip()
        view = services.attempts.regenerate(gid, motion, negative, int(n))
        gr.Info(f"Iteration {view['iteration_index']} started as group {view['id']}.")
        return gr.Tabs(selected="attempts")

    regen_btn.click(on_regenerate, [group_dd, regen_motion, regen_negative, regen_count], tabs, **private)
