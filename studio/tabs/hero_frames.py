"""Tab 1 · Hero frames: prompt → (enhance) → candidates; inspect, favourite, use as hero, regenerate, mutate;
upload a photo and enhance it. Frames and jobs are read back from the database on every refresh."""
from types import SimpleNamespace

import gradio as gr

from pipeline.engines import registry
from pipeline.engines.interfaces import ASPECT_RATIOS
from pipeline.errors import StudioError
from studio.components import bind, current_tab, poll, private, quick, user_errors
from studio.components.html import (
    additions_html,
    badge,
    frame_caption,
    frame_details_html,
    job_finished,
    job_html,
)

POLL_SECONDS = 1.0
PHOTO_TYPES = [".jpg", ".jpeg", ".png", ".webp"]
KEEP_FRAMING = "keep framing"
#: The choice of how attempts bring a photo to the project's aspect ratio (HeroFrameService.set_fit_mode).
FIT_CHOICES = {"crop around the subject": "crop", "extend it with a soft backdrop": "extend"}


def build(services, project_id, tabs):
    tab = current_tab()
    ui = layout()
    wire(services, ui, project_id, tabs, tab)


# ------------------------------------------------------------ layout
def layout() -> SimpleNamespace:
    """Create the tab's components (inside the open gr.Tab) and return them by name."""
    frame_ids = gr.State([])  # gallery index → frame id, as last shown
    selected = gr.State(None)  # the selected frame id
    job_id = gr.State(None)  # the generation job being watched
    use_enhanced = gr.State(False)
    timer = gr.Timer(POLL_SECONDS, active=False)

    with gr.Row():
        with gr.Column(scale=3):
            prompt = gr.Textbox(label="Prompt", lines=3, max_lines=8,
                                placeholder="A perfume bottle on wet black rocks at dawn, mist, ocean behind")
            with gr.Row(equal_height=True):
                enhance_btn = gr.Button("Enhance prompt", size="sm", scale=1)
                prompt_status = gr.Markdown("Generating with **your prompt**.", container=False)
            with gr.Group(visible=False) as enhance_panel:
                with gr.Row():
                    original_box = gr.Textbox(label="Original", lines=4, interactive=False)
                    enhanced_box = gr.Textbox(label="Enhanced", lines=4, interactive=False)
                additions = gr.HTML(padding=True)
                with gr.Row():
                    accept_btn = gr.Button("Accept (use enhanced)", variant="primary", size="sm")
                    edit_btn = gr.Button("Edit enhanced", size="sm")
                    revert_btn = gr.Button("Revert to original", size="sm")
        with gr.Column(scale=2):
            count = gr.Slider(4, 8, value=4, step=1, label="Candidates")
            ratio = gr.Radio(list(ASPECT_RATIOS), value="16:9", label="Aspect ratio")
            seed = gr.Textbox(label="Seed", placeholder="blank = random", max_lines=1)
            frame_engine = gr.Dropdown([], label="Frame engine", info="Cloud engines appear once their key is set.")
            generate_btn = gr.Button("Generate hero frames", variant="primary")
            engine_note = gr.HTML(padding=False)
            with gr.Row(equal_height=True):
                job_box = gr.HTML(padding=False, scale=4)
                cancel_btn = gr.Button("Cancel", size="sm", variant="stop", visible=False, scale=1)
    gallery = gr.Gallery(label="Hero frames (newest first) — click one to inspect it", columns=4, height=430,
                         elem_id="hero-gallery",
                         allow_preview=True, object_fit="contain", buttons=["download", "fullscreen"])
    with gr.Row():
        details = gr.HTML(frame_details_html(None), padding=True)
        with gr.Column():
            with gr.Row():
                fav_btn = gr.Button("☆ Favourite", size="sm")
                hero_btn = gr.Button("Use as hero →", variant="primary", size="sm")
            regen_btn = gr.Button("Regenerate (same prompt, new seeds)", size="sm")
            with gr.Row(elem_classes="bottom-row"):
                mutate_box = gr.Textbox(label="Mutate: prompt change (optional)", scale=3,
                                        placeholder="e.g. golden hour light, closer framing")
                mutate_btn = gr.Button("Mutate", size="sm", scale=1)
            with gr.Row(elem_classes="bottom-row"):
                crop_to = gr.Dropdown([KEEP_FRAMING, *ASPECT_RATIOS], value=KEEP_FRAMING, label="Crop to", scale=3)
                enhance_photo_btn = gr.Button("Enhance photo", size="sm", scale=1)
            fit_mode = gr.Radio(list(FIT_CHOICES), value=next(iter(FIT_CHOICES)), label="When the photo's shape "
                                "differs from the project's, attempts…", elem_id="fit-mode")
    with gr.Accordion("Upload a photo (JPEG, PNG or WebP)", open=False):
        with gr.Row():
            upload = gr.File(label="Photo", file_types=PHOTO_TYPES, type="filepath", height=140)
            with gr.Column():
                upload_enhance = gr.Checkbox(value=True, label="Enhance it: white balance, exposure, contrast, "
                                                                "sharpen, crop to the project's aspect ratio")
                upload_btn = gr.Button("Add to hero frames")
                product_btn = gr.Button("One-click product video from a photo →", size="sm")  # ad composer tab
    return SimpleNamespace(**locals())


