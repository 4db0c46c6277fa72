"""Tab 6 · Library: every project, hero frame and attempt, findable later — search by prompt, filter by kind and
status, newest first, paginated — with re-run, clone settings (into a start-attempts form), download, and delete
with confirmation (rows and files go together; see pipeline/services/library.py for what is refused)."""
from types import SimpleNamespace

import gradio as gr

from pipeline.services.attempts import MAX_ATTEMPTS, MAX_DURATION, MIN_DURATION
from pipeline.services.library import SEARCH_KINDS, STATUSES
from studio.components import bind, current_tab, private, user_errors
from studio.components.html import esc
from studio.tabs.attempts import hero_view

PAGE_SIZE = 20
COLUMNS = ["kind", "id", "title", "status", "score", "project", "created", "prompt"]
KIND_NAMES = {"project": "Project", "frame": "Hero frame", "attempt": "Attempt"}


def build(services, project_id, tabs, attempts_form=None):
    tab = current_tab()
    ui = layout(with_attempts_form=attempts_form is not None)
    wire(services, ui, project_id, tabs, tab, attempts_form)


# ------------------------------------------------------------ layout
def layout(with_attempts_form: bool) -> SimpleNamespace:
    """Create the tab's components (inside the open gr.Tab) and return them by name; the 'Edit in the Attempts
    tab' button shows only when there is an attempts form to fill."""
    import pandas as pd

    page_items = gr.State([])  # the items of the page shown
    selected = gr.State(None)  # {kind, id}
    cloned = gr.State(None)  # settings from "Clone settings"

    with gr.Row(elem_classes="bottom-row"):
        query = gr.Textbox(label="Search prompts and names", placeholder="e.g. sneaker, push in", scale=4)
        kind = gr.Radio(list(SEARCH_KINDS), value="all", label="Kind", scale=3)
        status = gr.Dropdown(list(STATUSES), value="any", label="Status", scale=1, min_width=120)
        search_btn = gr.Button("Search", variant="primary", scale=1)
    with gr.Row(elem_classes="bottom-row"):
        page_info = gr.HTML(scale=4)
        prev_btn = gr.Button("◀ Newer", size="sm", scale=1, min_width=90)
        page = gr.Number(value=1, precision=0, minimum=1, label="Page", scale=1, min_width=90)
        next_btn = gr.Button("Older ▶", size="sm", scale=1, min_width=90)
    grid_map = gr.State([])  # the page item each grid picture shows (items without a picture are in the table)
    grid = gr.Gallery(label="Newest first — click a picture", columns=6, height=300, allow_preview=False,
                      object_fit="cover", elem_id="library-grid")
    results = gr.Dataframe(pd.DataFrame(columns=COLUMNS), label="All results — click a row", interactive=False,
                           wrap=True, max_height=420, elem_id="library-results")
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):
            details = gr.HTML("<div class='muted'>Click a row to see the item and its actions.</div>")
            with gr.Row(elem_classes="bottom-row"):
                rerun_btn = gr.Button("Re-run (same settings)", size="sm")
                clone_btn = gr.Button("Clone settings", size="sm")
                download_btn = gr.Button("Download", size="sm")
            with gr.Row(elem_classes="bottom-row"):
                confirm = gr.Checkbox(label="Yes, delete the rows and their files for good", value=False, scale=3)
                delete_btn = gr.Button("Delete", variant="stop", size="sm", scale=1)
            files = gr.File(label="Download", file_count="multiple", visible=False)
        with gr.Column(scale=1):
            image = gr.Image(type="filepath", interactive=False, show_label=False, height=220, visible=False,
                             buttons=["fullscreen"])
            video = gr.Video(interactive=False, show_label=False, height=220, visible=False)
    with gr.Accordion("Start from cloned settings", open=False) as clone_box:
        clone_info = gr.HTML("<div class='muted'>Clone the settings of an attempt, a group, a frame or a project "
                             "above; they land here.</div>")
        with gr.Row():
            motion = gr.Textbox(label="Motion prompt", lines=2, scale=3)
            negative = gr.Textbox(label="Negative prompt", lines=2, scale=3)
        with gr.Row(elem_classes="bottom-row"):
            count = gr.Slider(1, MAX_ATTEMPTS, value=3, step=1, label="Attempts")
            duration = gr.Slider(MIN_DURATION, MAX_DURATION, value=5, step=0.5, label="Length (seconds)")
            start_btn = gr.Button("Start attempts in the current project →", variant="primary")
            edit_btn = gr.Button("Edit in the Attempts tab →", visible=with_attempts_form)
        with gr.Row(elem_classes="bottom-row"):
            hero_prompt = gr.Textbox(label="Hero-frame prompt", lines=2, scale=4)
            frames_btn = gr.Button("Generate hero frames in the current project →", scale=1)
    return SimpleNamespace(**locals())


