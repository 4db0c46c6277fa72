"""Tab · Ad composer: one prompt → an editable storyboard (AIDA, PAS or BAB) → a finished ad; and a one-click
product video from a single photo. The plan, its generation job and the result are read back from the database
(pipeline/services/ads.py) on every refresh; this file only lays out the cards and forwards the clicks."""
from types import SimpleNamespace

import gradio as gr

from pipeline.ads.frameworks import FRAMEWORKS
from pipeline.ads.plan import (
    AD_ASPECT_RATIOS,
    GRADES,
    MAX_SCENES,
    MUSIC_MOODS,
    TRANSITIONS,
)
from pipeline.errors import StudioError
from studio.components import bind, current_tab, poll, private, quick, user_errors
from studio.components.html import esc, job_finished, job_html
from studio.components.storyboard import (
    CSS,
    cost_html,
    plan_summary_html,
    scene_header,
    steps_html,
)

POLL_SECONDS = 1.0
AUTO = "auto"
SCENE_FIELDS = ("type", "duration", "transition", "visual_prompt", "motion_prompt", "text_overlay")
PLAN_FIELDS = ("product", "brand_name", "brand_colours", "style_keywords", "brand_mood", "call_to_action",
               "music_mood", "grade", "setting")
EXAMPLES = ["Create a luxury watch ad", "Tired of tangled cables? A wireless charger ad",
            "Transform your mornings with our smart fitness app", "An eco-friendly bamboo toothbrush commercial"]
#: How many outputs the storyboard has (summary, board, brand box, plan fields, switch, scene cards, cost).
SLOT_OUTPUT_COUNT = MAX_SCENES * (2 + len(SCENE_FIELDS))
BOARD_OUTPUT_COUNT = 3 + len(PLAN_FIELDS) + 1 + SLOT_OUTPUT_COUNT + 1
WATCH_OUTPUT_COUNT = 7


def build(services, project_id, tabs):
    tab = current_tab()
    ui = layout()
    wire(services, ui, project_id, tabs, tab)


# ------------------------------------------------------------ layout
def layout() -> SimpleNamespace:
    """Create the tab's components (inside the open gr.Tab) and return them by name."""
    plan_id = gr.State(None)  # the storyboard shown
    watch_id = gr.State(None)  # the plan (ad or product video) whose job is followed
    timer = gr.Timer(POLL_SECONDS, active=False)
    gr.HTML(f"<style>{CSS}</style>", padding=False)

    with gr.Row():
        with gr.Column(scale=3):
            prompt = gr.Textbox(label="What is the ad about? (10–500 characters)", lines=2, max_lines=6,
                                placeholder="Create a luxury watch ad", elem_id="ad-prompt")
            gr.Examples(EXAMPLES, prompt, label="Try")
        with gr.Column(scale=2):
            with gr.Row():
                duration = gr.Radio([15, 30, 60], value=15, label="Length (s)")
                ratio = gr.Radio(list(AD_ASPECT_RATIOS), value="9:16", label="Aspect ratio")
            framework = gr.Dropdown([AUTO, *FRAMEWORKS], value=AUTO, label="Framework",
                                    info="auto: problem wording → PAS, aspiration → BAB, otherwise AIDA")
            plan_btn = gr.Button("Plan the ad", variant="primary", elem_id="ad-plan-btn")
    summary = gr.HTML(plan_summary_html(None), elem_id="ad-summary")
    ui = SimpleNamespace(**locals())
    for part in (_brand_layout(), _storyboard_layout(), _result_layout(), _product_video_layout()):
        vars(ui).update(vars(part))
    ui.plan_inputs = [ui.product, ui.brand_name, ui.brand_colours, ui.style_keywords, ui.brand_mood, ui.cta,
                      ui.music_mood, ui.grade, ui.setting]
    ui.slot_inputs = [ui.slots[i][f] for i in range(MAX_SCENES) for f in SCENE_FIELDS]
    ui.slot_outputs = [ui.slots[i][f] for i in range(MAX_SCENES) for f in ("card", "header", *SCENE_FIELDS)]
    ui.board_outputs = [ui.summary, ui.board, ui.brand_box, *ui.plan_inputs, ui.switch_dd, *ui.slot_outputs, ui.cost]
    ui.watch_outputs = [ui.job_box, ui.steps, ui.cancel_btn, ui.timer, ui.result_row, ui.result, ui.result_note]
    assert len(ui.board_outputs) == BOARD_OUTPUT_COUNT and len(ui.watch_outputs) == WATCH_OUTPUT_COUNT
    return ui