# ------------------------------------------------------------ wiring
def wire(services, ui, project_id, tabs, tab) -> None:
    """Connect the tab's events to the handlers below."""
    refresh_outputs = [ui.gallery, ui.frame_ids, ui.selected, ui.details, ui.fav_btn, ui.job_id, ui.job_box, ui.timer,
                       ui.cancel_btn, ui.engine_note, ui.ratio, ui.frame_engine]
    project_id.change(user_errors(lambda pid: refresh(services, pid, None, True)), project_id, refresh_outputs,
                      **private)
    if tab is not None:
        tab.select(user_errors(lambda pid, fid: refresh(services, pid, fid, False)), [project_id, ui.selected],
                   refresh_outputs, **private)

    ui.enhance_btn.click(bind(on_enhance, services), [ui.prompt, ui.ratio],
                         [ui.enhance_panel, ui.original_box, ui.enhanced_box, ui.additions, ui.use_enhanced,
                          ui.prompt_status], **private)
    ui.accept_btn.click(on_accept, None, [ui.use_enhanced, ui.enhanced_box, ui.prompt_status], **private)
    ui.edit_btn.click(on_edit, None, [ui.use_enhanced, ui.enhanced_box, ui.prompt_status], **private)
    ui.revert_btn.click(on_revert, ui.original_box, [ui.use_enhanced, ui.enhance_panel, ui.prompt, ui.prompt_status],
                        **private)

    job_watch = [ui.job_box, ui.gallery, ui.frame_ids, ui.timer, ui.cancel_btn]
    ui.generate_btn.click(bind(on_generate, services), [project_id, ui.prompt, ui.use_enhanced, ui.enhanced_box,
                                                        ui.count, ui.ratio, ui.seed, ui.frame_engine, ui.frame_ids],
                          [ui.job_id, *job_watch], **private)
    ui.regen_btn.click(bind(on_regenerate, services), [project_id, ui.selected, ui.count, ui.frame_ids],
                       [ui.job_id, *job_watch], **private)
    ui.mutate_btn.click(bind(on_mutate, services), [project_id, ui.selected, ui.mutate_box, ui.count, ui.frame_ids],
                        [ui.job_id, *job_watch], **private)
    ui.timer.tick(bind(on_poll, services), [project_id, ui.job_id, ui.frame_ids], job_watch, **poll)
    ui.cancel_btn.click(bind(on_cancel, services), ui.job_id, ui.job_box, **quick)

    frame_panel_outputs = [ui.gallery, ui.frame_ids, ui.selected, ui.details, ui.fav_btn]
    ui.gallery.select(bind(on_select, services), [project_id, ui.frame_ids],
                      [ui.selected, ui.details, ui.fav_btn, ui.fit_mode], **private)
    ui.fav_btn.click(bind(on_favourite, services), [project_id, ui.selected, ui.frame_ids],
                     [ui.gallery, ui.frame_ids, ui.details, ui.fav_btn], **private)
    ui.hero_btn.click(bind(on_use_as_hero, services), [project_id, ui.selected], [tabs, ui.gallery, ui.frame_ids],
                      **private)
    ui.enhance_photo_btn.click(bind(on_enhance_photo, services), [project_id, ui.selected, ui.crop_to],
                               frame_panel_outputs, **private)
    ui.fit_mode.input(bind(on_fit_mode, services), [project_id, ui.selected, ui.fit_mode], [ui.details, ui.fav_btn],
                      **private)
    ui.upload_btn.click(bind(on_upload, services), [project_id, ui.upload, ui.upload_enhance],
                        [*frame_panel_outputs, ui.upload], **private)
    ui.product_btn.click(lambda: gr.Tabs(selected="ads"), None, tabs, **private)


