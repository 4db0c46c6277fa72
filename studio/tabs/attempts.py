"""Tab 2 · Attempts: the hero frame + a camera move → N image-to-video attempts, rendered and scored in the queue.
Shows the live queue and the latest group's attempts (video, progress, score breakdown, the system pick)."""
from types import SimpleNamespace
from typing import NamedTuple

import gradio as gr

from pipeline.services.attempts import MAX_ATTEMPTS, MAX_DURATION, MIN_DURATION
from pipeline.services.motion_presets import DEFAULT_NEGATIVE_PROMPT, MOTION_PRESETS
from studio.components import bind, current_tab, poll, private, quick, user_errors
from studio.components.html import attempt_card_html, engine_note_html, group_header_html, jobs_table_html


class AttemptsForm(NamedTuple):
    """The form other tabs may fill (the Library's "Edit in the Attempts tab")."""
    hero_img: gr.Image
    hero_info: gr.Markdown
    motion: gr.Textbox
    negative: gr.Textbox
    count: gr.Slider
    duration: gr.Slider
    engine: gr.Dropdown


POLL_SECONDS = 1.0
COLUMNS = 3
RESET = "?"  # differs from every path and from None: forces a slot to be re-sent
RESET_SHOWN = [[RESET, RESET]] * MAX_ATTEMPTS


def build(services, project_id, tabs):
    tab = current_tab()
    ui = layout()
    wire(services, ui, project_id, tab)
    return AttemptsForm(ui.hero_img, ui.hero_info, ui.motion, ui.negative, ui.count, ui.duration, ui.engine)


# ------------------------------------------------------------ layout
def layout() -> SimpleNamespace:
    """Create the tab's components (inside the open gr.Tab) and return them by name."""
    group_id = gr.State(None)  # the group shown below (the project's latest)
    shown = gr.State(RESET_SHOWN)  # [video, still] per slot as last sent to the browser
    timer = gr.Timer(POLL_SECONDS, active=False)

    with gr.Row():
        with gr.Column(scale=2):
            hero_img = gr.Image(label="Hero frame", type="filepath", interactive=False, height=300,
                                buttons=["fullscreen"])
            hero_info = gr.Markdown("No hero frame yet: pick one in **1 · Hero frames** → *Use as hero*.")
        with gr.Column(scale=3):
            motion = gr.Textbox(label="Motion prompt (the camera move)", lines=2,
                                placeholder="slow push in toward the subject, smooth and steady")
            preset = gr.Dropdown(list(MOTION_PRESETS), value=None, label="Motion presets",
                                 info="Fills the motion prompt; edit it after.")
            negative = gr.Textbox(label="Negative prompt", value=DEFAULT_NEGATIVE_PROMPT, lines=1,
                                  info="Recommended default: edit or clear it.")
            with gr.Row():
                count = gr.Slider(1, MAX_ATTEMPTS, value=3, step=1, label="Attempts")
                duration = gr.Slider(MIN_DURATION, MAX_DURATION, value=5, step=0.5, label="Length (seconds)")
                engine = gr.Dropdown([], label="Video engine", min_width=240)
            engine_note = gr.HTML(padding=False)
            generate_btn = gr.Button("Generate attempts", variant="primary")
    with gr.Accordion("Queue (live)", open=True):
        queue_html = gr.HTML(padding=False)
        with gr.Row(elem_classes="bottom-row"):
            cancel_id = gr.Textbox(label="Job id to cancel", placeholder="e.g. 12", max_lines=1, scale=1)
            cancel_job_btn = gr.Button("Cancel job", size="sm", scale=1)
            cancel_group_btn = gr.Button("Cancel this group", size="sm", variant="stop", scale=1)
            gr.HTML(scale=3)
    group_head = gr.HTML(group_header_html(None))
    slots = []
    for row_start in range(0, MAX_ATTEMPTS, COLUMNS):
        with gr.Row(equal_height=False):
            for _ in range(row_start, row_start + COLUMNS):
                with gr.Column(visible=False, min_width=240) as col:
                    still = gr.Image(type="filepath", interactive=False, show_label=False, height=220,
                                     buttons=[], visible=False)
                    video = gr.Video(interactive=False, show_label=False, height=220, loop=True, visible=False)
                    card = gr.HTML(padding=False)
                slots.append((col, still, video, card))
    slot_outputs = [c for slot in slots for c in slot]
    return SimpleNamespace(**locals())


# ------------------------------------------------------------ wiring
def wire(services, ui, project_id, tab) -> None:
    """Connect the tab's events to the handlers below."""
    live_outputs = [ui.queue_html, ui.group_head, *ui.slot_outputs, ui.shown, ui.group_id, ui.timer]
    refresh_outputs = [ui.hero_img, ui.hero_info, ui.engine, ui.motion, ui.negative, *live_outputs]
    project_id.change(lambda pid: refresh(services, pid, RESET_SHOWN, True), project_id, refresh_outputs, **private)
    if tab is not None:
        tab.select(bind(refresh, services), [project_id, ui.shown], refresh_outputs, **private)

    engine_note = bind(on_engine, services)
    engine_inputs = [ui.engine, ui.count, ui.duration, project_id, ui.motion]
    for control in (ui.engine, ui.count, ui.duration):
        control.change(engine_note, engine_inputs, ui.engine_note, **quick)
    ui.motion.blur(engine_note, engine_inputs, ui.engine_note, **quick)
    ui.preset.input(lambda name: MOTION_PRESETS.get(name, gr.skip()), ui.preset, ui.motion, **private)
    ui.generate_btn.click(bind(on_generate, services), [project_id, ui.motion, ui.negative, ui.count, ui.duration,
                                                        ui.engine, ui.shown], live_outputs, **private)
    ui.timer.tick(bind(on_poll, services), [project_id, ui.shown], live_outputs, **poll)
    ui.cancel_job_btn.click(bind(on_cancel_job, services), [project_id, ui.cancel_id, ui.shown], live_outputs,
                            **quick)
    ui.cancel_group_btn.click(bind(on_cancel_group, services), [project_id, ui.group_id, ui.shown], live_outputs,
                              **quick)