def _brand_layout() -> SimpleNamespace:
    with gr.Accordion("Brand & plan", open=False) as brand_box:
        with gr.Row():
            product = gr.Textbox(label="Product", scale=3)
            brand_name = gr.Textbox(label="Brand name", scale=2)
            brand_colours = gr.Textbox(label="Brand colours (2–4 hex)", scale=2, placeholder="#0B1F3A, #D4AF37")
        with gr.Row():
            style_keywords = gr.Textbox(label="Style keywords (comma-separated)", scale=3)
            brand_mood = gr.Textbox(label="Brand mood", scale=2)
            cta = gr.Textbox(label="Call to action", scale=2)
        with gr.Row():
            music_mood = gr.Dropdown(list(MUSIC_MOODS), label="Music mood")
            grade = gr.Dropdown(list(GRADES), label="Colour grade")
            setting = gr.Textbox(label="Shared setting (every scene)", scale=2)
    return SimpleNamespace(**locals())


def _storyboard_layout() -> SimpleNamespace:
    with gr.Column(visible=False) as board:
        with gr.Row(elem_classes="bottom-row"):
            gr.Markdown("### Storyboard — edit any card; durations always add up to the ad's length")
            switch_dd = gr.Dropdown(list(FRAMEWORKS), label="Switch framework", scale=0, min_width=160)
            switch_btn = gr.Button("Switch", size="sm", scale=0, min_width=80)
        slots = [_scene_card() for _ in range(MAX_SCENES)]
        with gr.Row():
            add_btn = gr.Button("+ Add scene", size="sm")
            save_btn = gr.Button("Save storyboard", size="sm", elem_id="ad-save-btn")
        with gr.Row(elem_classes="bottom-row"):
            attempts = gr.Slider(1, 4, value=2, step=1, label="Attempts per scene", scale=2)
            cost = gr.HTML(padding=False, elem_id="ad-cost")
            generate_btn = gr.Button("Approve & generate ad", variant="primary", scale=1, elem_id="ad-generate-btn")
    return SimpleNamespace(**locals())


def _scene_card() -> dict:
    """One storyboard card (hidden until the plan has that many scenes): its components by field name."""
    with gr.Group(visible=False, elem_classes="scene-card") as card:
        with gr.Row(equal_height=True):
            header = gr.HTML(padding=True, scale=8)
            up = gr.Button("↑", size="sm", min_width=44, scale=0)
            down = gr.Button("↓", size="sm", min_width=44, scale=0)
            remove = gr.Button("✕", size="sm", variant="stop", min_width=44, scale=0)
        with gr.Row(elem_classes="bottom-row"):
            kind = gr.Dropdown([], label="Type", min_width=120)
            seconds = gr.Number(label="Duration (s)", minimum=1.5, step=0.1, min_width=100)
            transition = gr.Dropdown(list(TRANSITIONS), label="Transition in", min_width=120)
        with gr.Row():
            visual = gr.Textbox(label="Visual prompt (hero frame)", lines=2, scale=3)
            motion = gr.Textbox(label="Motion prompt (camera move)", lines=2, scale=2)
            overlay = gr.Textbox(label="Text overlay", lines=2, scale=2)
    return {"card": card, "header": header, "type": kind, "duration": seconds,
            "transition": transition, "visual_prompt": visual, "motion_prompt": motion,
            "text_overlay": overlay, "up": up, "down": down, "remove": remove}


def _result_layout() -> SimpleNamespace:
    with gr.Row(equal_height=True):
        job_box = gr.HTML(padding=False, scale=4, elem_id="ad-job")
        cancel_btn = gr.Button("Cancel", size="sm", variant="stop", visible=False, scale=1)
    steps = gr.HTML(padding=False, elem_id="ad-steps")
    with gr.Row(visible=False) as result_row:
        result = gr.Video(label="Result (ad or product video)", interactive=False, height=420, elem_id="ad-result")
        with gr.Column():
            result_note = gr.HTML()
            open_ws = gr.Button("Open in workspace →", size="sm")
            open_tl = gr.Button("Open in timeline →", variant="primary", size="sm")
    return SimpleNamespace(**locals())