# ------------------------------------------------------------ readers
def gallery_items(services, pid):
    frames = services.hero_frames.list(pid)
    hero = services.projects.get(pid).selected_hero_frame_id
    return [(f.image, frame_caption(f, f.id == hero)) for f in frames], [f.id for f in frames]


def frame_panel(services, pid, fid):
    """details HTML + favourite button for the selected frame."""
    if fid is None:
        return frame_details_html(None), gr.Button(value="☆ Favourite")
    frame = services.hero_frames.get(fid)
    is_hero = services.projects.get(pid).selected_hero_frame_id == fid
    return (frame_details_html(frame, is_hero),
            gr.Button(value="★ Unfavourite" if frame.is_favourite else "☆ Favourite"))


def job_outputs(services, pid, jid, known_ids):
    """job card, gallery (only when new frames arrived), frame ids, timer, cancel button."""
    job = services.jobs.get(jid) if jid is not None else None
    items, ids = gallery_items(services, pid)
    running = not job_finished(job)
    if job and job.status == "succeeded" and ids != known_ids:
        gr.Info(f"Hero frames ready: {len(job.result.get('hero_frame_ids', []))} candidates.")
    return (job_html(job, "Hero frames"), items if ids != known_ids else gr.skip(), ids,
            gr.Timer(active=running), gr.Button(visible=running))


def refresh(services, pid, fid, reset):
    if pid is None:
        return gr.skip()
    running = services.jobs.unfinished(pid, kind="hero_frames")
    jid = running[0].id if running else None
    items, ids = gallery_items(services, pid)
    fid = fid if fid in ids and not reset else None
    label = registry.create("frame", services.settings.frame_engine, services.settings).label
    choices = [(e["label"], e["name"]) for e in services.hero_frames.engines("frame")]
    job = running[0] if running else None
    return (items, ids, fid, *frame_panel(services, pid, fid), jid, job_html(job, "Hero frames"),
            gr.Timer(active=job is not None), gr.Button(visible=job is not None),
            badge(label, "engine-badge", "The engine that draws hero frames (setting: frame_engine)"),
            services.projects.get(pid).aspect_ratio if reset else gr.skip(),
            gr.Dropdown(choices=choices, value=services.settings.frame_engine) if reset else gr.skip())


# ------------------------------------------------------------ prompt enhancement
@user_errors
def on_enhance(services, text, r):
    result = services.hero_frames.enhance_prompt(text, r)
    return (gr.Group(visible=True), result["original"], gr.Textbox(value=result["enhanced"], interactive=False),
            additions_html(result["additions"]), False,
            "Enhanced prompt ready: **Accept**, **Edit** or **Revert**.")


