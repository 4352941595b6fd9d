"""Slides: one frame per backward step, the focus on the right node, the arithmetic
written out, nothing loaded from the network, and the graph left as it was."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import Value, reverse_topological_order
from autograd_tiny.draw.renderer import find_renderer
from autograd_tiny.teach.slides import (COLOR_PAIRS, SLIDE_FOCUS, Frame, Slides, _slide_svg,
                                        build_slides, contrast_ratio, deck_html, inline_svg,
                                        pack_svgs, page, show_backward, unpack_svgs,
                                        write_slides)
from autograd_tiny.teach import backward_steps

FOCUS_COLOR_SLIDES = SLIDE_FOCUS
needs_renderer = pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer")

FRAME = re.compile(r'<section class="frame" id="frame-(\d+)" data-kind="(\w+)">(.*?)</section>',
                   re.DOTALL)


def neuron() -> tuple[Value, dict[str, Value]]:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n}


PACKED = re.compile(r'<script type="application/json" class="atg-svgs">(.*?)</script>\n?',
                    re.DOTALL)
EMPTY_STAGE = re.compile(r'(<section class="frame" id="(?:[\w-]*-)?frame-(\d+)"[^>]*>'
                         r'<div class="atg-stage">)(</div>)')


TERM = re.compile(r'<span class="atg-term">(.*?)</span>')


def expanded(text: str) -> str:
    """A page or inline deck as it was before its SVGs were packed: every frame's SVG in
    its stage (rebuilt in Python as the page's script rebuilds it), no packed data, and
    each callout line's text in one piece (the page wraps it in pieces that break
    only before an equals sign)."""
    text = TERM.sub(r"\1", text)
    match = PACKED.search(text)
    if match is None:
        return text
    deck_id = re.search(r'<div class="atg-deck [^"]*" id="([^"]+)"', text).group(1)
    svgs = unpack_svgs(json.loads(match.group(1)), "" if deck_id == "deck" else f"{deck_id}-")
    assert svgs[0] in text  # the first frame is written out, for the page before its script runs
    text = text[:match.start()] + text[match.end():]
    return EMPTY_STAGE.sub(lambda m: m.group(1) + svgs[int(m.group(2)) - 1] + m.group(3), text)


def frames_of(text: str) -> list[tuple[int, str, str]]:
    return [(int(number), kind, body) for number, kind, body in FRAME.findall(text)]


@pytest.fixture(scope="module")
def neuron_slides(tmp_path_factory):
    if find_renderer() is None:
        pytest.skip("no Graphviz renderer")
    root, leaves = neuron()
    path = write_slides(root, tmp_path_factory.mktemp("slides") / "neuron.html")
    return root, leaves, expanded(path.read_text(encoding="utf-8"))


@needs_renderer
def test_one_frame_per_backward_step(neuron_slides):
    root, _, text = neuron_slides
    frames = frames_of(text)
    kinds = [kind for _, kind, _ in frames]
    steps = list(backward_steps(root))
    assert kinds.count("step") == len(steps) == 9  # 2 edges per * and +, 1 for tanh
    assert kinds.count("forward") == 2  # the labelled ops: n and o
    assert kinds == ["forward"] * 2 + ["start"] + ["step"] * 9 + ["done"]
    assert [number for number, _, _ in frames] == list(range(1, len(frames) + 1))


@needs_renderer
def test_each_step_frame_writes_out_the_arithmetic(neuron_slides):
    root, _, text = neuron_slides
    step_frames = [body for _, kind, body in frames_of(text) if kind == "step"]
    for step, body in zip(backward_steps(root), step_frames):
        shown = html.unescape(body)
        assert step.headline in shown
        for what, arithmetic in step.rows():
            assert arithmetic in shown
    first = html.unescape(step_frames[0])
    assert "∂o/∂n = 1.0 - o * o = 0.5" in first


@needs_renderer
def test_each_step_frame_focuses_its_node_and_edge(neuron_slides):
    _, _, text = neuron_slides
    for _, kind, body in frames_of(text):
        svg = body[body.index("<svg"):body.index("</svg>")]
        focused = svg.count(f'stroke="{SLIDE_FOCUS}"')
        if kind == "step":
            assert focused >= 2, "the node passing gradient and the edge it passes along"
        elif kind in ("forward", "start"):
            assert focused >= 1


@needs_renderer
def test_running_gradients_are_drawn_in_the_step_frames(neuron_slides):
    _, _, text = neuron_slides
    frames = frames_of(html.unescape(text))  # Graphviz writes a minus sign as &#45;
    grads = [re.findall(r">grad (-?[\d.]+)<", body) for _, _, body in frames]
    kinds = [kind for _, kind, _ in frames]
    start = kinds.index("start")
    assert sorted(grads[start]) == ["0.0000"] * 9 + ["1.0000"]  # only o.grad = 1 so far
    # Step 1: o = tanh(n) passes 1 - o*o = 0.5 to n; nothing else has moved.
    assert sorted(grads[start + 1]) == ["0.0000"] * 8 + ["0.5000", "1.0000"]
    # x1 hears 0.5 * w1 = -1.5 in the step that passes it; from then on it is drawn.
    x1_step = next(i for i, (_, kind, body) in enumerate(frames)
                   if kind == "step" and "passes gradient to x1<" in body)
    assert "-1.5000" not in grads[x1_step - 1] and "-1.5000" in grads[x1_step]
    assert sorted(grads[-1]) == sorted(grads[-2])  # the done frame: final gradients
    assert grads[-1].count("1.0000") == 2  # o.grad = 1 and w1.grad = 0.5 * x1 = 1


@needs_renderer
@pytest.mark.parametrize("packed", [False, True])
def test_nothing_is_loaded_from_the_network(neuron_slides, tmp_path, packed):
    _, _, text = neuron_slides  # every frame's SVG written out
    if packed:  # the page as written: the packed SVGs' text, JSON-escaped, read as it is
        text = write_slides(neuron()[0], tmp_path / "n.html").read_text(encoding="utf-8")
        assert PACKED.search(text)
        text = text.replace('\\"', '"').replace("\\/", "/")
    assert not re.search(r"<(script|img|iframe|link|audio|video|source)\b[^>]*\b(src|href)=",
                         text, re.IGNORECASE)
    assert "@import" not in text
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text)
    for attribute in re.findall(r'\b(?:src|href|xlink:href)="([^"]*)"', text):
        assert attribute.startswith("#"), attribute
    # The only URLs left are XML namespace names, which nothing fetches.
    urls = set(re.findall(r"https?://[^\s\"'<>]+", text))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


@needs_renderer
def test_svg_ids_are_unique_across_frames(neuron_slides):
    _, _, text = neuron_slides
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids))


@needs_renderer
def test_the_graph_is_left_as_it_was(tmp_path):
    root, leaves = neuron()
    leaves["w1"].grad = 42.0
    write_slides(root, tmp_path / "s.html")
    assert leaves["w1"].grad == 42.0
    assert all(node.grad == 0.0 for node in reverse_topological_order(root)
               if node is not leaves["w1"])
    assert [p.name for p in tmp_path.iterdir()] == ["s.html"]  # no temporary file left


@needs_renderer
def test_unlabelled_graph_has_a_forward_frame_per_op(tmp_path):
    x = Value(2.0, label="x")
    y = (x * x + 1).log()  # *, +, log
    text = write_slides(y, tmp_path / "s.html").read_text()
    kinds = [kind for _, kind, _ in frames_of(text)]
    assert kinds.count("forward") == 3 and kinds.count("step") == 5  # log 1, + 2, * 2


def test_too_many_steps_is_refused(tmp_path):
    x = Value(1.0, label="x")
    y = x
    for _ in range(30):
        y = y * x
    with pytest.raises(ValueError, match="backward takes 60 steps here, more than max_steps=50"):
        write_slides(y, tmp_path / "s.html", max_steps=50)
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments(tmp_path):
    x = Value(1.0)
    with pytest.raises(TypeError, match="write_slides: root must be a Value, got int"):
        write_slides(1, tmp_path / "s.html")
    with pytest.raises(TypeError, match="write_slides: path must be a str or a path"):
        write_slides(x, 3)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_slides(x, tmp_path / "missing" / "s.html")
    with pytest.raises(TypeError, match="show_backward: root must be a Value, got list"):
        show_backward([x])
    with pytest.raises(TypeError, match="Slides.save: path must be a str or a path, got int"):
        Slides("t", []).save(3)
    # Slides are an HTML page: a picture's suffix is refused before anything is written.
    (tmp_path / "ws.svg").write_text("kept")
    with pytest.raises(ValueError, match=r"write_slides: slides are one HTML page; give a file "
                                         r"name ending in \.html, got '.*ws\.svg'"):
        write_slides(x * 2, tmp_path / "ws.svg")
    with pytest.raises(ValueError, match="Slides.save: slides are one HTML page"):
        Slides("t", []).save(tmp_path / "deck.png")
    assert (tmp_path / "ws.svg").read_text() == "kept" and not (tmp_path / "deck.png").exists()


def test_inline_svg_drops_size_and_prefixes_ids():
    svg = ('<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg width="80pt" height="40pt" '
           'viewBox="0 0 80 40"><defs><clipPath id="c"/></defs>'
           '<g id="node1" clip-path="url(#c)"><a href="#node1">x</a></g></svg>')
    out = inline_svg(svg, "f2-")
    assert out.startswith('<svg viewBox="0 0 80 40">')
    assert 'id="f2-c"' in out and 'url(#f2-c)' in out and 'href="#f2-node1"' in out


def test_page_escapes_text_and_has_controls():
    frame = Frame("step", "a < b & c", (("local", "<script>"),), "<svg></svg>")
    text = page("T & t", [frame])
    assert "a &lt; b &amp; c" in text and "&lt;script&gt;" in text
    assert "<title>T &amp; t</title>" in text
    for control in ('data-go="previous"', 'data-go="next"', 'class="atg-goto"',
                    'data-toggle="atg-large"', 'data-toggle="atg-nolegend"',
                    "ArrowRight", "ArrowLeft"):
        assert control in text


# -- a lecture hall, paper and notebooks ---------------------------------------------------


def tiny_frames(count: int = 3) -> list[Frame]:
    return [Frame("step", f"s{i}", (("local", f"{i} * 2 = {2 * i}"),),
                  '<svg viewBox="0 0 10 10"><g id="node1"><text font-size="14.00">x</text>'
                  '</g></svg>') for i in range(count)]


def test_print_stylesheet_gives_one_frame_per_page_and_hides_the_controls():
    text = page("t", tiny_frames())
    assert "@media print" in text and "@page { size: landscape" in text
    printed = text[text.index("@media print"):]
    rule = re.search(r"\.atg-deck \.frame, \.atg-js \.frame, \.atg-js \.frame\.current \{([^}]*)\}",
                     printed).group(1)
    assert "break-after: page" in rule and "page-break-after: always" in rule
    assert "display: block !important" in rule  # every frame prints, not just the current one
    assert re.search(r"\.atg-nav, [^{]*\.atg-deck button \{ display: none !important; \}", printed)
    # The whole graph fitted on the sheet (the viewBox scales into a fixed box), text under it.
    assert ".atg-stage svg { width: 100% !important; height: 125mm !important;" in printed


def test_text_scales_with_the_window_and_has_lecture_hall_minimums():
    text = page("t", tiny_frames())
    assert "font-size: calc(clamp(16px, 2.2vmin, 34px) * var(--atg-scale))" in text
    # the step's explanation: at least 20 px, 2.9% of the window's smaller side above that
    assert "font-size: calc(clamp(20px, 2.9vmin, 44px) * var(--atg-scale))" in text
    assert ".atg-deck.atg-large { --atg-scale: 1.35; }" in text
    assert "Math.max(14, 0.02 * side)" in text  # graph text never below 14 px on screen
    assert '<svg data-font="14" viewBox="0 0 10 10">' in text


def test_handout_has_every_frame_and_no_buttons_or_script(tmp_path):
    deck = Slides("t", tiny_frames(4))
    text = deck.save(tmp_path / "h.html", handout=True).read_text()
    assert 'class="atg-deck atg-handout"' in text
    assert "<script" not in text and "<button" not in text and 'class="atg-goto"' not in text
    assert len(re.findall(r'<section class="frame"', text)) == 4
    assert "@media print" in text
    assert "body { overflow: hidden; }" not in text  # on screen, a handout scrolls
    assert "body { overflow: hidden; }" in deck.page()  # the presenting page fills the window


def test_inline_decks_are_scoped_and_do_not_share_ids():
    deck = Slides("t", tiny_frames())
    one, two = deck._repr_html_(), deck._repr_html_()
    ids_one = set(re.findall(r'\bid="([^"]+)"', one))
    ids_two = set(re.findall(r'\bid="([^"]+)"', two))
    assert not ids_one & ids_two
    deck_id = re.match(r'<div class="atg-deck atg-inline" id="(atg[0-9a-f]{8})"', one).group(1)
    assert f'document.getElementById("{deck_id}")' in one
    assert "var keys = root;" in one  # keys only for the deck that was clicked
    assert "document.addEventListener" not in one
    assert "http" not in one.replace("http://www.w3.org", "")
    # the standalone page hears keys everywhere
    assert "var keys = document;" in page("t", tiny_frames())


def test_colours_reach_wcag_aa():
    ratios = {name: contrast_ratio(fg, bg) for name, fg, bg in COLOR_PAIRS}
    assert min(ratios.values()) >= 4.5, ratios
    assert round(ratios["focused edge number"], 2) == 6.06
    assert round(contrast_ratio("#ff7f0e", "#ffffff"), 2) == 2.53  # why the focus is darker
    assert round(ratios["navigation bar text"], 2) == 11.48


@needs_renderer
def test_slides_draw_without_legend_at_lecture_size(neuron_slides):
    _, _, text = neuron_slides
    for _, _, body in frames_of(text):
        svg = body[body.index("<svg"):body.index("</svg>")]
        sizes = {float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)}
        assert sizes == {14.0}
        assert "edge number: local derivative" not in svg  # the page's legend has it
    assert 'class="atg-legend"' in text


@needs_renderer
def test_show_backward_displays_inline():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    L = a * b + a
    L.label = "L"
    deck = show_backward(L)
    shown = deck._repr_html_()
    assert shown.count('data-kind="step"') == 4 and "<script>" in shown
    assert "dL/da = 1 - 3 = -2" in html.unescape(expanded(shown))
    assert a.grad == 0.0  # the graph is left as it was


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
def test_chromium_steps_two_inline_decks_independently(tmp_path):
    """Two decks on one page (as in a notebook): a click moves only its own deck."""
    deck = Slides("t", tiny_frames(3))
    probe = """<script>
    window.addEventListener("load", function () {
      var decks = document.querySelectorAll(".atg-deck");
      decks[0].querySelector('[data-go="next"]').click();
      decks[0].querySelector('[data-go="next"]').click();
      decks[1].querySelector('[data-go="last"]').click();
      decks[1].querySelector('[data-go="previous"]').click();
      var out = [];
      decks.forEach(function (d) {
        out.push(d.querySelector(".frame.current").id.replace(d.id + "-", ""));
      });
      document.body.setAttribute("data-result", out.join(","));
    });</script>"""
    path = tmp_path / "two.html"
    path.write_text(f"<!DOCTYPE html><html><body>{deck._repr_html_()}{deck._repr_html_()}"
                    f"{probe}</body></html>")
    result = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                             "--disable-background-networking", "--no-first-run",
                             "--virtual-time-budget=2000", "--dump-dom", path.as_uri()],
                            capture_output=True, text=True, timeout=120)
    assert 'data-result="frame-3,frame-2"' in result.stdout


@needs_renderer
def test_cli_handout_writes_the_printable_page(tmp_path):
    from autograd_tiny.cli import main

    out = tmp_path / "h.html"
    status = main(["slides", "tanh(w*x)", "--set", "w=-3", "x=2", "--output", str(out),
                   "--handout"])
    text = out.read_text()
    assert status == 0 and 'class="atg-deck atg-handout"' in text and "<script" not in text
    assert len(frames_of(text)) == 1 + 1 + 3 + 1  # forward f, start, 3 steps, done


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
def test_chromium_presenter_keys_go_to_font_and_legend(tmp_path):
    """The presenting page in a real browser: keys move, 'g' and a number go to a slide,
    'f' toggles the larger font (the callout's text grows), 'l' hides the legend."""
    probe = """<script>
    window.addEventListener("load", function () {
      function key(k) { document.dispatchEvent(new KeyboardEvent("keydown", {key: k})); }
      function current() { return document.querySelector(".frame.current").id; }
      function callout() { return parseFloat(getComputedStyle(
        document.querySelector(".frame.current .atg-math")).fontSize); }
      var seen = [current()];
      key("ArrowRight"); key(" "); seen.push(current());
      key("ArrowLeft"); seen.push(current());
      key("End"); seen.push(current());
      var goto = document.querySelector(".atg-goto");
      key("g"); seen.push(document.activeElement === goto);
      goto.value = "2"; goto.dispatchEvent(new Event("change")); seen.push(current());
      var small = callout(); key("f"); seen.push(Math.round(100 * callout() / small));
      key("l"); seen.push(getComputedStyle(document.querySelector(".atg-legend")).display);
      document.body.setAttribute("data-result", seen.join(","));
    });</script>"""
    path = tmp_path / "deck.html"
    path.write_text(page("t", tiny_frames(5)).replace("</body>", probe + "</body>"))
    result = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                             "--disable-background-networking", "--no-first-run",
                             "--window-size=1280,807", "--virtual-time-budget=2000",
                             "--dump-dom", path.as_uri()],
                            capture_output=True, text=True, timeout=120)
    assert ('data-result="frame-1,frame-3,frame-2,frame-5,true,frame-2,135,none"'
            in result.stdout), result.stdout[-400:]


