"""Test settings shared by every test file.

Under CI (the environment variable CI is set) hypothesis runs derandomized: the same
examples every run, so a submission's result does not depend on chance. Locally it
explores new examples each run, which is how it finds new bugs.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