def _product_video_layout() -> SimpleNamespace:
    with gr.Accordion("One-click product video (a single product photo → 10 s orbit video)",
                      elem_id="product-video", open=True), gr.Row():
        photo = gr.File(label="Product photo", file_types=[".jpg", ".jpeg", ".png", ".webp"], type="filepath",
                        height=140)
        with gr.Column():
            pv_title = gr.Textbox(label="Title (shown as an overlay)", placeholder="Azure Eau de Parfum")
            pv_description = gr.Textbox(label="Description", lines=2)
        with gr.Column():
            pv_duration = gr.Slider(2, 10, value=10, step=0.5, label="Length (s)")
            pv_ratio = gr.Radio(list(AD_ASPECT_RATIOS), value="1:1", label="Aspect ratio")
            pv_attempts = gr.Slider(1, 4, value=2, step=1, label="Attempts")
            pv_overlay = gr.Checkbox(value=True, label="Title overlay")
            pv_btn = gr.Button("Make product video", variant="primary")
    return SimpleNamespace(**locals())


# ------------------------------------------------------------ wiring
def wire(services, ui, project_id, tabs, tab) -> None:
    """Connect the tab's events to the handlers below."""
    action_inputs = [ui.plan_id, ui.attempts, *ui.plan_inputs, *ui.slot_inputs]
    board_outputs = ui.board_outputs
    plan = bind(on_plan, services)
    plan_inputs = [ui.prompt, ui.duration, ui.ratio, ui.framework, ui.attempts]
    ui.plan_btn.click(plan, plan_inputs, [ui.plan_id, *board_outputs], **private)
    ui.prompt.submit(plan, plan_inputs, [ui.plan_id, *board_outputs], **private)
    ui.save_btn.click(storyboard_action(services, None), action_inputs, board_outputs, **private)
    ui.add_btn.click(storyboard_action(services, "add_scene"), action_inputs, board_outputs, **private)
    for i, slot in enumerate(ui.slots):
        slot["up"].click(storyboard_action(services, "move_up", i), action_inputs, board_outputs, **private)
        slot["down"].click(storyboard_action(services, "move_down", i), action_inputs, board_outputs, **private)
        slot["remove"].click(storyboard_action(services, "remove_scene", i), action_inputs, board_outputs,
                             **private)
        slot["duration"].submit(storyboard_action(services, None), action_inputs, board_outputs, **private)
    ui.switch_btn.click(bind(on_switch, services), [ui.plan_id, ui.attempts, ui.switch_dd, *ui.plan_inputs,
                                                    *ui.slot_inputs], board_outputs, **private)
    ui.duration.input(plan_setting(services, "duration"),
                      [ui.plan_id, ui.duration, ui.attempts, *ui.plan_inputs, *ui.slot_inputs], board_outputs,
                      **private)
    ui.ratio.input(plan_setting(services, "aspect_ratio"),
                   [ui.plan_id, ui.ratio, ui.attempts, *ui.plan_inputs, *ui.slot_inputs], board_outputs, **private)
    ui.attempts.release(bind(on_attempts, services), [ui.plan_id, ui.attempts], ui.cost, **private)

    ui.generate_btn.click(bind(on_generate, services), action_inputs,
                          [ui.watch_id, project_id, *ui.watch_outputs, *board_outputs], **private)
    ui.timer.tick(bind(on_poll, services), ui.watch_id, ui.watch_outputs, **poll)
    ui.cancel_btn.click(bind(on_cancel, services), ui.watch_id, ui.job_box, **quick)
    ui.pv_btn.click(bind(on_product, services),
                    [ui.photo, ui.pv_title, ui.pv_description, ui.pv_duration, ui.pv_ratio, ui.pv_attempts,
                     ui.pv_overlay], [ui.watch_id, project_id, *ui.watch_outputs], **private)

    ui.open_ws.click(opener(services, "workspace"), ui.watch_id, [project_id, tabs], **private)
    ui.open_tl.click(opener(services, "timeline"), ui.watch_id, [project_id, tabs], **private)
    if tab is not None:
        tab.select(bind(on_show, services), [ui.plan_id, ui.watch_id, ui.attempts],
                   [ui.plan_id, ui.watch_id, *board_outputs, *ui.watch_outputs], **private)


