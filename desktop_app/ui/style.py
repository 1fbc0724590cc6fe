"""One calm stylesheet for the whole application: greys, one blue accent, no loud colours."""

from __future__ import annotations

import re

# The application font at 標準 (ui/text_size scales it, and every size below, for 大 and 特大).
FONT_POINT_SIZE = 10.5

ACCENT = "#2f6fb0"
ERROR = "#b3261e"
MUTED = "#6b7280"

STYLESHEET = f"""
QMainWindow, QDialog {{ background: #f6f7f9; }}
QListWidget#nav {{
    background: #eceff3;
    border: none;
    border-right: 1px solid #d5dae1;
    padding-top: 12px;
    outline: 0;
    font-size: 11.5pt;
}}
QListWidget#nav::item {{
    padding-left: 16px;
    padding-top: 10px;
    padding-bottom: 10px;
    margin: 2px 8px;
    border-radius: 6px;
    color: #1f2933;
}}
QListWidget#nav::item:hover {{ background: #e1e6ec; }}
QListWidget#nav::item:selected {{
    background: #ffffff;
    color: {ACCENT};
    border-left: 4px solid {ACCENT};
    padding-left: 12px;
}}
QLabel#pageTitle {{ font-size: 16pt; font-weight: bold; color: #1f2933; }}
QLabel#muted, QLabel#countLabel {{ color: {MUTED}; }}
QLabel#fieldError {{ color: {ERROR}; }}
QLabel#savedLabel {{ color: #2e7d4f; }}
QLabel#backupStatus[warning="true"] {{ color: {ERROR}; font-weight: bold; }}
QLabel#stageBadge {{
    background: #e6eef7;
    color: {ACCENT};
    border: 1px solid #c5d6ea;
    border-radius: 10px;
    padding: 2px 10px;
    font-weight: bold;
}}
QLineEdit {{
    background: #ffffff;
    border: 1px solid #c9cfd7;
    border-radius: 4px;
    padding: 4px 6px;
    min-height: 20px;
}}
QLineEdit:focus {{ border: 1px solid {ACCENT}; }}
QLineEdit[invalid="true"] {{ border: 1px solid {ERROR}; }}
QPushButton {{
    background: #ffffff;
    border: 1px solid #c9cfd7;
    border-radius: 4px;
    padding: 5px 14px;
}}
QPushButton:hover {{ background: #f0f3f7; }}
QPushButton#primary {{ background: {ACCENT}; color: #ffffff; border-color: {ACCENT}; }}
QPushButton#primary:hover {{ background: #285f98; }}
QPushButton:disabled, QPushButton#primary:disabled {{
    background: #eef0f3;
    color: #9aa1ab;
    border-color: #d5dae1;
}}
QTableView {{
    background: #ffffff;
    alternate-background-color: #f7f9fb;
    border: 1px solid #d5dae1;
    gridline-color: #e6e9ee;
    selection-background-color: #d7e5f5;
    selection-color: #1f2933;
}}
QTableView::item {{ padding: 0 4px; }}
/* Qt sizes a calendar's day cells without that padding: "10"–"31" would show as "…". */
QCalendarWidget QTableView::item {{ padding: 0px; }}
QHeaderView::section {{
    background: #eef1f5;
    border: none;
    border-right: 1px solid #dde2e8;
    border-bottom: 1px solid #d5dae1;
    padding: 5px 6px;
    font-weight: bold;
    color: #374151;
}}
QGroupBox {{
    background: #ffffff;
    border: 1px solid #d9dee5;
    border-radius: 6px;
    margin-top: 14px;
    padding: 10px 8px 6px 8px;
    font-weight: bold;
}}
QGroupBox::title {{
    subcontrol-origin: margin;
    left: 10px;
    padding: 0 4px;
    color: {ACCENT};
}}
QGroupBox QLabel {{ font-weight: normal; }}
QTabWidget::pane {{ border: 1px solid #d9dee5; background: #ffffff; border-radius: 4px; }}
QTabBar::tab {{
    background: #eceff3;
    padding: 6px 16px;
    border: 1px solid #d9dee5;
    border-bottom: none;
    border-top-left-radius: 4px;
    border-top-right-radius: 4px;
    margin-right: 2px;
}}
QTabBar::tab:selected {{ background: #ffffff; color: {ACCENT}; font-weight: bold; }}
QStatusBar {{ background: #eceff3; color: #4b5563; border-top: 1px solid #d5dae1; }}
QStatusBar QLabel {{ padding: 0 10px; }}
QScrollArea {{ border: none; background: transparent; }}
QScrollArea > QWidget#qt_scrollarea_viewport > QWidget {{ background: transparent; }}
"""


_BLOCK = re.compile(r"\{([^{}]*)\}")
_LENGTH = re.compile(r"(\d+(?:\.\d+)?)(pt|px)\b")


def scale_style(css: str, factor: float) -> str:
    """``css`` with its font sizes, paddings, margins, heights and radii times ``factor``.

    Border widths stay as they are (a hairline stays a hairline). A stylesheet without
    selectors (a widget's own, "font-size: 13pt;") is one block of declarations.
    """
    if factor == 1.0:
        return css
    if "{" not in css:
        return _scale_declarations(css, factor)
    return _BLOCK.sub(lambda m: "{" + _scale_declarations(m.group(1), factor) + "}", css)


def _scale_declarations(block: str, factor: float) -> str:
    def one(declaration: str) -> str:
        name, colon, value = declaration.partition(":")
        prop = name.strip().lower()
        if not colon or (prop.startswith("border") and prop != "border-radius"):
            return declaration
        return name + colon + _LENGTH.sub(lambda m: _scaled(m, factor), value)

    return ";".join(one(d) for d in block.split(";"))


def _scaled(match: re.Match[str], factor: float) -> str:
    number, unit = float(match.group(1)), match.group(2)
    if number == 0:
        return match.group(0)
    if unit == "pt":
        return f"{round(number * factor, 1):g}pt"
    return f"{max(1, round(number * factor))}px"


def stylesheet(factor: float = 1.0) -> str:
    """The application's stylesheet at ``factor`` times its sizes (1.0: 標準)."""
    return scale_style(STYLESHEET, factor)
