"""One way to reach files under ``resources/``, from a source tree or an installed wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    """The folder holding fonts, icons and other assets."""
    try:
        from importlib.resources import files

        # In a wheel, resources/ is installed as the package desktop_app.bundled.
        installed = Path(str(files("desktop_app.bundled")))
        if (installed / "fonts").is_dir():
            return installed
    except ModuleNotFoundError:
        pass
    # Running from a source checkout: resources/ stands beside desktop_app/.
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of one resource file, e.g. ``resource_path("fonts", "ipaexg.ttf")``."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"resource missing: {path}")
    return path


GOTHIC_FONT_FILE = "ipaexg.ttf"
MINCHO_FONT_FILE = "ipaexm.ttf"


def font_path(file_name: str = GOTHIC_FONT_FILE) -> Path:
    return resource_path("fonts", file_name)
