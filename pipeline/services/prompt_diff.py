"""Word-level prompt diffs (difflib) as plain data: what changed between two versions of a prompt."""
from __future__ import annotations

import difflib
import re
from typing import Any

_TOKEN = re.compile(r"\S+")


def word_diff(old: str | None, new: str | None) -> list[dict[str, str]]:
    """[{op: equal|insert|delete, text}] turning ``old`` into ``new`` word by word (a replace is delete + insert)."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    ops: list[dict[str, str]] = []
    # words are compared without case and surrounding punctuation ("bottle" = "bottle,"); the new text is shown
    keys_a, keys_b = [_key(w) for w in a], [_key(w) for w in b]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=keys_a, b=keys_b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append({"op": "equal", "text": " ".join(b[j1:j2])})
            continue
        if tag in ("delete", "replace"):
            ops.append({"op": "delete", "text": " ".join(a[i1:i2])})
        if tag in ("insert", "replace"):
            ops.append({"op": "insert", "text": " ".join(b[j1:j2])})
    return ops


def _key(word: str) -> str:
    return word.strip(".,;:!?\"'()[]").lower() or word


def changed(ops: list[dict[str, str]]) -> bool:
    return any(op["op"] != "equal" for op in ops)


def summary(ops: list[dict[str, str]], limit: int = 120) -> str:
    """A one-line summary of the changes: '+added words −removed words'."""
    parts = [("+" if op["op"] == "insert" else "−") + op["text"] for op in ops if op["op"] != "equal"]
    text = " ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def prompt_changes(old: dict[str, Any] | None, new: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """Per field: the diff ops, whether it changed, and a short summary; plus ``changed_fields``."""
    result: dict[str, Any] = {}
    for field in fields:
        ops = word_diff((old or {}).get(field) or "", new.get(field) or "") if old is not None else \
            [{"op": "equal", "text": new.get(field) or ""}]
        result[field] = {"ops": ops, "changed": changed(ops), "summary": summary(ops)}
    result["changed_fields"] = [f for f in fields if result[f]["changed"]]
    return result
