# PyInstaller runtime hook (packaging/sodesk.spec): the programs the desk starts (lp to print,
# pg_dump to back up) get the environment the desk itself was started with.
#
# On Linux, PyInstaller's bootloader points LD_LIBRARY_PATH at the bundle's own libraries and
# starts the program again with it; the dynamic loader read it at that start, so the desk has
# no further use for it. Left in the environment it would be inherited, and the system's lp or
# pg_dump would load the bundle's libcups, libssl or libz instead of their own (which breaks a
# program built for another version). The bootloader keeps an earlier value in
# LD_LIBRARY_PATH_ORIG.
import os
import sys


def _give_children_the_original_library_path() -> None:
    if sys.platform == "win32" or sys.platform == "darwin":
        return
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        os.environ.pop("LD_LIBRARY_PATH", None)
    else:
        os.environ["LD_LIBRARY_PATH"] = original


_give_children_the_original_library_path()