# -- a network, layer by layer (issue 9, section 5) -----------------------------------------


def mazur_model():
    from autograd_tiny import MLP

    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    weights = [[0.15, 0.20], [0.25, 0.30], [0.40, 0.45], [0.50, 0.55]]
    neurons = [n for layer in model.layers for n in layer.neurons]
    for neuron, row, bias in zip(neurons, weights, [0.35, 0.35, 0.60, 0.60]):
        for parameter, value in zip(neuron.w, row):
            parameter.data = value
        neuron.b.data = bias
    return model


@pytest.fixture(scope="module")
def network_deck():
    if find_renderer() is None:
        pytest.skip("no Graphviz renderer")
    from autograd_tiny import network_slides

    model = mazur_model()
    for parameter in model.parameters():
        parameter.grad = 7.0
    deck = network_slides(model, [0.05, 0.1], [0.01, 0.99])
    assert all(parameter.grad == 7.0 for parameter in model.parameters())  # left alone
    return deck


@needs_renderer
def test_network_slides_go_layer_by_layer_with_mazurs_numbers(network_deck):
    headings = [frame.heading for frame in network_deck.frames]
    assert headings == ["forward: E = 0.298371109",
                        "output layer: neuron L2.N1", "output layer: neuron L2.N2",
                        "hidden layer 1: neuron L1.N1", "hidden layer 1: neuron L1.N2",
                        "update every weight: w - 0.5 * dE/dw"]
    o1 = dict(network_deck.frames[1].lines)
    assert o1["δ = dE/dnet"] == "= 0.74136507 * 0.186815602 = 0.138498562"
    assert o1["L2.N1.w1"] == ("dE/dL2.N1.w1 = δ * out of L1.N1 = 0.138498562 * 0.593269992 "
                              "= 0.082167041")  # Mazur's dE/dw5
    h1 = dict(network_deck.frames[3].lines)
    assert h1["dE/dout"] == ("= δ L2.N1 * L2.N1.w1 + δ L2.N2 * L2.N2.w1 = 0.138498562 * 0.4 "
                             "- 0.038098237 * 0.5 = 0.036350306")
    assert h1["L1.N1.w1"].endswith("= 0.008771355 * 0.05 = 0.000438568")  # dE/dw1
    update = dict(network_deck.frames[-1].lines)
    # Mazur's updated weights w5, w6, w7, w8 and w1..w4
    assert [update[f"L2.N{j}.w{k}"].rsplit(" = ", 1)[1] for j in (1, 2) for k in (1, 2)] == \
        ["0.35891648", "0.408666186", "0.51130127", "0.561370121"]
    assert [update[f"L1.N{j}.w{k}"].rsplit(" = ", 1)[1] for j in (1, 2) for k in (1, 2)] == \
        ["0.149780716", "0.199561432", "0.249751144", "0.299502287"]