# ------------------------------------------------------------ readers
def slot_updates(group, hero_image, shown_before):
    """Per slot: column, still (poster or hero while there is no video), video, card; plus what is shown now.
    Unchanged stills and videos are skipped, so a poll never reloads a playing video."""
    attempts = (group.attempts if group else [])
    out, now = [], []
    for i in range(MAX_ATTEMPTS):
        a = attempts[i] if i < len(attempts) else None
        before_video, before_still = shown_before[i] if i < len(shown_before or []) else (RESET, RESET)
        if a is None:  # an empty slot keeps its place in a row that shows attempts (a fixed grid)
            row_used = len(attempts) > (i // COLUMNS) * COLUMNS
            out += [gr.Column(visible="hidden" if row_used else False), gr.skip(), gr.skip(), ""]
            now.append([before_video, before_still])
            continue
        path = a.video if a.status in ("scoring", "done") else None
        still = None if path else (a.poster or hero_image)
        out += [gr.Column(visible=True),
                gr.skip() if still == before_still else gr.Image(value=still, visible=still is not None),
                gr.skip() if path == before_video else gr.Video(value=path, visible=path is not None),
                attempt_card_html(a, group)]
        now.append([path, still])
    return out, now


def live(services, pid, shown_before, hero_image=None):
    """queue, group header, slots, shown paths, group id, timer."""
    if hero_image is None:
        hero_image = hero_view(services, pid)[0]
    gid = services.attempts.latest_group_id(pid)
    group = services.attempts.group(gid) if gid is not None else None
    updates, now = slot_updates(group, hero_image, shown_before)
    busy = bool(services.jobs.unfinished(pid))
    return (jobs_table_html(services.jobs.active(pid)), group_header_html(group), *updates, now, gid,
            gr.Timer(active=busy))


@user_errors
def refresh(services, pid, shown_before, reset=False):
    if pid is None:
        return gr.skip()
    image, info = hero_view(services, pid)
    choices = [(e["label"], e["name"]) for e in services.attempts.engines()]
    default = services.settings.video_engine
    names = [name for _, name in choices]
    prompts = [gr.skip(), gr.skip()]
    gid = services.attempts.latest_group_id(pid) if reset else None
    if reset:  # a new project (or a reload) starts from the project's last camera move
        last = services.attempts.group(gid) if gid is not None else None
        prompts = [last.motion_prompt if last else "",
                   last.negative_prompt if last else DEFAULT_NEGATIVE_PROMPT]
    return (image, info, gr.Dropdown(choices=choices, value=default if default in names else
                                     (names[0] if names else None)),
            *prompts, *live(services, pid, shown_before, image))


# ------------------------------------------------------------ actions
@user_errors
def on_generate(services, pid, motion_text, negative_text, n, seconds, engine_name, shown_before):
    view = services.attempts.start_group(pid, motion_text, negative_text, int(n), None, float(seconds),
                                         engine_name or None)
    gr.Info(f"Group {view.id}: {len(view.job_ids)} attempts queued.")
    return live(services, pid, shown_before)


@user_errors
def on_poll(services, pid, shown_before):
    if pid is None:
        return gr.skip()
    return live(services, pid, shown_before)


@user_errors
def on_cancel_job(services, pid, jid, shown_before):
    jid = (jid or "").strip().lstrip("#")
    if not jid.isdigit():
        gr.Warning("Type the id of the job to cancel (the number in the 'job' column).")
        return gr.skip()
    job = services.jobs.cancel(int(jid))
    gr.Info(f"Job #{job.id}: {job.step or job.status}")
    return live(services, pid, shown_before)


@user_errors
def on_cancel_group(services, pid, gid, shown_before):
    if gid is None:
        gr.Warning("There is no group to cancel.")
        return gr.skip()
    services.attempts.cancel_group(gid)
    return live(services, pid, shown_before)


@user_errors
def on_engine(services, engine_name, n, seconds, pid, motion_text):
    details = services.attempts.engine_details(engine_name or None, int(n), float(seconds),
                                               project_id=pid, motion_prompt=motion_text or "")
    return engine_note_html(details["engine"], details["estimate"], details.get("video_prompt", ""))


def hero_view(services, pid):
    """(image path, caption) of the project's selected hero frame."""
    frame_id = services.projects.get(pid).selected_hero_frame_id
    if frame_id is None:
        return None, "No hero frame yet: pick one in **1 · Hero frames** → *Use as hero*."
    frame = services.hero_frames.get(frame_id)
    prompt = frame.enhanced_prompt or frame.prompt or "uploaded photo"
    return frame.image, f"**Frame #{frame.id}** · {frame.width}×{frame.height} · {prompt[:160]}"
