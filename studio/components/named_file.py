"""A download box that offers a file under a readable name while the stored file keeps its id-based name."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr
from gradio.data_classes import FileData


class NamedFile(gr.File):
    """gr.File whose value may be ``(path, download_name)``: the browser saves the file as ``download_name``
    (Gradio's file link uses the value's ``orig_name`` as its ``download`` attribute). A plain path works as in
    gr.File. Single files only."""

    def get_block_name(self) -> str:
        return "file"  # the frontend of gr.File draws it

    def postprocess(self, value: Any) -> Any:
        if isinstance(value, tuple) and len(value) == 2:
            path, name = str(value[0]), str(value[1])
            return FileData(path=path, orig_name=name or Path(path).name, size=Path(path).stat().st_size)
        return super().postprocess(value)
