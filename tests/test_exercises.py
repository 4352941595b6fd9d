"""Exercise sheets and answer keys: the key's numbers are the engine's gradients, the
same seed writes the same bytes, the HTML page is offline and its checker accepts the
key's answers, the LaTeX is balanced, holds every key value, and compiles."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pytest

from autograd_tiny.cli import main
from autograd_tiny.core.graph import number_text, snapshot
from autograd_tiny.draw.renderer import find_renderer
from autograd_tiny.teach.check import AnswerError, parse_answer
from autograd_tiny.teach.exercises import FILES, make_exercises, write_exercises

SEEDS = [0, 3, 7]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_key_answer_is_the_engines_gradient(seed):
    for exercise in make_exercises(10, seed):
        root = exercise.problem.root
        for node in snapshot(root).order:
            node.grad = 0.0
        root.backward()
        assert exercise.blanks, exercise.problem.title
        for blank in exercise.blanks:
            assert blank.value == pytest.approx(blank.node.grad, rel=1e-12, abs=1e-15)
            # the routes multiply out and add up to the same number
            assert sum(r.product for r in blank.routes) == pytest.approx(blank.value,
                                                                          rel=1e-9, abs=1e-15)


def test_levels_and_sizes():
    exercises = make_exercises(10, 7)
    assert [e.problem.level for e in exercises] == [1, 2, 3, 2, 2, 3, 2, 2, 3, 2]
    assert all(len(e.blanks) == 5 for e in exercises if e.problem.level == 2)
    with pytest.raises(ValueError):
        make_exercises(0, 1)
    with pytest.raises(TypeError, match="make_exercises: seed must be an int, got str"):
        make_exercises(3, "1")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folders = {}
    for seed in SEEDS:
        folders[seed] = write_exercises(tmp_path_factory.mktemp(f"s{seed}"), 10, seed)
    return folders


def test_same_seed_same_bytes(written, tmp_path):
    again = write_exercises(tmp_path, 10, 7)
    for name in FILES:
        assert again[name].read_bytes() == written[7][name].read_bytes(), name
    assert written[0]["sheet.html"].read_bytes() != written[3]["sheet.html"].read_bytes()


def answers_data(sheet: str) -> dict:
    found = re.search(r'<script type="application/json" id="answers">(.*?)</script>',
                      sheet, re.S)
    assert found
    return json.loads(found.group(1))


def key_answers(key: str) -> dict[str, str]:
    """'dL/da' -> the printed answer, per exercise, from the key's bold lines."""
    found = re.findall(r"<b>(.*?) = ([^<]*)</b>", key)
    return [(html.unescape(name), value) for name, value in found]


def page_accepts(data: dict, key: str, text: str) -> bool:
    """The page's rule (see _SCRIPT): parse, then |a - v| <= max(abs, rel*|v|)."""
    blank = next(b for e in data["exercises"] for b in e["blanks"] if b["key"] == key)
    try:
        value = parse_answer(text)
    except AnswerError:
        return False
    tol = max(data["tolerance"]["absolute"], data["tolerance"]["relative"] * abs(blank["value"]))
    return abs(value - blank["value"]) <= tol


@pytest.mark.parametrize("seed", SEEDS)
def test_html_checker_accepts_the_key(written, seed):
    sheet = written[seed]["sheet.html"].read_text()
    key = written[seed]["key.html"].read_text()
    data = answers_data(sheet)
    blanks = [b for e in data["exercises"] for b in e["blanks"]]
    printed = key_answers(key)
    assert [name for name, _ in printed] == [b["name"] for b in blanks]
    for blank, (_, answer) in zip(blanks, printed):
        assert page_accepts(data, blank["key"], answer)
        assert not page_accepts(data, blank["key"], number_text(blank["value"] + 0.5))
        assert f'id="{blank["key"]}"' in sheet  # an answer box for every blank
    # every blank's value is the engine's gradient
    exercises = make_exercises(10, seed)
    assert [b["value"] for b in blanks] == [b.value for e in exercises for b in e.blanks]


@pytest.mark.parametrize("seed", SEEDS)
def test_html_is_offline(written, seed):
    for name in ("sheet.html", "key.html"):
        page = written[seed][name].read_text()
        assert not re.search(r"""\s(src|href)\s*=""", page), name
        assert "<link" not in page and "@import" not in page and "url(" not in page
        assert "fetch(" not in page and "XMLHttpRequest" not in page
        # 'http' appears only as XML namespace names, which load nothing
        stripped = re.sub(r'xmlns(:\w+)?="[^"]*"', "", page)
        assert "http" not in stripped
        if find_renderer():
            assert page.count("<svg") == 10  # a graph per exercise, inline


def test_html_sheet_shows_blanks_not_answers(written):
    sheet = written[7]["sheet.html"].read_text()
    svgs = re.findall(r"<svg.*?</svg>", sheet, re.S)
    if not svgs:
        pytest.skip("no renderer")
    assert all("grad ?" in svg for svg in svgs)
    assert not any(re.search(r"grad -?\d", svg) for svg in svgs)
    key = written[7]["key.html"].read_text()
    assert "grad ?" not in key and "grad 1.0000" in key