def on_accept():
    return True, gr.Textbox(interactive=False), "Generating with the **enhanced prompt** ✓"


def on_edit():
    return True, gr.Textbox(interactive=True), "Generating with your **edited enhanced prompt** ✎"


def on_revert(original):
    return (False, gr.Group(visible=False), original or gr.skip(), "Generating with **your prompt**.")


# ------------------------------------------------------------ generation and its job
def start(services, pid, result, known_ids):
    return (result["job_id"], *job_outputs(services, pid, result["job_id"], known_ids))


@user_errors
def on_generate(services, pid, text, use_enh, enhanced, n, r, s, engine_name, known_ids):
    result = services.hero_frames.generate(pid, text, int(n), r, _seed(s), enhanced if use_enh else None,
                                           engine=engine_name or None)
    return start(services, pid, result, known_ids)


@user_errors
def on_regenerate(services, pid, fid, n, known_ids):
    return start(services, pid, services.hero_frames.regenerate(_need(fid), int(n)), known_ids)


@user_errors
def on_mutate(services, pid, fid, change, n, known_ids):
    return start(services, pid, services.hero_frames.mutate(_need(fid), change, int(n)), known_ids)


@user_errors
def on_poll(services, pid, jid, known_ids):
    return job_outputs(services, pid, jid, known_ids)


@user_errors
def on_cancel(services, jid):
    if jid is None:
        return gr.skip()
    return job_html(services.jobs.cancel(jid), "Hero frames")


# ------------------------------------------------------------ selection and actions
@user_errors
def on_select(services, pid, ids, evt: gr.SelectData):
    fid = ids[evt.index] if evt.index is not None and evt.index < len(ids) else None
    mode = ((services.hero_frames.get(fid).parameters or {}).get("fit_mode") if fid is not None else None) or "crop"
    choice = next(label for label, value in FIT_CHOICES.items() if value == mode)
    return fid, *frame_panel(services, pid, fid), gr.Radio(value=choice)


@user_errors
def on_favourite(services, pid, fid, known_ids):
    frame = services.hero_frames.get(_need(fid))
    services.hero_frames.set_favourite(fid, not frame.is_favourite)
    items, ids = gallery_items(services, pid)
    return (items, ids, *frame_panel(services, pid, fid))


@user_errors
def on_use_as_hero(services, pid, fid):
    services.projects.select_hero_frame(pid, _need(fid))
    gr.Info(f"Frame #{fid} is the hero frame. Now describe the camera move.")
    items, ids = gallery_items(services, pid)
    return gr.Tabs(selected="attempts"), items, ids


@user_errors
def on_enhance_photo(services, pid, fid, crop):
    frame = services.hero_frames.enhance_photo(_need(fid), crop_to=None if crop == KEEP_FRAMING else crop)
    items, ids = gallery_items(services, pid)
    return (items, ids, frame.id, *frame_panel(services, pid, frame.id))


@user_errors
def on_fit_mode(services, pid, fid, choice):
    services.hero_frames.set_fit_mode(_need(fid), FIT_CHOICES[choice])
    return frame_panel(services, pid, fid)


@user_errors
def on_upload(services, pid, path, enhance):
    frame = services.hero_frames.upload(pid, path, enhance=bool(enhance))
    items, ids = gallery_items(services, pid)
    gr.Info(f"Photo added as frame #{frame.id}.")
    uploaded = services.hero_frames.get(frame.parent_frame_id) if frame.parent_frame_id else frame
    warning = ((uploaded.parameters or {}).get("fit") or {}).get("warning")
    if warning:
        gr.Warning(warning)
    return (items, ids, frame.id, *frame_panel(services, pid, frame.id), None)


def _need(frame_id):
    if frame_id is None:
        raise StudioError("Select a frame in the gallery first.")
    return frame_id


def _seed(text):
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise StudioError(f"The seed must be a whole number (or blank for a random one); got '{text}'.")
    return int(text)
