"""Slides: one frame per backward step, the focus on the right node, the arithmetic
written out, nothing loaded from the network, and the graph left as it was."""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import pytest

from autograd_tiny import Value, reverse_topological_order
from autograd_tiny.draw.renderer import find_renderer
from autograd_tiny.teach.slides import Frame, inline_svg, page, write_slides
from autograd_tiny.teach import backward_steps
from autograd_tiny.draw.dot import FOCUS_COLOR

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


def frames_of(text: str) -> list[tuple[int, str, str]]:
    return [(int(number), kind, body) for number, kind, body in FRAME.findall(text)]


@pytest.fixture(scope="module")
def neuron_slides(tmp_path_factory):
    if find_renderer() is None:
        pytest.skip("no Graphviz renderer")
    root, leaves = neuron()
    path = write_slides(root, tmp_path_factory.mktemp("slides") / "neuron.html")
    return root, leaves, path.read_text(encoding="utf-8")


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
    assert "do/dn = 1.0 - o * o = 0.5" in first


@needs_renderer
def test_each_step_frame_focuses_its_node_and_edge(neuron_slides):
    _, _, text = neuron_slides
    for _, kind, body in frames_of(text):
        svg = body[body.index("<svg"):body.index("</svg>")]
        focused = svg.count(f'stroke="{FOCUS_COLOR}"')
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
def test_nothing_is_loaded_from_the_network(neuron_slides):
    _, _, text = neuron_slides
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
    for control in ('id="previous"', 'id="next"', "ArrowRight", "ArrowLeft"):
        assert control in text


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the page's script")
def test_page_script_moves_between_frames():
    """Runs the page's script on a tiny stand-in for the DOM: the arrow keys and
    buttons show one frame at a time, and stop at the ends."""
    frames = [Frame("step", f"s{i}", (), '<svg viewBox="0 0 10 10"></svg>') for i in range(3)]
    script = re.search(r"<script>(.*)</script>", page("t", frames), re.DOTALL).group(1)
    harness = """
    function element() {
      var classes = {};
      return {classList: {add: function (c) { classes[c] = true; },
                          contains: function (c) { return !!classes[c]; },
                          toggle: function (c, on) { if (on === undefined) on = !classes[c];
                                                     classes[c] = on; }},
              textContent: "", blur: function () {},
              querySelector: function () { return null; }};
    }
    var frames = [element(), element(), element()];
    frames.forEach(function (f) { f.querySelector = function (s) {
      return s === "svg" ? {viewBox: {baseVal: {width: 10, height: 10}}} : null; }; });
    var buttons = {};
    var listeners = {};
    var body = element();
    global.document = {body: body,
      querySelectorAll: function () { return frames; },
      getElementById: function (id) { return buttons[id] = buttons[id] || element(); },
      addEventListener: function (name, f) { listeners[name] = f; }};
    global.location = {hash: "#frame-2"};
    global.history = {replaceState: function (a, b, hash) { location.hash = hash; }};
    function shown() { return frames.map(function (f) {
      return f.classList.contains("current") ? 1 : 0; }).join(""); }
    function key(k) { listeners.keydown({key: k, preventDefault: function () {}}); }
    SCRIPT
    var seen = [shown()];
    key("ArrowRight"); seen.push(shown());
    key("ArrowRight"); seen.push(shown());
    key("ArrowLeft"); seen.push(shown());
    buttons.first.onclick(); seen.push(shown());
    buttons.previous.onclick(); seen.push(shown());
    key("End"); seen.push(shown() + location.hash);
    key("z"); seen.push(body.classList.contains("zoomed") + buttons.zoom.textContent);
    buttons.zoom.onclick(); seen.push(body.classList.contains("zoomed") + buttons.zoom.textContent);
    console.log(seen.join(" "));
    """.replace("SCRIPT", script)
    result = subprocess.run(["node", "-e", harness], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["010", "001", "001", "010", "100", "100", "001#frame-3",
                                     "truefit", "falsezoom"]
