"""The studio's look: a little CSS on top of Gradio's Soft theme."""

CSS = """
.engine-badge {display:inline-block; padding:2px 8px; border-radius:10px; background:#fef3c7; color:#92400e;
  font-size:12px; font-weight:600;}
.pick-badge {display:inline-block; padding:2px 8px; border-radius:10px; background:#dcfce7; color:#166534;
  font-size:12px; font-weight:600; margin-right:4px;}
.user-badge {display:inline-block; padding:2px 8px; border-radius:10px; background:#dbeafe; color:#1e40af;
  font-size:12px; font-weight:600;}
.score-table td, .score-table th {padding:2px 8px; font-size:13px;}
.additions li {margin:0;}
"""
