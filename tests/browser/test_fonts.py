"""The symbols in the studio's labels come from the font the page ships (assets/fonts/hfs-symbols.ttf, embedded by
studio/theme.py), not from whatever fonts the viewer's machine has: no empty boxes for ⏸-like glyphs or emoji."""
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = set((ROOT / "assets" / "fonts" / "hfs-symbols.txt").read_text(encoding="utf-8").strip())
TABS = ["1 · Hero frames", "✦ Ad composer", "2 · Attempts", "3 · Workspace", "4 · Timeline", "5 · Dashboard",
        "6 · Library"]
PAGE_TEXT = """() => [document.body.innerText,
    ...[...document.querySelectorAll('button, [role=tab], input, textarea')].map(e => e.value || e.textContent || '')
   ].join(' ')"""


def symbols(text: str) -> set[str]:
    """Characters no ordinary text font can be relied on for: symbol blocks (letterlike symbols and above, ‖),
    emoji included. Letters and punctuation (é, –, …, ·) stay with the theme's text font."""
    return {c for c in text if ord(c) >= 0x2100 or c == "‖"}


def test_every_symbol_in_the_source_is_in_the_shipped_font():
    found = set()
    for path in (ROOT / "studio").rglob("*.py"):
        found |= symbols(path.read_text(encoding="utf-8"))
    lacking = sorted(found - SHIPPED)
    assert not lacking, f"not in the shipped font (run scripts/build_symbol_font.py or use another): {lacking}"


def test_the_page_draws_its_symbols_with_the_shipped_font(page):
    page.get_by_text("Hero Frame Studio").first.wait_for(timeout=30000)
    seen = set()
    for name in TABS:
        page.get_by_role("tab", name=name).click()
        page.wait_for_timeout(400)
        seen |= symbols(page.evaluate(PAGE_TEXT))
    assert {"✦", "↻", "✓", "↑"} <= seen  # the tab label and the Timeline's buttons, at least
    assert not seen - SHIPPED, f"drawn from the viewer's own fonts: {sorted(seen - SHIPPED)}"
    chars = "".join(sorted(seen))
    faces = page.evaluate("async chars => (await document.fonts.load(\"16px 'HFS Symbols'\", chars))"
                          ".map(f => [f.family, f.status])", chars)
    assert faces and all(status == "loaded" for _, status in faces), faces
    assert page.evaluate("chars => document.fonts.check(\"16px 'HFS Symbols'\", chars)", chars)
    # The glyphs really come from it: each symbol is as wide in the font alone as in the page's stack, and a code
    # point it lacks (private use) is not drawn by it at all (the stack falls back).
    widths = page.evaluate("""chars => { const ctx = document.createElement('canvas').getContext('2d');
        const w = (font, c) => { ctx.font = font; return ctx.measureText(c).width; };
        const stack = getComputedStyle(document.querySelector('[role=tab]')).fontFamily;
        return [...chars].map(c => [c, w(`40px ${stack}`, c), w("40px 'HFS Symbols', monospace", c),
                                    w('40px monospace', c)]); }""", chars)
    assert all(abs(page_w - own_w) < 0.01 for _, page_w, own_w, _ in widths), widths
    assert any(abs(own_w - mono_w) > 0.5 for _, _, own_w, mono_w in widths), widths  # not the fallback font
    assert page.errors == []