@needs_renderer
def test_network_frames_focus_the_neuron_and_show_every_name_they_use(network_deck):
    for frame in network_deck.frames:
        svg = html.unescape(frame.svg)
        text = " ".join(f"{what} {line}" for what, line in frame.lines)
        for name in set(re.findall(r"\b(?:L\d\.N\d(?:\.(?:w\d|b))?|x\d)\b", text)):
            assert name in svg, (frame.heading, name)
        if frame.kind == "step":
            neuron = frame.heading.rsplit(" ", 1)[1]
            group = re.search(rf"<title>{re.escape(neuron)}</title>(?:\s*<g [^>]*><a [^>]*>)?"
                              rf"\s*<ellipse[^>]*>", svg)
            assert group and f'stroke="{FOCUS_COLOR_SLIDES}"' in group.group(0)
            assert frame.anchor == "node"
    text = network_deck.page(handout=True)
    assert text.count('<section class="frame"') == 6 and "<script" not in text
    assert "in each neuron: net, out, δ = dE/dnet, bias" in text


def test_smallest_font_is_recorded_whatever_the_svg_tag_layout():
    from autograd_tiny.teach.slides import _slide_svg

    svg = ('<?xml version="1.0"?>\n<svg width="8pt"\n height="4pt"\n viewBox="0 0 8 4">'
           '<text font-size="14.00">a</text><text font-size="11.00">b</text></svg>')
    assert _slide_svg(svg, "f1-").startswith('<svg data-font="11" viewBox="0 0 8 4">')


