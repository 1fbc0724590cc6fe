"""Assets (fonts with their license, icons); installed as ``desktop_app.bundled``."""
