"""Tab 3 · Workspace: compare a group's attempts in a synced player (side by side or A/B wipe), see why the system
picked one, accept it or choose another (with a reason and feedback tags), mark the FINAL version, iterate (edit
the prompts and regenerate, or re-roll only some attempts), apply suggested prompt changes, and walk the history
of versions (workspace_history.py)."""
from types import SimpleNamespace

import gradio as gr

from pipeline.services.attempts import MAX_ATTEMPTS
from pipeline.services.prompt_tips import FEEDBACK_TAGS
from studio.components import bind, current_tab, private, user_errors
from studio.components.html import attempt_card_html, group_header_html, group_label, shown_score
from studio.components.iteration_html import final_banner_html, suggestion_html
from studio.components.synced_player import attempt_items, player_html, synced_player
from studio.tabs import workspace_history

MODES = [("Side by side", "grid"), ("A/B wipe", "wipe")]


def default_compare(attempts):
    """The system pick, the user's pick, then the best shown scores: up to 4 finished attempts, in attempt order."""
    done = [a for a in attempts if a.status == "done" and a.video]
    ranked = sorted(done, key=lambda a: (not a.is_user_selected_best, not a.is_system_selected_best,
                                         -(shown_score(a)[0] or 0.0)))
    keep = {a.id for a in ranked[:4]}
    return [a.id for a in done if a.id in keep]


def build(services, project_id, tabs):
    tab = current_tab()
    ui = layout()
    history = workspace_history.build(services, project_id)  # its own layout and wiring, below this tab's
    wire(services, ui, project_id, tabs, tab, history)


# ------------------------------------------------------------ layout
def layout() -> SimpleNamespace:
    """Create the tab's components (inside the open gr.Tab) and return them by name."""
    attempt_ids = gr.State([None] * MAX_ATTEMPTS)  # slot → attempt id
    suggestion = gr.State(None)

    with gr.Row(elem_classes="bottom-row"):
        group_dd = gr.Dropdown([], label="Generation group", scale=5)
        mode = gr.Radio(MODES, value="grid", label="Compare as", scale=2)
        refresh_btn = gr.Button("↻ Refresh", size="sm", scale=1)
    group_head = gr.HTML(group_header_html(None))
    compare = gr.CheckboxGroup([], label="Attempts in the player (2–4; the A/B wipe uses the first two)")
    player = synced_player("workspace-player")
    with gr.Row(equal_height=False):
        slots = []
        for _ in range(MAX_ATTEMPTS):
            with gr.Column(visible=False, min_width=180) as col:
                card = gr.HTML(padding=False)
                choose = gr.Button("Choose this one", size="sm")
            slots.append((col, card, choose))
    with gr.Row(elem_classes="bottom-row"):
        reason = gr.Textbox(label="Why? (optional, helps tune the auto-pick)", scale=3,
                            placeholder="e.g. the smoothest move, the product stays sharp")
        tags = gr.CheckboxGroup(list(FEEDBACK_TAGS), label="Feedback tags (optional)", scale=3)
        accept_btn = gr.Button("Accept system pick", variant="primary", scale=1)
    with gr.Row(elem_classes="bottom-row"):
        final_html = gr.HTML(final_banner_html(None), scale=5)
        final_btn = gr.Button("Mark this group's pick as FINAL", variant="primary", scale=1)
        clear_final_btn = gr.Button("Clear final", size="sm", scale=1)
    with gr.Accordion("Iterate: edit the prompts and regenerate", open=False) as iterate_box:
        with gr.Row(elem_classes="bottom-row"):
            hero_prompt = gr.Textbox(label="Hero-frame prompt (new frames start a new hero)", lines=2, scale=5)
            hero_btn = gr.Button("New hero frames from this prompt →", scale=1)
        with gr.Row():
            regen_motion = gr.Textbox(label="Motion prompt", lines=2, scale=3)
            regen_negative = gr.Textbox(label="Negative prompt", lines=2, scale=3)
            regen_count = gr.Slider(1, MAX_ATTEMPTS, value=3, step=1, label="Attempts", scale=1)
        regen_btn = gr.Button("Regenerate all as a new iteration →", variant="primary")
        with gr.Row(elem_classes="bottom-row"):
            reroll = gr.CheckboxGroup([], label="Re-roll only these attempts (same prompts, new seeds; the others "
                                                "are carried over)", scale=4)
            reroll_btn = gr.Button("Re-roll selected →", scale=1)
    with gr.Accordion("Suggestions for the next iteration", open=False):
        with gr.Row():
            suggest_btn = gr.Button("Suggest improvements", size="sm")
            apply_btn = gr.Button("Apply to the prompts above", size="sm")
        suggestion_box = gr.HTML(suggestion_html(None))
    slot_outputs = [c for (col, card, _) in slots for c in (col, card)]
    return SimpleNamespace(**locals())


