"""Screenshots of SVG pictures as a person sees them: the SVG fitted into a 1920x1080
page (a projector slide) in headless Chromium, saved as PNG.

    .venv/bin/python demos/screenshots.py demos/images/network.svg out.png

Needs Debian's ``chromium`` (``apt-get install chromium``) or ``$CHROMIUM``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><style>
html, body {{ margin: 0; width: 100%; height: 100%; background: white; }}
img {{ display: block; width: 100%; height: 100%; object-fit: contain; }}
</style></head>
<body><img src="{svg}" alt=""></body></html>
"""


def chromium() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser") or shutil.which("google-chrome")
    if not found:
        raise SystemExit("screenshots: no Chromium found (apt-get install chromium, "
                         "or set $CHROMIUM)")
    return found


def screenshot(svg: Path, png: Path, width: int = 1920, height: int = 1080) -> Path:
    """``svg`` fitted into a ``width`` x ``height`` window, saved to ``png``."""
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "page.html"
        page.write_text(PAGE.format(svg=Path(svg).resolve().as_uri()))
        command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-background-networking", "--no-first-run",
                   "--hide-scrollbars", "--allow-file-access-from-files",
                   f"--user-data-dir={folder}/profile", f"--window-size={width},{height}",
                   f"--screenshot={Path(png).resolve()}", page.as_uri()]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
    return Path(png)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    print(screenshot(Path(sys.argv[1]), Path(sys.argv[2])))