# ------------------------------------------------------------ wiring
def wire(services, ui, project_id, tabs, tab, attempts_form=None) -> None:
    """Connect the tab's events to the handlers below."""
    search_inputs = [ui.query, ui.kind, ui.status, ui.page]
    search_outputs = [ui.results, ui.page_info, ui.page_items, ui.page, ui.grid, ui.grid_map]
    first_page = user_errors(lambda t, k, s: run_search(services, t, k, s, 1))
    # project_id.change fires when the page opens a project: the first page is there before the tab is clicked.
    for trigger in [ui.search_btn.click, ui.query.submit, ui.kind.input, ui.status.input, project_id.change] + (
            [tab.select] if tab else []):
        trigger(first_page, [ui.query, ui.kind, ui.status], search_outputs, **private)
    ui.page.submit(bind(run_search, services), search_inputs, search_outputs, **private)
    ui.prev_btn.click(lambda t, k, s, n: run_search(services, t, k, s, max(1, int(n or 1) - 1)), search_inputs,
                      search_outputs, **private)
    ui.next_btn.click(lambda t, k, s, n: run_search(services, t, k, s, int(n or 1) + 1), search_inputs,
                      search_outputs, **private)

    ui.results.select(user_errors(bind(on_select, services)), ui.page_items,
                      [ui.selected, ui.details, ui.image, ui.video, ui.confirm, ui.files], **private)
    ui.grid.select(user_errors(bind(on_grid_select, services)), [ui.page_items, ui.grid_map],
                   [ui.selected, ui.details, ui.image, ui.video, ui.confirm, ui.files], **private)
    ui.rerun_btn.click(bind(on_rerun, services), ui.selected, tabs, **private)
    ui.clone_btn.click(bind(on_clone, services), ui.selected,
                       [ui.cloned, ui.clone_info, ui.motion, ui.negative, ui.count, ui.duration, ui.hero_prompt,
                        ui.clone_box], **private)
    form_inputs = [project_id, ui.cloned, ui.motion, ui.negative, ui.count, ui.duration]
    ui.start_btn.click(bind(on_start, services), form_inputs, tabs, **private)
    if attempts_form is not None:
        form = attempts_form
        ui.edit_btn.click(bind(on_edit_in_attempts, services), form_inputs,
                          [tabs, form.hero_img, form.hero_info, form.motion, form.negative, form.count,
                           form.duration, form.engine], **private)
    ui.frames_btn.click(bind(on_frames, services), [project_id, ui.hero_prompt], tabs, **private)
    ui.download_btn.click(bind(on_download, services), ui.selected, ui.files, **private)
    ui.delete_btn.click(bind(on_delete, services), [ui.selected, ui.confirm, ui.query, ui.kind, ui.status, ui.page],
                        [ui.selected, ui.details, ui.image, ui.video, ui.confirm, *search_outputs], **private)


# ------------------------------------------------------------ search
@user_errors
def run_search(services, text, kind_name, status_name, number):
    import pandas as pd

    result = services.library.search(text, kind_name, status_name, int(number or 1), PAGE_SIZE)
    rows = [{"kind": i["kind"], "id": i["id"], "title": i["title"], "status": i["status"],
             "score": round(i["score"], 1) if i["score"] is not None else None, "project": i["project"],
             "created": (i["created_at"] or "").replace("T", " ").rstrip("Z"), "prompt": (i["text"] or "")[:140]}
            for i in result["items"]]
    info = (f"<div class='muted'>{result['total']} item(s) · page {result['page']} of {result['pages']}</div>")
    pictures, shown = grid_of(result["items"])
    return (pd.DataFrame(rows, columns=COLUMNS), info, result["items"],
            gr.Number(value=result["page"], maximum=result["pages"]), pictures, shown)


def grid_of(items) -> tuple[list[tuple[str, str]], list[int]]:
    """The page as pictures with a caption a person reads ("Attempt 88.8 FINAL · Glass perfume"), and the
    page index of each picture's item."""
    pictures, shown = [], []
    for index, item in enumerate(items):
        if not item.get("thumbnail"):
            continue
        score = f" {item['score']:.1f}" if item.get("score") is not None else ""
        final = " FINAL" if "FINAL" in (item.get("title") or "") else ""
        # The score first: a narrow picture cuts the caption's end, and the project is in the details.
        pictures.append((item["thumbnail"], f"{KIND_NAMES.get(item['kind'], item['kind'])}{score}{final} · "
                                            f"{item['project']}"))
        shown.append(index)
    return pictures, shown


# ------------------------------------------------------------ selection
def on_select(services, items, evt: gr.SelectData):
    row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
    if row is None or row >= len(items):
        return gr.skip()
    item = items[row]
    is_video = item["kind"] == "attempt"
    media = services.library.download(item["kind"], item["id"]) if is_video else None
    return ({"kind": item["kind"], "id": item["id"]}, _details_html(item),
            gr.Image(value=item["thumbnail"], visible=not is_video and bool(item["thumbnail"])),
            gr.Video(value=media[0] if media else None, visible=bool(media)), False,
            gr.File(value=None, visible=False))