@needs_renderer
def test_network_slides_with_one_bias_per_layer_add_up_each_neurons_delta():
    # Mazur's network shares b2 between o1 and o2: o1's frame must not claim the total
    from autograd_tiny.teach.slides import network_slides
    from autograd_tiny.teach.walkthrough import model

    deck = network_slides(model(), [0.05, 0.1], [0.01, 0.99], input_names=["i1", "i2"],
                          biases=False, error_name="E_total")
    lines = {frame.heading: dict(frame.lines) for frame in deck.frames}
    assert lines["output layer: neuron o1"]["b2"] == ("dE_total/db2 gets δ = 0.138498562, "
                                                      "more to come")
    assert lines["output layer: neuron o2"]["b2"].endswith(
        "from both neurons of the layer: 0.100400325")  # 0.138498562 - 0.038098237
    done = lines["update every weight: w - 0.5 * dE_total/dw"]
    assert sorted(done) == [f"w{k}" for k in range(1, 9)]  # Mazur updates the weights only
    assert done["w5"] == "0.4 - 0.5 * 0.082167041 = 0.35891648"


@needs_renderer
def test_network_slides_call_the_error_by_the_name_they_are_given():
    # The demo's console says E_total (Mazur's name): its slides and their pictures too.
    from autograd_tiny.teach.slides import network_slides
    from autograd_tiny.teach.walkthrough import model

    deck = network_slides(model(), [0.05, 0.1], [0.01, 0.99], input_names=["i1", "i2"],
                          error_name="E_total")
    o1 = dict(deck.frames[1].lines)
    assert o1["dE_total/dout"] == "= 0.74136507    (from the error)"
    assert o1["δ = dE_total/dnet"] == "= 0.74136507 * 0.186815602 = 0.138498562"
    assert o1["w5"] == "dE_total/dw5 = δ * out of h1 = 0.138498562 * 0.593269992 = 0.082167041"
    assert deck.frames[0].lines[-1] == ("error", "E_total = 0.298371109")
    for frame in deck.frames:
        svg = html.unescape(frame.svg)
        assert "<title>E_total</title>" in svg and "<title>E</title>" not in svg
        text = frame.heading + " ".join(f"{what} {line}" for what, line in frame.lines)
        assert "E_total" in text or "dE_total/" in text
        assert not re.search(r"\bE\b|dE/", text), frame.heading
    page_text = html.unescape(deck.page())
    assert "error E_total" in page_text and "δ = dE_total/dnet" in page_text
    assert "dE/" not in page_text


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--no-first-run", "--virtual-time-budget=3000", "--dump-dom"]


def demo_deck(name: str, folder) -> str:
    """A page as a lecture starts with it: the network slides `make demo` writes (Mazur's
    2-2-2 network, its title and names), or the README's op-level deck of (a*b + c)*f."""
    import contextlib
    import io

    from autograd_tiny.cli import main
    from autograd_tiny.teach.walkthrough import compute, write_files

    if name == "network":
        write_files(compute(steps=0), folder)
        return (folder / "slides.html").read_text(encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["slides", "(a*b + c)*f", "--set", "a=2", "b=-3", "c=10", "f=-2",
                     "--name", "L", "--output", str(folder / "lecture.html")]) == 0
    return (folder / "lecture.html").read_text(encoding="utf-8")


# Steps through every frame with the arrow key, as a lecturer does, and measures each.
FIT_PROBE = """<script>
window.addEventListener("load", function () { setTimeout(function () {
  var frames = document.querySelectorAll(".frame"), measured = [];
  for (var i = 0; i < frames.length; i++) {
    if (i) { document.dispatchEvent(new KeyboardEvent("keydown", {key: "ArrowRight"})); }
    var frame = document.querySelector(".frame.current");
    var stage = frame.querySelector(".atg-stage"), svg = stage.querySelector("svg");
    var s = stage.getBoundingClientRect();
    var scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    var smallest = 1e9, outside = [];
    svg.querySelectorAll("text").forEach(function (t) {
      smallest = Math.min(smallest, parseFloat(t.getAttribute("font-size")) * scale);
    });
    svg.querySelectorAll("g.node, g.edge").forEach(function (g) {
      var r = g.getBoundingClientRect();
      if (r.left < s.left - 1 || r.right > s.right + 1 || r.top < s.top - 1 ||
          r.bottom > s.bottom + 1) { outside.push(g.querySelector("title").textContent); }
    });
    var callout = frame.querySelector(".atg-callout").getBoundingClientRect();
    var focusOutside = [];  // the focus (node or edge) cut by the stage's edge
    svg.querySelectorAll('[stroke="@FOCUS@"]').forEach(function (mark) {
      var g = mark.closest("g.node, g.edge") || mark, r = g.getBoundingClientRect();
      if (r.left < s.left - 1 || r.right > s.right + 1 || r.top < s.top - 1 ||
          r.bottom > s.bottom + 1) { focusOutside.push(g.querySelector("title").textContent); }
    });
    measured.push({outside: outside, smallest: smallest, focusOutside: focusOutside,
      scrolls: stage.scrollHeight > stage.clientHeight + 1 ||
               stage.scrollWidth > stage.clientWidth + 1 ||
               document.scrollingElement.scrollHeight > window.innerHeight + 1,
      callout: [callout.bottom, callout.right],
      text: parseFloat(getComputedStyle(frame.querySelector(".atg-rows")).fontSize)});
  }
  document.body.setAttribute("data-result", JSON.stringify({
    inner: [window.innerWidth, window.innerHeight], frames: measured,
    nodes: document.querySelector(".frame.current svg").querySelectorAll("g.node").length}));
}, 300); });</script>"""


