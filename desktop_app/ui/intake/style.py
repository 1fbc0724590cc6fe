"""The wizard's own look, on top of the application's stylesheet."""

from __future__ import annotations

from desktop_app.ui.style import ACCENT, ERROR, MUTED

WIZARD_STYLE = f"""
QLabel#step {{
    padding: 3px 10px;
    border-radius: 10px;
    color: {MUTED};
    background: #eceff3;
}}
QLabel#step[state="current"] {{ background: {ACCENT}; color: #ffffff; font-weight: bold; }}
QLabel#step[state="done"] {{ background: #e6eef7; color: {ACCENT}; }}
QLabel#stepTitle {{ font-size: 13pt; font-weight: bold; color: #1f2933; padding-top: 4px; }}
QLabel#fieldNote {{ color: #374151; }}
QLabel#noticeLabel {{
    background: #fff8e1; border: 1px solid #f0d68a; border-radius: 4px; padding: 6px 8px;
}}
QFrame#scriptBox {{
    background: #fdecea; border: 1px solid #f1b8b3; border-radius: 6px;
}}
QFrame#noteBox, QFrame#matchBox {{
    background: #fff8e1; border: 1px solid #f0d68a; border-radius: 6px;
}}
QFrame#doneBox {{ background: #e8f5ee; border: 1px solid #a8d5ba; border-radius: 6px; }}
QLabel#doneTitle {{ font-size: 12pt; font-weight: bold; color: #2e7d4f; }}
QLabel#scriptTitle {{ font-weight: bold; color: #1f2933; }}
QLabel#script {{ color: #1f2933; }}
QLabel#exclusionBanner {{
    background: #fdecea; border: 1px solid #f1b8b3; border-radius: 6px; padding: 8px 10px;
    color: {ERROR};
}}
QPlainTextEdit {{
    background: #ffffff; border: 1px solid #c9cfd7; border-radius: 4px; padding: 2px 4px;
}}
QPlainTextEdit:focus {{ border: 1px solid {ACCENT}; }}
QComboBox {{ min-height: 24px; }}
"""