@pytest.mark.skipif(shutil.which("chromium") is None, reason="no Chromium")
def test_page_script_in_a_real_browser(written, tmp_path):
    """Fill every box with the key's answer (one wrong), press Check, read the score."""
    sheet = written[3]["sheet.html"].read_text()
    data = answers_data(sheet)
    printed = [v for _, v in key_answers(written[3]["key.html"].read_text())]
    blanks = [b["key"] for e in data["exercises"] for b in e["blanks"]]
    fill = {key: value for key, value in zip(blanks, printed)}
    fill[blanks[0]] = "1234"
    driver = ("<script>const FILL = " + json.dumps(fill) + ";"
              "for (const k in FILL) document.getElementById(k).value = FILL[k];"
              "document.getElementById('check').click();</script></body>")
    page = tmp_path / "filled.html"
    page.write_text(sheet.replace("</body>", driver))
    run = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                          "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=120)
    assert f'<span id="score">score: {len(blanks) - 1} of {len(blanks)}</span>' in run.stdout
    assert run.stdout.count("✓ right") == len(blanks) - 1
    assert run.stdout.count("✗ not yet") == 1


def environments(tex: str) -> dict[str, tuple[int, int]]:
    names = set(re.findall(r"\\(?:begin|end)\{(\w+\*?)\}", tex))
    return {n: (tex.count(f"\\begin{{{n}}}"), tex.count(f"\\end{{{n}}}")) for n in names}


@pytest.mark.parametrize("seed", SEEDS)
def test_tex_balanced_and_holds_every_key_value(written, seed):
    from autograd_tiny.teach.simplify import number_latex

    for name in ("sheet.tex", "key.tex"):
        tex = written[seed][name].read_text()
        for env, (begins, ends) in environments(tex).items():
            assert begins == ends, (name, env)
        assert tex.count("{") == tex.count("}") + tex.count("\\}") - tex.count("\\{")
    key = written[seed]["key.tex"].read_text()
    for exercise in make_exercises(10, seed):
        for blank in exercise.blanks:
            assert f"${{}} = {{}}$] $\\displaystyle {number_latex(blank.value)}$" in key or \
                f"= {{}}$] $\\displaystyle {number_latex(blank.value)}$" in key
    assert environments(key)["steps"][0] >= 10


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no TeX installation")
def test_tex_compiles(tmp_path):
    files = write_exercises(tmp_path, 3, 11)
    for name in ("sheet.tex", "key.tex"):
        run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", name],
                             cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout[-3000:]
        assert files[name].with_suffix(".pdf").stat().st_size > 10_000


def overfull(log: str) -> list[float]:
    """How many pt each Overfull \\hbox in a pdflatex log is too wide."""
    return [float(pt) for pt in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


@pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer")
def test_graphs_fit_the_page_with_readable_text(written):
    """Every picture is scaled to the text width (481 bp) and one page (680 bp); its
    smallest label, times the scale, stays 6 pt or more: the 2-2-2 network's graph is
    drawn over pages rather than at a third of its size."""
    for seed in SEEDS:
        for name in ("sheet.tex", "key.tex"):
            tex = written[seed][name].read_text()
            parts = re.findall(r"% part of the graph from y=([\d.]+) to y=([\d.]+) bp[^\n]*\n"
                               r"\\scalebox\{([\d.]+)\}(.*?)\\end\{tikzpicture\}", tex, re.S)
            assert len(parts) >= 10, (seed, name)
            for bottom, top, scale, body in parts:
                box = re.search(r"\\useasboundingbox \(([\d.]+),[\d.]+\) rectangle "
                                r"\(([\d.]+),", body)
                width = float(box.group(2)) - float(box.group(1))
                # Cut top and bottom only: a box on the left or right edge keeps its outline.
                clip = re.search(r"\\clip \(([-\d.]+),[\d.]+\) rectangle \(([\d.]+),", body)
                assert float(clip.group(1)) < float(box.group(1))
                assert float(clip.group(2)) > float(box.group(2))
                assert width * float(scale) <= 481.01
                assert (float(top) - float(bottom)) * float(scale) <= 680.01
                smallest = min(float(size) for size in re.findall(r"\\fontsize\{([\d.]+)\}", body))
                assert smallest * float(scale) >= 6.0, (seed, name, scale)
    network = written[7]["key.tex"].read_text().split("Exercise 3:")[1].split("Exercise 4:")[0]
    assert network.count("% part of the graph") == 3  # 2178 bp tall at scale 0.668


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no TeX installation")
def test_the_pages_hold_every_line(written):
    """The newcomer's case: 10 exercises whose key has the 2-2-2 network's long route
    products (they overflowed by up to 1578 pt in align*)."""
    folder = written[7]["key.tex"].parent
    for name in ("sheet", "key"):
        run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                              f"{name}.tex"], cwd=folder, capture_output=True, text=True,
                             timeout=300)
        assert run.returncode == 0, run.stdout[-3000:]
        log = (folder / f"{name}.log").read_text(errors="replace")
        assert not [pt for pt in overfull(log) if pt > 2.0], (name, overfull(log))
        assert "Overfull \\vbox" not in log, name


def test_cli(tmp_path, capsys):
    assert main(["exercises", "--count", "2", "--seed", "5", "--output",
                 str(tmp_path / "out")]) == 0
    assert "wrote 2 exercises (seed 5)" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(FILES)
    (tmp_path / "file").write_text("x")
    assert main(["exercises", "--output", str(tmp_path / "file")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a folder" in err
    assert main(["exercises", "--count", "0", "--output", str(tmp_path)]) == 2