# ------------------------------------------------------------ readers
def board_updates(services, view, n_attempts=2):
    """Everything the storyboard shows for a plan view (a draft, or a generated ad's plan)."""
    if not view or view.get("kind") != "ad":
        return [plan_summary_html(view), gr.Column(visible=False), gr.skip(), *[gr.skip()] * len(PLAN_FIELDS),
                gr.skip(), *[gr.skip()] * SLOT_OUTPUT_COUNT, ""]
    plan = view["plan"]
    brand = plan["brand"]
    types = list(FRAMEWORKS[plan["framework"]].keys)
    out = [plan_summary_html(view), gr.Column(visible=True), gr.skip(),
           plan["product"], brand["name"], ", ".join(brand["colours"]), ", ".join(brand["style_keywords"]),
           brand["mood"], plan["call_to_action"], plan["music_mood"], plan["grade"], plan.get("setting", ""),
           gr.Dropdown(value=plan["framework"])]
    for i in range(MAX_SCENES):
        if i < len(plan["scenes"]):
            s = plan["scenes"][i]
            out += [gr.Group(visible=True), scene_header(plan, i), gr.Dropdown(choices=types, value=s["type"]),
                    s["duration"], s["transition"], s["visual_prompt"], s["motion_prompt"], s["text_overlay"]]
        else:
            out += [gr.Group(visible=False), "", gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(),
                    gr.skip()]
    out.append(cost_html(services.ads.estimate_cost(view["id"], int(n_attempts or 2)), view.get("cost_usd")))
    return out


def watch_updates(view):
    """The job card, steps, cancel button, timer and result for the plan being generated."""
    job = (view or {}).get("job")
    running = job is not None and not job_finished(job)
    res = (view or {}).get("result") or None
    note = ""
    if res:
        note = (f"<div><b>{res['duration']:.2f} s</b> · {res['width']}×{res['height']} · timeline version "
                f"{res['timeline_version']} · project #{view['project_id']}</div>"
                + "".join(f"<div class='ad-note'>Note: {esc(n)}</div>" for n in view.get("notes", [])))
    title = "Product video" if (view or {}).get("kind") == "product_video" else "Ad"
    return [job_html(job, title), steps_html(view), gr.Button(visible=running), gr.Timer(active=running),
            gr.Row(visible=bool(res)), res["file"] if res else None, note]


def collect(values):
    """(plan fields dict, scene dicts) from the storyboard's inputs."""
    head, rest = values[:len(PLAN_FIELDS)], values[len(PLAN_FIELDS):]
    fields = dict(zip(PLAN_FIELDS, head))
    scenes = [dict(zip(SCENE_FIELDS, rest[i * len(SCENE_FIELDS):(i + 1) * len(SCENE_FIELDS)]))
              for i in range(MAX_SCENES)]
    return fields, scenes


def save(services, pid, values):
    """Store what the cards show (a no-op when nothing changed)."""
    ads = services.ads
    view = ads.get(pid)
    plan = view["plan"]
    fields, scenes = collect(values)
    scenes = scenes[:len(plan["scenes"])]
    for number, scene in enumerate(scenes, start=1):
        scene["number"] = number
        scene["duration"] = float(scene["duration"] or 0)
    data = {"product": fields["product"], "call_to_action": fields["call_to_action"],
            "music_mood": fields["music_mood"], "grade": fields["grade"], "setting": fields["setting"] or "",
            "brand": {"name": fields["brand_name"], "colours": fields["brand_colours"],
                      "style_keywords": fields["style_keywords"], "mood": fields["brand_mood"]},
            "scenes": scenes}
    if view["status"] == "generating":
        return view
    return ads.update_storyboard(pid, "replace", plan_data=data)


def need(pid):
    if pid is None:
        raise StudioError("Plan an ad first: write what it is about and click 'Plan the ad'.")
    return pid


# ------------------------------------------------------------ planning and editing
@user_errors
def on_plan(services, text, length, shape, fw, n_attempts):
    view = services.ads.plan(text, int(length), shape, None if fw == AUTO else fw)
    gr.Info(f"Planned a {view['plan']['framework']} ad in {len(view['plan']['scenes'])} scenes. Edit the cards, "
            "then approve.")
    return [view["id"], *board_updates(services, view, n_attempts)]