# ------------------------------------------------------------ wiring
def wire(services, ui, project_id, tabs, tab, history) -> None:
    """Connect the tab's events to the handlers below; every pick or final change also refreshes the history."""
    history_refresh, history_outputs, history_final = history
    show_outputs = [ui.group_head, ui.compare, ui.player, *ui.slot_outputs, ui.attempt_ids, ui.reroll, ui.final_html,
                    ui.regen_motion, ui.regen_negative, ui.hero_prompt]
    refresh_outputs = [ui.group_dd, *show_outputs]
    group_inputs = [ui.group_dd, project_id, ui.mode]
    loaders = [project_id.change, ui.refresh_btn.click] + ([tab.select] if tab is not None else [])
    reload = bind(refresh, services)
    for trigger in loaders:
        trigger(reload, [project_id, ui.group_dd, ui.mode], refresh_outputs, **private).then(
            history_refresh, project_id, history_outputs, **private)
    show = user_errors(lambda gid, pid, m: show_group(services, gid, pid, m, prompts=False))
    ui.group_dd.input(user_errors(lambda gid, pid, m: show_group(services, gid, pid, m)), group_inputs,
                      show_outputs, **private)
    history_final.then(show, group_inputs, show_outputs, **private)
    compare = bind(on_compare, services)
    ui.compare.input(compare, [ui.group_dd, project_id, ui.compare, ui.mode], ui.player, **private)
    ui.mode.input(compare, [ui.group_dd, project_id, ui.compare, ui.mode], ui.player, **private)

    for i, (_, _, choose) in enumerate(ui.slots):
        choose.click(make_choose(services, i), [*group_inputs, ui.attempt_ids, ui.reason, ui.tags], show_outputs,
                     **private).then(history_refresh, project_id, history_outputs, **private)
    ui.accept_btn.click(bind(on_accept, services), [*group_inputs, ui.reason, ui.tags], show_outputs,
                        **private).then(history_refresh, project_id, history_outputs, **private)
    ui.final_btn.click(bind(on_final, services), [project_id, ui.group_dd, ui.mode], show_outputs, **private).then(
        history_refresh, project_id, history_outputs, **private)
    ui.clear_final_btn.click(lambda pid, gid, m: on_final(services, pid, gid, m, clear=True),
                             [project_id, ui.group_dd, ui.mode], show_outputs, **private).then(
        history_refresh, project_id, history_outputs, **private)

    ui.regen_btn.click(bind(on_regenerate, services), [ui.group_dd, ui.regen_motion, ui.regen_negative,
                                                       ui.regen_count], tabs, **private)
    ui.reroll_btn.click(bind(on_reroll, services), [ui.group_dd, ui.reroll], tabs, **private)
    ui.hero_btn.click(bind(on_hero, services), [project_id, ui.hero_prompt], tabs, **private)
    ui.suggest_btn.click(bind(on_suggest, services), ui.group_dd, [ui.suggestion, ui.suggestion_box], **private)
    ui.apply_btn.click(on_apply, ui.suggestion, [ui.regen_motion, ui.regen_negative, ui.iterate_box], **private)


# ------------------------------------------------------------ readers
def show_group(services, gid, pid, view_mode, prompts=True):
    """group header, compare choices, player, slots, attempt ids, re-roll choices, final banner, prompts."""
    group = services.attempts.group(gid) if gid is not None else None
    attempts = (group.attempts if group else [])
    final = services.history.final(pid) if pid is not None else None
    final_id = final.attempt_id if final else None
    out, ids = [], []
    for i in range(MAX_ATTEMPTS):
        a = attempts[i] if i < len(attempts) else None
        ids.append(a.id if a else None)
        out += [gr.Column(visible=a is not None), attempt_card_html(a, group) if a else ""]
    choices = [(f"Attempt {a.index}" + (f" · {shown_score(a)[0]:.1f}" if shown_score(a)[0] is not None
                                           else f" · {a.status}"), a.id)
               for a in attempts if a.status == "done"]
    chosen = default_compare(attempts)
    items = attempt_items([a for a in attempts if a.id in chosen], final_id)
    extra = [gr.skip()] * 3
    if group and prompts:
        frame = services.hero_frames.get(group.hero_frame_id)
        extra = [group.motion_prompt, group.negative_prompt, frame.enhanced_prompt or frame.prompt]
    return (group_header_html(group), gr.CheckboxGroup(choices=choices, value=chosen),
            player_html(items, view_mode, empty="No finished attempts in this group yet."), *out, ids,
            gr.CheckboxGroup(choices=[(f"Attempt {a.index}", a.id) for a in attempts
                                      if a.status in ("done", "failed", "cancelled")], value=[]),
            final_banner_html(final), *extra)


