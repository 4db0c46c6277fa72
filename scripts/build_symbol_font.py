"""Build assets/fonts/hfs-symbols.ttf: the symbol glyphs the studio's labels use (arrows, stars, play, check marks,
warning, scissors...), cut from DejaVu Sans (Debian's fonts-dejavu-core; Bitstream Vera licence with DejaVu's
changes in the public domain: free to redistribute and modify under a name without "Bitstream"/"Vera" — see
assets/fonts/LICENSE-DejaVu.txt). The theme (studio/theme.py) embeds it for exactly these code points, so the
labels never depend on the fonts of the viewer's machine; letters keep the theme's font.

    .venv/bin/python scripts/build_symbol_font.py     # needs fontTools (`pip install fonttools`) and fonts-dejavu-core

Run again after adding a symbol to a label; tests/browser/test_fonts.py fails on a symbol the font lacks.
"""
from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

REPO = Path(__file__).resolve().parents[1]
SOURCE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
TARGET = REPO / "assets" / "fonts" / "hfs-symbols.ttf"
CHARS = REPO / "assets" / "fonts" / "hfs-symbols.txt"
FAMILY = "HFS Symbols"
# Symbol blocks: arrows, math operators, technical, geometric shapes, misc symbols, dingbats, supplemental arrows and
# math. Letters and ordinary punctuation (é, Δ, –, …) stay with the theme's text font.
SYMBOL_RANGES = [(0x2016, 0x2016), (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2300, 0x23FF), (0x25A0, 0x25FF),
                 (0x2600, 0x26FF), (0x2700, 0x27BF), (0x2900, 0x297F), (0x2A00, 0x2AFF), (0x2B00, 0x2BFF)]
EXTRA = "←↑→↓↶↷↻↺⋮⇧⬆⬇▶◀▲▼○●◐★☆♪⚠✂✎✓✔✕✖✦✚❚‖≈≤≥−"  # common ones and Gradio's own (↺ ⋮)


def used_symbols() -> set[str]:
    """Every symbol character in the studio's and pipeline's source (labels, HTML, toasts), plus EXTRA."""
    found = set(EXTRA)
    for folder in ("studio", "pipeline"):
        for path in (REPO / folder).rglob("*.py"):
            found |= {c for c in path.read_text(encoding="utf-8") if ord(c) > 0x7F}
    return {c for c in found if any(lo <= ord(c) <= hi for lo, hi in SYMBOL_RANGES) or c in EXTRA}


def main() -> int:
    cmap = TTFont(SOURCE).getBestCmap()
    wanted = used_symbols()
    missing = sorted(c for c in wanted if ord(c) not in cmap)
    if missing:
        print("DejaVu Sans lacks " + " ".join(f"{c} U+{ord(c):04X}" for c in missing)
              + ": use another symbol or plain text in those labels.", file=sys.stderr)
        return 1
    keep = sorted(wanted, key=ord)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.layout_features = []
    options.hinting = False
    font = TTFont(SOURCE)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in keep])
    subsetter.subset(font)
    for record in font["name"].names:  # a renamed derivative, as the licence asks
        if record.nameID in (1, 3, 4, 16):
            record.string = FAMILY
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "")
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(TARGET)
    CHARS.write_text("".join(keep) + "\n", encoding="utf-8")
    print(f"{TARGET.relative_to(REPO)}: {len(keep)} glyphs, {TARGET.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
