"""House rule: no function in studio/ is longer than about 80 lines (a tab is layout + handlers + wiring)."""
from __future__ import annotations

import ast
from pathlib import Path

STUDIO = Path(__file__).resolve().parent.parent / "studio"
MAX_LINES = 80


def long_functions(root: Path, limit: int = MAX_LINES) -> list[str]:
    """'path:line name (N lines)' for every function or method under ``root`` longer than ``limit`` lines."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > limit:
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_function_in_studio_is_over_80_lines():
    offenders = long_functions(STUDIO)
    assert not offenders, "Split these into layout, handlers and wiring:\n" + "\n".join(offenders)


def test_the_check_finds_a_long_function(tmp_path):
    package = tmp_path / "studio"
    package.mkdir()
    body = "\n".join(f"        x{i} = {i}" for i in range(MAX_LINES))
    (package / "tab.py").write_text(f"def short():\n    return 1\n\n\nclass Tab:\n    def build(self):\n{body}\n")
    assert long_functions(package) == [f"studio/tab.py:6 build ({MAX_LINES + 1} lines)"]