@user_errors
def refresh(services, pid, current, view_mode):
    if pid is None:
        return gr.skip()
    groups = services.attempts.groups(pid)
    choices = [(group_label(g), g.id) for g in groups]
    gid = current if current in [g.id for g in groups] else (groups[0].id if groups else None)
    return (gr.Dropdown(choices=choices, value=gid), *show_group(services, gid, pid, view_mode, current != gid))


@user_errors
def on_compare(services, gid, pid, selected, view_mode):
    if gid is None:
        return gr.skip()
    group = services.attempts.group(gid)
    final = services.history.final(pid) if pid is not None else None
    wanted = [a for a in group.attempts if a.id in (selected or [])]
    if len(wanted) > 4:
        gr.Warning("The player shows at most 4 attempts: the first 4 are shown.")
    items = attempt_items(wanted[:4], final.attempt_id if final else None)
    if view_mode == "wipe" and len(items) < 2:
        gr.Warning("The A/B wipe needs two attempts: tick two.")
    return player_html(items, view_mode, empty="Tick attempts to compare them here.")


# ------------------------------------------------------------ picks and the final version
def picked(services, gid, pid, view_mode, result):
    if result["agrees_with_system"]:
        gr.Info("You agree with the system pick. It goes on the timeline.")
    else:
        gr.Info("Your pick overrides the system's and goes on the timeline. Noted for the agreement rate.")
    return show_group(services, gid, pid, view_mode, prompts=False)


def make_choose(services, slot):
    @user_errors
    def on_choose(gid, pid, view_mode, ids, why, feedback):
        if ids[slot] is None:
            return gr.skip()
        return picked(services, gid, pid, view_mode, services.selection.select_attempt(ids[slot], why, feedback))
    return on_choose


@user_errors
def on_accept(services, gid, pid, view_mode, why, feedback):
    if gid is None:
        gr.Warning("Pick a generation group first.")
        return gr.skip()
    return picked(services, gid, pid, view_mode, services.selection.accept_system_pick(gid, why, feedback))


@user_errors
def on_final(services, pid, gid, view_mode, clear=False):
    if pid is None or (gid is None and not clear):
        gr.Warning("Pick a generation group first.")
        return gr.skip()
    if clear:
        services.history.set_final(pid, None)
        gr.Info("The project has no final version now.")
    else:
        result = services.history.set_final_to_pick(pid, gid)
        gr.Info(f"{result.final.label} is the project's final version.")
    return show_group(services, gid, pid, view_mode, prompts=False)


# ------------------------------------------------------------ iterating
@user_errors
def on_regenerate(services, gid, motion, negative, n):
    if gid is None:
        gr.Warning("Pick a generation group first.")
        return gr.skip()
    view = services.attempts.regenerate(gid, motion, negative, int(n))
    gr.Info(f"Iteration {view.iteration_index} started as group {view.id}.")
    return gr.Tabs(selected="attempts")


@user_errors
def on_reroll(services, gid, selected):
    if gid is None or not selected:
        gr.Warning("Tick the attempts to re-roll first.")
        return gr.skip()
    view = services.history.rerun_attempts(gid, selected)
    gr.Info(f"Iteration {view.iteration_index} (group {view.id}): {len(view.job_ids)} attempt(s) "
            "re-rolled, the others carried over.")
    return gr.Tabs(selected="attempts")


@user_errors
def on_hero(services, pid, prompt):
    project = services.projects.get(pid)
    started = services.hero_frames.generate(pid, prompt, 4, project.aspect_ratio)
    gr.Info(f"Hero frames queued (job #{started['job_id']}): pick one as hero, then generate attempts.")
    return gr.Tabs(selected="hero")


@user_errors
def on_suggest(services, gid):
    if gid is None:
        gr.Warning("Pick a generation group first.")
        return gr.skip()
    result = services.history.suggest(gid)
    return result, suggestion_html(result)


def on_apply(result):
    if not result or not result.get("changes"):
        gr.Warning("There is no suggestion to apply: press 'Suggest improvements' first.")
        return gr.skip(), gr.skip(), gr.skip()
    gr.Info("Applied to the motion and negative prompts: regenerate when ready.")
    return result["proposed"]["motion_prompt"], result["proposed"]["negative_prompt"], gr.Accordion(open=True)