def _fitted_in_chromium(text: str, folder, width: int, height: int) -> dict:
    page_path = folder / "probed.html"
    probe = FIT_PROBE.replace("@FOCUS@", SLIDE_FOCUS)
    page_path.write_text(text.replace("</body>", probe + "</body>"), encoding="utf-8")
    run = subprocess.run(["chromium", *CHROMIUM_FLAGS, f"--window-size={width},{height}",
                          page_path.as_uri()], capture_output=True, text=True, timeout=120)
    return json.loads(html.unescape(re.search(r'data-result="([^"]*)"', run.stdout).group(1)))


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
@needs_renderer
@pytest.mark.parametrize("width, height", [(1280, 720), pytest.param(1920, 1080, marks=pytest.mark.slow)])
def test_chromium_op_level_deck_opens_on_the_whole_graph_then_follows_the_focus(
        tmp_path, browser_chrome_height, width, height):
    """`make demo`'s op-level deck of Mazur's network is too wide to show whole with
    14 px text on a 16:9 screen: its first frame shows the whole graph (every node and
    edge inside the frame), each later one keeps the text at lecture size and the node
    or edge in focus inside the frame, none of it cut."""
    from autograd_tiny.teach.walkthrough import compute, write_files

    write_files(compute(steps=0), tmp_path)
    text = (tmp_path / "graph_slides.html").read_text(encoding="utf-8")
    result = _fitted_in_chromium(text, tmp_path, width, height + browser_chrome_height)
    assert result["inner"] == [width, height]
    first, *rest = result["frames"]
    assert first["outside"] == [] and not first["scrolls"], first
    assert len(rest) > 40
    for number, frame in enumerate(rest, 2):
        assert frame["focusOutside"] == [], (number, frame["focusOutside"])
        assert frame["smallest"] >= max(14, 0.02 * height) - 0.01, (number, frame)
        assert frame["callout"][0] <= height and frame["callout"][1] <= width, (number, frame)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
@needs_renderer
@pytest.mark.parametrize("deck", ["network", "expression"])
@pytest.mark.parametrize("width, height", [(1280, 720), pytest.param(1920, 1080, marks=pytest.mark.slow)])
def test_chromium_every_frame_of_the_demo_decks_fits_with_text_at_lecture_size(
        tmp_path, browser_chrome_height, deck, width, height):
    """Every frame of `make demo`'s network deck and of the (a*b + c)*f deck shows
    whole at 1280x720 and 1920x1080: every node (the error E_total too) and edge inside
    the frame and the step's arithmetic on screen, nothing to scroll; the graph's
    smallest text at least 14 px (2% of the window's height on a big screen) and the
    arithmetic at least 16 px."""
    text = demo_deck(deck, tmp_path)
    result = _fitted_in_chromium(text, tmp_path, width, height + browser_chrome_height)
    assert result["inner"] == [width, height]
    # i1 i2 h1 h2 o1 o2 E_total; a, b, c, f, a*b, a*b + c, L and the three ops
    assert result["nodes"] == {"network": 7, "expression": 10}[deck]
    assert len(result["frames"]) == text.count('<section class="frame"') > 5
    for number, frame in enumerate(result["frames"], 1):
        assert frame["outside"] == [] and not frame["scrolls"], (number, frame)
        assert frame["callout"][0] <= height and frame["callout"][1] <= width, (number, frame)
        assert frame["smallest"] >= max(14, 0.02 * height) - 0.01, (number, frame)
        assert frame["text"] >= 16, (number, frame)


# Steps through every frame and reports where the leader runs (its points, in window
# pixels), the focus, and every node's outline and every text of the graph.
LEADER_PROBE = """<script>
window.addEventListener("load", function () { setTimeout(function () {
  function box(e) { var r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }
  var frames = document.querySelectorAll(".frame"), measured = [];
  for (var i = 0; i < frames.length; i++) {
    if (i) { document.dispatchEvent(new KeyboardEvent("keydown", {key: "ArrowRight"})); }
    var frame = document.querySelector(".frame.current");
    var band = frame.querySelector(".atg-band").getBoundingClientRect();
    var leader = frame.querySelector(".atg-leader"), line = leader.querySelector("polyline");
    var points = null;
    if (getComputedStyle(leader).display !== "none") {
      points = line ? line.getAttribute("points").trim().split(/\\s+/).map(function (p) {
        var xy = p.split(",").map(Number); return [xy[0] + band.left, xy[1] + band.top];
      }) : [];
    }
    var kind = frame.getAttribute("data-anchor") === "node" ? "node" : "edge", focus = null;
    frame.querySelectorAll('.atg-stage [stroke="@FOCUS@"]').forEach(function (m) {
      var g = m.closest("g.edge, g.node");
      if (g && (!focus || g.classList.contains(kind))) { focus = g; }
    });
    var svg = frame.querySelector(".atg-stage svg"), shapes = [], texts = [];
    svg.querySelectorAll("g.node").forEach(function (g) {
      var o = g.querySelector("ellipse, polygon, path");
      if (o) shapes.push({title: g.querySelector("title").textContent, box: box(o),
                   round: o.tagName === "ellipse", focus: g === focus});
    });
    svg.querySelectorAll("text").forEach(function (t) {
      texts.push({text: t.textContent, box: box(t), inFocus: !!focus && focus.contains(t)});
    });
    measured.push({points: points, kind: kind, shapes: shapes, texts: texts,
                   focus: focus && box(focus.querySelector(
                     focus.classList.contains("node") ? "ellipse, polygon" : "path")),
                   callout: box(frame.querySelector(".atg-callout"))});
  }
  document.body.setAttribute("data-result", JSON.stringify(measured));
}, 300); });</script>"""