def storyboard_action(services, operation, slot=None, **fixed):
    ads = services.ads

    @user_errors
    def handler(pid, n_attempts, *values):
        pid = need(pid)
        view = save(services, pid, values)
        arguments = dict(fixed)
        if slot is not None:
            arguments["number"] = slot + 1
        if operation == "move_up":
            view = ads.update_storyboard(pid, "move_scene", number=slot + 1, to=max(1, slot))
        elif operation == "move_down":
            count = len(view["plan"]["scenes"])
            view = ads.update_storyboard(pid, "move_scene", number=slot + 1, to=min(count, slot + 2))
        elif operation:
            view = ads.update_storyboard(pid, operation, **arguments)
        return board_updates(services, view, n_attempts)

    return handler


@user_errors
def on_switch(services, pid, n_attempts, fw, *values):
    pid = need(pid)
    save(services, pid, values)
    return board_updates(services, services.ads.update_storyboard(pid, "switch_framework", framework=fw),
                         n_attempts)


def plan_setting(services, field):
    """Changing the length or the shape of a planned ad updates its storyboard (scenes scale to the length)."""
    ads = services.ads

    @user_errors
    def handler(pid, value, n_attempts, *values):
        if pid is None or ads.get(pid)["status"] == "generating":
            return [gr.skip()] * BOARD_OUTPUT_COUNT
        save(services, pid, values)
        return board_updates(services, ads.update_storyboard(pid, "update_plan", **{field: value}), n_attempts)

    return handler


@user_errors
def on_attempts(services, pid, n_attempts):
    if pid is None:
        return gr.skip()
    view = services.ads.get(pid)
    return cost_html(services.ads.estimate_cost(pid, int(n_attempts)), view.get("cost_usd"))


# ------------------------------------------------------------ generation
@user_errors
def on_generate(services, pid, n_attempts, *values):
    ads = services.ads
    pid = need(pid)
    save(services, pid, values)
    started = ads.generate(pid, int(n_attempts))
    name = services.projects.get(started["project_id"]).name
    gr.Info(f"The ad gets its own project, '{name}': the studio switched to it (your previous project is "
            f"unchanged and in the project list). Generating as job #{started['job_id']}.")
    view = ads.get(pid)
    return [pid, started["project_id"], *watch_updates(view), *board_updates(services, view, n_attempts)]


@user_errors
def on_poll(services, wid):
    if wid is None:
        return [gr.skip()] * WATCH_OUTPUT_COUNT
    return watch_updates(services.ads.get(wid))


@user_errors
def on_cancel(services, wid):
    if wid is None:
        return gr.skip()
    return job_html(services.ads.cancel(wid)["job"], "Ad")


@user_errors
def on_product(services, file, title, description, length, shape, n_attempts, with_title):
    if not file:
        raise StudioError("Choose a product photo (JPEG, PNG or WebP).")
    started = services.ads.product_video(None, file, title, description, float(length), shape, int(n_attempts),
                                         bool(with_title))
    name = services.projects.get(started["project_id"]).name
    gr.Info(f"Making the product video in project '{name}', now the current project (job "
            f"#{started['job_id']}).")
    return [started["plan_id"], started["project_id"], *watch_updates(services.ads.get(started["plan_id"]))]


# ------------------------------------------------------------ opening the result elsewhere
def opener(services, target):
    @user_errors
    def handler(wid):
        if wid is None:
            raise StudioError("Generate an ad or a product video first.")
        view = services.ads.get(wid)
        if view["project_id"] is None:
            raise StudioError("This plan has no project yet.")
        return view["project_id"], gr.Tabs(selected=target)

    return handler


# ------------------------------------------------------------ refresh from the database
@user_errors
def on_show(services, pid, wid, n_attempts):
    ads = services.ads
    view = ads.get(pid) if pid is not None else ads.latest()
    watched = ads.get(wid) if wid is not None else None
    if watched is None:
        recent = ads.list(kind=None, limit=1)
        watched = ads.get(recent[0]["id"]) if recent and recent[0]["job_id"] else None
    return [view["id"] if view else None, watched["id"] if watched else None,
            *board_updates(services, view, n_attempts), *watch_updates(watched)]
