"""Regenerates the README's pictures of the practice tools, with the command line and the
library exactly as a reader would use them.

    .venv/bin/python demos/practice.py

Writes into demos/images/:
- tikz_neuron.png: micrograd's lecture neuron as TikZ, written by the same command that
  draws the README's neuron.svg (``autograd-tiny graph ... --output graph.tex``, the
  route of the gradient to w1 highlighted), compiled with pdflatex and rasterised by
  pdftoppm;
- exercise_sheet.png: the first exercises of ``autograd-tiny exercises --seed 7`` in
  headless Chromium, some answers typed in and checked by the page itself.

Needs pdflatex and pdftoppm (Debian: texlive-latex-base texlive-pictures poppler-utils)
and chromium; skips a picture (and says so) when its tool is missing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograd_tiny.cli import main

IMAGES = Path(__file__).resolve().parent / "images"


def tikz_picture(folder: Path) -> None:
    if not (shutil.which("pdflatex") and shutil.which("pdftoppm")):
        print("tikz_neuron.png: skipped (needs pdflatex and pdftoppm)")
        return
    # The command the README draws neuron.svg with, writing TikZ instead: the same
    # names, boxes and numbers in both pictures.
    tex = folder / "graph.tex"
    status = main(["graph", "tanh(x1*w1 + x2*w2 + b)", "--set", "x1=2", "x2=0", "w1=-3",
                   "w2=1", "b=6.8813735870195432", "--highlight", "w1", "--output", str(tex)])
    if status:
        raise SystemExit(status)
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                   cwd=folder, check=True, capture_output=True, timeout=300)
    subprocess.run(["pdftoppm", "-png", "-r", "130", "-singlefile", "graph.pdf",
                    str(IMAGES / "tikz_neuron")], cwd=folder, check=True, timeout=120)
    print(f"wrote {IMAGES / 'tikz_neuron.png'}")


def sheet_picture(folder: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("exercise_sheet.png: skipped (needs chromium)")
        return
    main(["exercises", "--count", "10", "--seed", "7", "--output", str(folder)])
    sheet = (folder / "sheet.html").read_text()
    data = json.loads(re.search(r'id="answers">(.*?)</script>', sheet, re.S).group(1))
    blanks = data["exercises"][1]["blanks"]  # exercise 2: four right answers, one wrong
    typed = {b["key"]: str(b["value"]) for b in blanks}
    typed[blanks[3]["key"]] = "1"
    typed[data["exercises"][0]["blanks"][0]["key"]] = "2"
    driver = ("<script>const TYPED = " + json.dumps(typed) + ";"
              "for (const k in TYPED) document.getElementById(k).value = TYPED[k];"
              "document.getElementById('check').click();</script></body>")
    page = folder / "typed.html"
    page.write_text(sheet.replace("</body>", driver))
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", f"--screenshot={IMAGES / 'exercise_sheet.png'}",
                    "--window-size=1100,1250", page.as_uri()],
                   check=True, capture_output=True, timeout=180)
    print(f"wrote {IMAGES / 'exercise_sheet.png'}")


if __name__ == "__main__":
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        tikz_picture(Path(scratch))
    with tempfile.TemporaryDirectory() as scratch:
        sheet_picture(Path(scratch))
    sys.exit(0)
