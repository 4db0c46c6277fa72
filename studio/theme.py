"""The studio's look: a little CSS on top of Gradio's Soft theme, and the symbol font the labels need.

The symbols in labels (arrows, stars, ▶, ✓, ⚠ ...) come from assets/fonts/hfs-symbols.ttf, a subset of DejaVu Sans
(scripts/build_symbol_font.py; licence in assets/fonts/LICENSE-DejaVu.txt), embedded in the page's CSS for exactly
those code points: no viewer's machine shows them as empty boxes, no file route is needed (team mode serves no paths),
and letters keep the theme's Montserrat (shipped by Gradio)."""
import base64
from functools import cache
from pathlib import Path

import gradio as gr

FONTS = Path(__file__).resolve().parents[1] / "assets" / "fonts"
SYMBOL_FAMILY = "HFS Symbols"

CSS = """
.health-banner {padding:8px 12px; border-radius:8px; background:#fee2e2; color:#991b1b; font-weight:600;
  border:1px solid #fca5a5;}
.health-banner.notice {background:#fef3c7; color:#92400e; border-color:#fcd34d;}
.engine-badge {display:inline-block; padding:2px 8px; border-radius:10px; background:#fef3c7; color:#92400e;
  font-size:12px; font-weight:600;}
.pick-badge {display:inline-block; padding:2px 8px; border-radius:10px; background:#dcfce7; color:#166534;
  font-size:12px; font-weight:600; margin-right:4px;}
.user-badge {display:inline-block; padding:2px 8px; border-radius:10px; background:#dbeafe; color:#1e40af;
  font-size:12px; font-weight:600;}
.tie-badge, .confidence-tie {display:inline-block; padding:2px 8px; border-radius:10px; background:#fef9c3;
  color:#854d0e; font-size:12px; font-weight:600; margin-right:4px;}
.confidence-clear, .confidence-slight {display:inline-block; padding:2px 8px; border-radius:10px; font-size:12px;
  font-weight:600; margin-right:4px; background:#f1f5f9; color:#334155;}
.attempt-card .overall-note {color:var(--body-text-color-subdued); margin:0 0 2px;}
.score-table td, .score-table th {padding:2px 8px; font-size:13px;}
.additions li {margin:0;}
.status-chip {display:inline-block; padding:0 7px; border-radius:8px; color:#fff; font-size:11px; font-weight:600;}
.job-card {padding:6px 10px; border:1px solid var(--border-color-primary); border-radius:8px; font-size:13px;}
.job-bar {height:6px; background:var(--neutral-200); border-radius:3px; overflow:hidden; margin:4px 0;}
.job-fill {height:100%; transition:width .4s;}
.job-step, .muted {color:var(--body-text-color-subdued); font-size:12px;}
.job-error {color:#b91c1c; font-size:12px;}
.queue-table {width:100%;}
.mini-bar {width:70px; height:6px; background:var(--neutral-200); border-radius:3px; overflow:hidden;}
.mini-bar > div {height:100%; background:#f59e0b;}
.attempt-card {font-size:13px;}
.attempt-card .overall {font-size:15px; margin:2px 0;}
.pick-reason, .score-reason {font-size:12px; color:var(--body-text-color-subdued); margin:2px 0;}
.details-table th {text-align:left; white-space:nowrap; vertical-align:top;}
.stat-cards {display:flex; gap:10px; flex-wrap:wrap;}
.stat-card {flex:1; min-width:140px; padding:10px 14px; border:1px solid var(--border-color-primary);
  border-radius:10px;}
.stat-value {font-size:22px; font-weight:700;}
.stat-label {font-size:12px; color:var(--body-text-color-subdued);}
.tl-strip {display:flex; gap:3px; width:100%; min-height:54px;}
.tl-clip {background:#fde68a; border:1px solid #f59e0b; border-radius:6px; padding:4px 6px; font-size:12px;
  overflow:hidden; white-space:nowrap; text-overflow:ellipsis; min-width:40px; color:#422006;}
.studio-title h2 {margin:0; white-space:nowrap;}
.project-bar {align-items:center;}
.bottom-row {align-items:flex-end !important;}
.bottom-row button {margin-bottom:2px;}
.identity {font-size:13px; line-height:1.4;}
.project-bar .studio-title {min-width:235px !important;}
.identity .usage-line {font-size:12px;}
.owner-note {font-size:13px; padding-top:4px;}
.spend-summary {font-size:13px; margin-bottom:6px;}
"""


@cache
def symbol_font_css() -> str:
    """@font-face for the shipped symbol font, limited to the characters it was cut for."""
    chars = (FONTS / "hfs-symbols.txt").read_text(encoding="utf-8").strip()
    ranges = ",".join(f"U+{ord(c):04X}" for c in chars)
    data = base64.b64encode((FONTS / "hfs-symbols.ttf").read_bytes()).decode()
    return (f"@font-face {{font-family:'{SYMBOL_FAMILY}'; font-display:block; unicode-range:{ranges};"
            f" src:url(data:font/ttf;base64,{data}) format('truetype');}}\n")


def studio_css() -> str:
    return symbol_font_css() + CSS


def studio_theme() -> gr.themes.Base:
    """Gradio's Soft theme in amber and slate; the symbol font first in both stacks (its unicode-range keeps it to
    the symbols)."""
    soft = gr.themes.Soft()  # its own font objects (Gradio ships their files in these weights)
    symbols = f"'{SYMBOL_FAMILY}'"
    return gr.themes.Soft(primary_hue="amber", neutral_hue="slate", font=[symbols, *soft._font],
                          font_mono=[symbols, *soft._font_mono])