def on_grid_select(services, items, shown, evt: gr.SelectData):
    if evt.index is None or evt.index >= len(shown):
        return gr.skip()
    return on_select(services, items, SimpleNamespace(index=shown[evt.index]))


# ------------------------------------------------------------ actions
def need(item):
    if not item:
        raise _warn("Click a row first.")
    return item


@user_errors
def on_rerun(services, item):
    item = need(item)
    result = services.library.rerun(item["kind"], item["id"])
    if item["kind"] == "frame":
        gr.Info(f"New candidates queued (job #{result['job_id']}).")
        return gr.Tabs(selected="hero")
    gr.Info(f"Iteration {result['iteration_index']} started as group {result['id']}.")
    return gr.Tabs(selected="attempts")


@user_errors
def on_clone(services, item):
    item = need(item)
    settings = services.library.clone_settings(item["kind"], item["id"])
    gr.Info("Settings cloned: edit them below and start.")
    info = (f"<div>From {esc(settings['source_kind'])} #{settings['source_id']} · hero frame "
            f"#{settings['hero_frame_id']} (project {settings['project_id']})</div>")
    has_group = "motion_prompt" in settings
    return (settings, info, settings.get("motion_prompt", gr.skip()) if has_group else gr.skip(),
            settings.get("negative_prompt", "") if has_group else gr.skip(),
            settings.get("attempt_count", 3) if has_group else gr.skip(),
            settings.get("duration", 5.0) if has_group else gr.skip(),
            settings.get("enhanced_prompt") or settings.get("hero_prompt") or "", gr.Accordion(open=True))


def edited(settings, motion_text, negative_text, n, seconds):
    """The cloned settings with the form's edits, or None (and a hint) when nothing was cloned yet."""
    if not settings:
        gr.Warning("Clone the settings of an item first.")
        return None
    return {**settings, "motion_prompt": motion_text, "negative_prompt": negative_text,
            "attempt_count": int(n), "duration": float(seconds)}


@user_errors
def on_start(services, pid, *form_values):
    settings = edited(*form_values)
    if settings is None:
        return gr.skip()
    view = services.library.start_from_settings(pid, settings)
    gr.Info(f"Group {view.id}: {len(view.job_ids)} attempts queued.")
    return gr.Tabs(selected="attempts")


@user_errors
def on_edit_in_attempts(services, pid, *form_values):
    settings = edited(*form_values)
    if settings is None:
        return gr.skip()
    used = services.library.use_settings(pid, settings)
    image, info = hero_view(services, pid)
    gr.Info(f"Hero frame #{used['hero_frame_id']} and the settings are in the Attempts tab: edit, then "
            "Generate.")
    return (gr.Tabs(selected="attempts"), image, info, used["motion_prompt"], used["negative_prompt"],
            used["attempt_count"], used["duration"], used["engine"] or gr.skip())


@user_errors
def on_frames(services, pid, prompt):
    project = services.projects.get(pid)
    started = services.hero_frames.generate(pid, prompt, 4, project.aspect_ratio)
    gr.Info(f"Hero frames queued (job #{started['job_id']}).")
    return gr.Tabs(selected="hero")


@user_errors
def on_download(services, item):
    item = need(item)
    return gr.File(value=services.library.download(item["kind"], item["id"]), visible=True)


@user_errors
def on_delete(services, item, sure, text, kind_name, status_name, number):
    item = need(item)
    if not sure:
        gr.Warning("Tick 'Yes, delete…' first: deleting removes the rows and their files for good.")
        return gr.skip()
    report = services.library.delete(item["kind"], item["id"], confirm=True)
    counts = ", ".join(f"{v} {k}" for k, v in report["deleted"].items() if v)
    gr.Info(f"Deleted {counts}; {report['files_deleted']} file(s) removed. " + " ".join(report["notes"]))
    return (None, "<div class='muted'>Deleted.</div>", gr.Image(value=None, visible=False),
            gr.Video(value=None, visible=False), False, *run_search(services, text, kind_name, status_name, number))


def _warn(message):
    from pipeline.errors import StudioError

    return StudioError(message)


def _details_html(item):
    score = f"<div>overall score <b>{item['score']:.1f}</b></div>" if item.get("score") is not None else ""
    group = f" · group {item['group_id']}" if item.get("group_id") else ""
    return (f"<div><b>{esc(KIND_NAMES.get(item['kind'], item['kind']))} #{item['id']}</b> · {esc(item['title'])}"
            f"<div class='muted'>project {esc(item['project'])} (#{item['project_id']}){group} · {esc(item['status'])}"
            f" · {esc(item.get('created_at') or '')}</div>{score}<div><i>{esc(item.get('text') or '')}</i></div></div>")