def _meets_box(a, b, box, round_=False) -> bool:
    """Whether the segment a-b passes through ``box`` (l, t, r, b), or the ellipse in it."""
    l, t, r, bt = box
    steps = max(2, int(((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5))
    cx, cy, rx, ry = (l + r) / 2, (t + bt) / 2, (r - l) / 2, (bt - t) / 2
    for k in range(steps + 1):  # a point every pixel or so
        x, y = a[0] + (b[0] - a[0]) * k / steps, a[1] + (b[1] - a[1]) * k / steps
        if round_:
            if rx > 0 and ry > 0 and ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 < 1:
                return True
        elif l < x < r and t < y < bt:
            return True
    return False


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
@needs_renderer
@pytest.mark.parametrize("deck", ["network", "expression"])
@pytest.mark.parametrize("width, height", [(1280, 720), pytest.param(1920, 1080, marks=pytest.mark.slow)])
def test_chromium_the_leader_runs_from_the_focus_to_the_callout_through_no_text(
        tmp_path, browser_chrome_height, deck, width, height):
    """The dashed line from a step's text to what it is about starts at the focus's
    border (the neuron in focus, or the middle of the edge at work), ends on the
    callout's top, and passes through no other node and no text: at frame 2 of the
    network deck it used to run straight down through o2's numbers."""
    text = demo_deck(deck, tmp_path)
    page_path = tmp_path / "probed.html"
    page_path.write_text(text.replace("</body>", LEADER_PROBE.replace("@FOCUS@", SLIDE_FOCUS)
                                      + "</body>"), encoding="utf-8")
    run = subprocess.run(["chromium", *CHROMIUM_FLAGS,
                          f"--window-size={width},{height + browser_chrome_height}",
                          page_path.as_uri()], capture_output=True, text=True, timeout=120)
    frames = json.loads(html.unescape(re.search(r'data-result="([^"]*)"', run.stdout).group(1)))
    drawn = 0
    for number, frame in enumerate(frames, 1):
        if frame["focus"] is None:
            continue
        points = frame["points"]
        assert points and len(points) >= 2, (number, points)
        drawn += 1
        fl, ft, fr, fb = frame["focus"]
        x, y = points[0]
        assert fl - 5 <= x <= fr + 5 and ft - 5 <= y <= fb + 5, (number, points[0], frame["focus"])
        cl, ct, cr, _ = frame["callout"]
        assert abs(points[-1][1] - ct) <= 2 and cl <= points[-1][0] <= cr, (number, points[-1])
        for a, b in zip(points, points[1:]):
            for shape in frame["shapes"]:
                if shape["focus"] and frame["kind"] == "node":
                    continue
                assert not _meets_box(a, b, shape["box"], shape["round"]), (number, shape["title"])
            for t in frame["texts"]:
                if frame["kind"] == "node" and t["inFocus"]:
                    continue
                assert not _meets_box(a, b, t["box"]), (number, t["text"])
    assert drawn >= {"network": 4, "expression": 6}[deck]


# -- the packed SVGs: the same frames, a fraction of the size -------------------------------

SVG_LINES = st.lists(st.sampled_from(['<g id="node1" class="node">', "<title>a</title>",
                                      '<text x="1">grad 0.0000</text>', '<text x="12">grad 0.5000</text>',
                                      '<text x="12">grad -1.0000 (a longer line)</text>',
                                      '<text x="12">𝑥 grad -1.0000 (a longer line)</text>', '<path fill="url(#g)"/>',
                                      '<a xlink:href="#e">', "</g>", "<!-- a -->", ""]),
                     max_size=12)


@given(st.lists(SVG_LINES, min_size=1, max_size=6), st.sampled_from(["", "atg0123abcd-"]))
@settings(max_examples=200)
def test_packing_rebuilds_any_frames_exactly(bodies, prefix):
    svgs = ['<?xml version="1.0"?>\n<svg width="8pt" height="4pt"\n viewBox="0 0 8 4">\n'
            + "\n".join(body) + "\n</svg>" for body in bodies]
    packed = pack_svgs(svgs)
    assert unpack_svgs(json.loads(json.dumps(packed)), prefix) == [
        _slide_svg(svg, f"{prefix}f{number}-") for number, svg in enumerate(svgs, 1)]


@needs_renderer
def test_each_frame_rebuilds_to_the_svg_it_used_to_embed():
    """What a page or an inline deck carries, unpacked, is frame by frame the SVG the
    slides wrote out in full before they were packed (``_slide_svg`` of the frame)."""
    deck = build_slides(neuron()[0])
    for text, prefix in ((deck.page(), ""),
                         (deck_html(deck.title, deck.frames, "atg0123abcd", inline=True),
                          "atg0123abcd-")):
        svgs = unpack_svgs(json.loads(PACKED.search(text).group(1)), prefix)
        assert svgs == [_slide_svg(frame.svg, f"{prefix}f{number}-")
                        for number, frame in enumerate(deck.frames, 1)]
        written = PACKED.sub("", text)
        assert written.count("<svg data-font=") == 1 and svgs[0] in written  # the first only
        assert len(re.findall(EMPTY_STAGE, text)) == len(deck.frames) - 1


@needs_renderer
def test_decks_are_a_fraction_of_frames_times_their_svg(tmp_path):
    """`make demo`'s op-level deck of Mazur's network (49 frames) used to write every
    frame's SVG in full (2.7 MB); packed, it is under 15% of that (0.25 MB). A chain
    of ops packs smaller still as it grows: 60 ops (150 frames) from 20 MB to 0.7 MB;
    here 24 ops (50 frames, to keep the test quick) from 2.2 MB to under 15% too."""
    import random

    from autograd_tiny.teach.walkthrough import compute, write_files

    write_files(compute(steps=0), tmp_path)
    rng = random.Random(1)
    pool = [Value(rng.uniform(-2, 2), label=f"x{i}") for i in range(6)]
    while len(pool) < 24:
        a, b = pool[-1], rng.choice(pool)
        pool.append(rng.choice([a + b, a * b, a - b, a.tanh()]))
    chain = write_slides(pool[-1], tmp_path / "chain.html", max_steps=1000)
    for path, most, least_frames in ((tmp_path / "graph_slides.html", 0.15, 49),
                                     (chain, 0.15, 50)):
        text = path.read_text(encoding="utf-8")
        full = expanded(text)  # the page with every frame's SVG written out, as it was
        frames = text.count('<section class="frame"')
        one_svg = len(re.search(r"<svg\b.*?</svg>", text, re.DOTALL).group(0))
        assert frames >= least_frames
        assert len(text) < most * len(full), (path.name, len(text), len(full))
        assert len(text) < most * frames * one_svg


PRESENTED = """<script>
window.addEventListener("load", function () { setTimeout(function () {
  var deck = document.querySelector(".atg-deck"), shown = [];
  function drawn(stage) {  // its SVG, less the size the page's layout gives the one shown
    var copy = stage.cloneNode(true), svg = copy.querySelector("svg");
    if (svg) { svg.removeAttribute("style"); }
    return copy.innerHTML;
  }
  var frames = deck.querySelectorAll(".frame");
  if (deck.classList.contains("atg-handout")) {
    frames.forEach(function (f) { shown.push(drawn(f.querySelector(".atg-stage"))); });
  } else if (@PRINT@) {  // printing builds every frame at once
    window.dispatchEvent(new Event("beforeprint"));
    frames.forEach(function (f) { shown.push(drawn(f.querySelector(".atg-stage"))); });
  } else {
    for (var i = 0; i < frames.length; i++) {  // stepped through, as a lecturer does
      if (i) { deck.querySelector('[data-go="next"]').click(); }
      shown.push(drawn(deck.querySelector(".frame.current .atg-stage")));
    }
  }
  document.body.setAttribute("data-result", JSON.stringify(shown));
}, 300); });</script>"""


def _stages_in_chromium(text: str, path, printing: bool = False) -> list[str]:
    path.write_text(text.replace("</body>", PRESENTED.replace("@PRINT@", str(printing).lower())
                                 + "</body>"), encoding="utf-8")
    run = subprocess.run(["chromium", *CHROMIUM_FLAGS, "--window-size=1280,800", path.as_uri()],
                         capture_output=True, text=True, timeout=120)
    return json.loads(html.unescape(re.search(r'data-result="([^"]*)"', run.stdout).group(1)))


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
@needs_renderer
def test_chromium_rebuilds_every_frame_as_the_handout_draws_it(tmp_path):
    """The page's script rebuilds each frame's SVG, stepping through `make demo`'s
    op-level deck, to the very DOM the handout (every SVG written out) gives; an inline
    deck the same, and printing builds every frame at once."""
    from autograd_tiny.teach.walkthrough import compute, write_files

    write_files(compute(steps=0), tmp_path)
    deck = build_slides(neuron()[0])
    inline = deck_html(deck.title, deck.frames, "atg0123abcd", inline=True)
    for presenting, handout, printing in (
            ((tmp_path / "graph_slides.html").read_text(encoding="utf-8"), None, False),
            (f"<!DOCTYPE html><html><body>{inline}</body></html>",
             f"<!DOCTYPE html><html><body>{deck_html(deck.title, deck.frames, 'atg0123abcd', handout=True)}</body></html>",
             True)):
        if handout is None:  # the same deck's handout page
            handout = presenting
            handout = expanded(handout).replace('class="atg-deck atg-page"',
                                                'class="atg-deck atg-handout"')
            handout = re.sub(r"<script>.*?</script>", "", handout, flags=re.DOTALL)
        shown = _stages_in_chromium(presenting, tmp_path / "presenting.html", printing)
        drawn = _stages_in_chromium(handout, tmp_path / "handout.html")
        assert len(shown) == len(drawn) > 5 and all("<svg" in svg for svg in shown)
        assert shown == drawn


class _Line:
    """A line of a frame that counts every comparison and hash made of it: the work a
    diff does, measured without a clock."""

    work = 0

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        _Line.work += 1
        return isinstance(other, _Line) and self.text == other.text

    def __hash__(self) -> int:
        _Line.work += 1
        return hash(self.text)


def _frames_like_a_deck(count: int, size: int) -> list[list[_Line]]:
    """``count`` frames of ``size`` lines, as a deck's are: a closing ``</g>`` every
    few lines (the same line, many times), the rest unique; each frame changes the line
    in focus near the top and a grad near the bottom, and every third one inserts a line."""
    lines = [("</g>" if k % 4 == 3 else f'<text x="{k}">v</text>') for k in range(size)]
    frames = [list(lines)]
    for n in range(1, count):
        lines = list(lines)
        lines[n % 10] = f'<text x="{n % 10}">focus {n}</text>'
        lines[-1 - n % 10] = f'<text x="{n}">grad {n}</text>'
        if n % 3 == 0:
            lines.insert(len(lines) // 2, f'<path d="{n}"/>')
        frames.append(lines)
    return [[_Line(text) for text in frame] for frame in frames]


def test_packing_grows_linearly_with_the_frames_lines(monkeypatch):
    """Frames a few lines apart are matched through their unique lines: the work grows
    with the lines, not their square. The work counted: every comparison and hash of a
    line, and for each use of difflib the pairs of lines it may compare (its worst case;
    it compares whole lines by index, out of sight of the count). Four times the lines
    a frame: about four times the work. (difflib over whole frames: sixteen times, and
    a 60-factor product's slides took minutes.)"""
    import difflib

    import autograd_tiny.teach.slides as slides

    class Counted(difflib.SequenceMatcher):
        def __init__(self, isjunk, a, b, autojunk=True):
            _Line.work += len(a) * len(b)
            super().__init__(isjunk, a, b, autojunk)

    monkeypatch.setattr(slides.difflib, "SequenceMatcher", Counted)
    work = {}
    for size in (400, 1600):
        frames = _frames_like_a_deck(12, size)
        _Line.work = 0
        for before, after in zip(frames, frames[1:]):
            runs = slides._changed_runs(before, after)
            rebuilt, at = [], 0
            for i1, i2, j1, j2 in runs:  # old with each run replaced is new
                rebuilt += before[at:i1] + after[j1:j2]
                at = i2
            assert [line.text for line in rebuilt + before[at:]] == [
                line.text for line in after]
            assert sum(j2 - j1 for _, _, j1, j2 in runs) <= 3  # no more than changed
        work[size] = _Line.work
    assert work[400] < 40 * 400 * 11  # a few dozen operations a line
    assert work[1600] < 5 * work[400], work


@needs_renderer
def test_forward_frames_follow_the_model_neuron_by_neuron():
    """A 2-2-1 sigmoid network written out by hand: the forward frames go as the model
    computes, h1's net and out before h2's, then the output (not level by level, and
    not h2 first); each frame's count says only where it is, its heading says what."""
    x1, x2 = Value(0.05, label="x1"), Value(0.1, label="x2")
    nodes = {}
    for name, (a, b) in (("h1", (0.15, 0.2)), ("h2", (0.25, 0.3))):
        net = Value(a, label=f"w_{name}1") * x1 + Value(b, label=f"w_{name}2") * x2
        net.label = f"net_{name}"
        nodes[name] = net.sigmoid() if hasattr(net, "sigmoid") else net.tanh()
        nodes[name].label = f"out_{name}"
    o = nodes["h1"] * Value(0.4, label="w5") + nodes["h2"] * Value(0.45, label="w6")
    o.label = "o"
    deck = build_slides(o)
    assert [f.heading for f in deck.frames if f.kind == "forward"] == [
        "forward: net_h1", "forward: out_h1", "forward: net_h2", "forward: out_h2",
        "forward: o"]
    counts = re.findall(r'<p class="atg-count">([^<]*)</p>', deck.page())
    assert counts == [f"{n} / {len(deck)}" for n in range(1, len(deck) + 1)]


@needs_renderer
def test_network_forward_frame_shows_forward_numbers_only():
    """The network deck's forward frame: net, out and the error, no delta, no dE/dw and
    no dE/dout yet; the backward frames show them. The update frame writes a negative
    gradient in brackets (``0.5 * (-0.02)``, not ``0.5 * -0.02``)."""
    from autograd_tiny import MLP
    from autograd_tiny.draw.network import DELTA, draw_network
    from autograd_tiny.teach.slides import network_slides

    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    deck = network_slides(model, [0.05, 0.1], [0.01, 0.99], error_name="E_total")
    forward, first_step = deck.frames[0], deck.frames[1]
    assert forward.kind == "forward" and first_step.kind == "step"
    assert "out " in forward.svg and "E_total" in forward.svg
    for shown in (DELTA, "grad ", "dE_total/dout"):
        assert shown not in forward.svg and shown in first_step.svg, shown
    picture = draw_network(model, inputs=[0.05, 0.1], target=[0.01, 0.99],
                           show_gradients=False)
    drawn = re.sub(r"\tgraph \[.*\n", "", picture.source)  # less the caption (its key)
    assert "net " in drawn and DELTA not in drawn and "grad" not in drawn
    updates = deck.frames[-1].lines
    negative = [w for w in model.parameters() if w.grad < 0]
    assert not negative  # .grad left as it was (zero)
    assert all(" * -" not in text for _, text in updates)
    assert any("* (-" in text for _, text in updates)


def _svg_texts(svg: str) -> dict[str, list[str]]:
    """Each node's and edge's texts in a frame's SVG, by its title (``o1``, ``h1->o1``)."""
    import xml.etree.ElementTree as ET

    found = {}
    for g in ET.fromstring(svg).iter():
        if g.tag.rsplit("}", 1)[-1] == "g" and g.get("class") in ("node", "edge"):
            parts = [(e.tag.rsplit("}", 1)[-1], e.text or "") for e in g.iter()]
            title = next(text for tag, text in parts if tag == "title")
            found[title] = [text for tag, text in parts if tag == "text"]
    return found


@needs_renderer
def test_network_deck_pictures_show_only_what_backpropagation_has_reached(tmp_path):
    """`make demo`'s network deck, frame by frame as the page rebuilds it: the picture
    at o1's step has o1's delta and w5's gradient but not h1's delta nor w1's gradient,
    and the shared bias b2 has o1's delta alone (0.138498562), not the total; o2's step
    adds o2's (0.100400325 in all); the update frame shows every gradient."""
    text = demo_deck("network", tmp_path)
    frames = [_svg_texts(svg) for svg in unpack_svgs(json.loads(PACKED.search(text).group(1)))]
    headings = re.findall(r'<h2[^>]*>(.*?)</h2>', text)
    assert len(frames) == 6 and "neuron o1" in headings[1] and "update" in headings[5]

    def shown(frame, title):  # "δ ?" / "grad ?" read as not shown
        return [t for t in frame[title] if t.startswith(("δ ", "grad ")) and "?" not in t]

    forward, o1_step, o2_step, h1_step, h2_step, update = frames
    assert shown(forward, "o1") == [] and shown(forward, "h1->o1") == []
    assert shown(o1_step, "o1") == ["δ 0.138498562", "grad 0.138498562"]  # δ o1; b2 so far
    assert shown(o1_step, "h1") == [] and "δ ?" in o1_step["h1"]
    assert shown(o1_step, "h1->o1") == ["grad 0.082167041"]  # w5
    assert shown(o1_step, "i1->h1") == [] and "grad ?" in o1_step["i1->h1"]  # w1
    assert shown(o1_step, "h1->o2") == []  # w7: o2 comes next
    assert shown(o2_step, "o1")[-1] == shown(o2_step, "o2")[-1] == "grad 0.100400325"
    assert shown(o2_step, "h1") == [] and shown(h1_step, "h2") == ["grad 0.008771355"]  # b1
    assert shown(h1_step, "i1->h1") == ["grad 0.000438568"] and shown(h1_step, "i1->h2") == []
    assert shown(h2_step, "h2")[-1] == "grad 0.018725609"  # b1: both hidden neurons' deltas
    for title, texts in update.items():
        assert not any("?" in t for t in texts), title
        if "->" in title and not title.endswith("E_total"):
            assert len(shown(update, title)) == 1, title  # every weight's gradient
    assert [len(shown(update, n)) for n in ("h1", "h2", "o1", "o2")] == [2, 2, 2, 2]


@needs_renderer
def test_a_bias_shared_by_three_neurons_adds_up_in_text_and_picture():
    """A layer of 3 with one bias: the text says "from all 3 neurons" (2 say "both"),
    and each step's picture shows the bias's gradient as the deltas summed so far."""
    from autograd_tiny import MLP
    from autograd_tiny.teach.slides import network_slides

    model = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    model.tie_biases()
    deck = network_slides(model, [0.05, 0.1], [0.5])
    steps = [frame for frame in deck.frames if frame.heading.startswith("hidden layer 1")]
    texts = [dict(frame.lines)["L1.b"] for frame in steps]
    assert [t.endswith(", more to come") for t in texts] == [True, True, False]
    assert "; from all 3 neurons of the layer: " in texts[2]
    deltas = [float(re.search(r"gets δ = (\S+?)[,;]", t).group(1)) for t in texts]
    total = float(texts[2].rsplit(": ", 1)[1])
    assert total == pytest.approx(sum(deltas), abs=2e-9)
    # each step's picture: the bias's sum so far, the same in all three circles
    for k, frame in enumerate(steps):
        drawn = _svg_texts(frame.svg)
        so_far = {drawn[f"L1.N{j}"][-1] for j in (1, 2, 3)}
        assert len(so_far) == 1
        assert float(so_far.pop().split()[1]) == pytest.approx(sum(deltas[:k + 1]), abs=2e-9)


@needs_renderer
@pytest.mark.parametrize("expression, settings, warning", [
    ("a**b", ["a=-1", "b=0.5"], "a ** b turned finite inputs into nan: a = -1.0, b = 0.5"),
    ("sqrt(x)*2", ["x=0"],
     "sqrt has local derivative d/dx = inf at a finite input: sqrt(x) with x = 0.0"),
])
def test_slides_of_nan_are_written_with_a_one_line_warning(expression, settings, warning,
                                                           tmp_path, capsys):
    from autograd_tiny.cli import main
    out = tmp_path / "s.html"
    assert main(["slides", expression, "--set", *settings, "--output", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err == f"autograd-tiny: warning: {warning}\n"
    assert out.exists() and captured.out.startswith(f"wrote {out}")
    assert main(["slides", "a**b", "--set", "a=2", "b=0.5", "--output", str(out)]) == 0
    assert capsys.readouterr().err == ""
