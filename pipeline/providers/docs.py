"""The model table of docs/PROVIDERS.md, generated from the catalog so the two cannot drift apart.

    python -m pipeline.providers.docs            # print the table
    python -m pipeline.providers.docs --write    # replace the table in docs/PROVIDERS.md
"""
from __future__ import annotations

import sys
from pathlib import Path

from pipeline.providers.catalog import load_catalog

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "PROVIDERS.md"
BEGIN, END = "<!-- catalog:begin -->", "<!-- catalog:end -->"
KIND_TITLES = {"text-to-image": "Hero frames (text-to-image)", "image-to-video": "Attempts (image-to-video)",
               "image-edit": "Product-photo enhancement (image edit)", "llm": "Prompt help (chat model)"}


def render_table() -> str:
    catalog = load_catalog()
    lines = []
    for kind, title in KIND_TITLES.items():
        lines += [f"### {title}", "",
                  "| engine | model | start image | negative prompt | seed | price rule | checked |",
                  "|---|---|---|---|---|---|---|"]
        for spec in catalog.select(kind=kind):
            image = f"`{spec.inputs.image}`" if spec.inputs.image and kind in ("image-to-video", "image-edit") else "—"
            negative = "yes" if spec.negative_prompt else ("no prompt at all" if not spec.takes_prompt else "no")
            lines.append(f"| `{_engine_name(spec)}` | {spec.label} | {image} | {negative} | "
                         f"{'yes' if spec.seed else 'no'} | {spec.price.text()} | {spec.checked.isoformat()} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _engine_name(spec) -> str:
    if spec.provider == "diffusers":
        kind = "text-to-image" if "text-to-image" in spec.kinds else "image-to-video"
        return f"diffusers:{kind}` with a `{spec.model}"
    return spec.id


def write() -> None:
    text = DOC_PATH.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC_PATH.write_text(f"{head}{BEGIN}\n{render_table()}{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    else:
        print(render_table())
