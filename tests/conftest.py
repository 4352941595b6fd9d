"""Test settings shared by every test file.

Under CI (the environment variable CI is set) hypothesis runs derandomized: the same
examples every run, so a submission's result does not depend on chance. Locally it
explores new examples each run, which is how it finds new bugs.
"""

import os
import re
import subprocess

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def browser_chrome_height(tmp_path_factory) -> int:
    """How much of --window-size headless Chromium keeps for itself (its viewport is
    this much shorter than the window when the DOM is dumped): the Chromium tests of
    the slides add it, so that the page sees the projector's size."""
    page = tmp_path_factory.mktemp("chromium") / "size.html"
    page.write_text('<!DOCTYPE html><html><body><script>document.body.setAttribute('
                    '"data-inner", window.innerHeight);</script></body></html>')
    run = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                          "--disable-background-networking", "--no-first-run",
                          "--virtual-time-budget=3000", "--dump-dom", "--window-size=800,1000",
                          page.as_uri()], capture_output=True, text=True, timeout=120)
    return 1000 - int(re.search(r'data-inner="(\d+)"', run.stdout).group(1))
