"""Slides of a graph too big to show whole with readable text, in headless Chromium:
each later frame pans to the focus without cutting boxes in half at its edges when a
position that does not exists, and the leader from the step's text to the focus runs
round every node and text, on the first frame's overview too."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pytest

from autograd_tiny.draw.renderer import find_renderer
from autograd_tiny.teach.slides import SLIDE_FOCUS
from test_slides import CHROMIUM_FLAGS, _meets_box

pytestmark = [pytest.mark.skipif(shutil.which("chromium") is None,
                                 reason="needs Debian's chromium"),
              pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer")]


# The projector size the defects were seen at runs with `make test`; 1920x1080 as well
# with `make test-all` (each case steps a browser through 49 frames).
BIG_SCREEN = pytest.param(1920, 1080, marks=pytest.mark.slow)


@pytest.fixture(scope="module")
def mazur_graph_deck(tmp_path_factory) -> str:
    """`make demo`'s op-level deck of Mazur's 2-2-2 network and its loss (31 nodes)."""
    from autograd_tiny.teach.walkthrough import compute, write_files

    folder = tmp_path_factory.mktemp("demo")
    write_files(compute(steps=0), folder)
    return (folder / "graph_slides.html").read_text(encoding="utf-8")


def _run(text: str, probe: str, folder, width: int, height: int):
    page = folder / "probed.html"
    page.write_text(text.replace("</body>", probe.replace("@FOCUS@", SLIDE_FOCUS) + "</body>"),
                    encoding="utf-8")
    run = subprocess.run(["chromium", *CHROMIUM_FLAGS, "--virtual-time-budget=60000",
                          f"--window-size={width},{height}", page.as_uri()],
                         capture_output=True, text=True, timeout=300)
    return json.loads(html.unescape(re.search(r'data-result="([^"]*)"', run.stdout).group(1)))


# For each frame after the first: what the view shows, how many node boxes its edges
# cut, and the fewest any scroll position (tried every 2 px) cuts among those that show
# what must be shown, 8 px clear of the view's edge (or at the graph's own edge): along
# each axis, everything drawn in focus and the nodes the focus joins, or as much of
# that as fits.
PAN_PROBE = """<script>
window.addEventListener("load", function () { setTimeout(function () {
  var frames = document.querySelectorAll(".frame"), measured = [];
  for (var i = 1; i < frames.length; i++) {
    document.dispatchEvent(new KeyboardEvent("keydown", {key: "ArrowRight"}));
    var frame = document.querySelector(".frame.current");
    var stage = frame.querySelector(".atg-stage"), svg = stage.querySelector("svg");
    var s = stage.getBoundingClientRect(), X = stage.scrollLeft, Y = stage.scrollTop;
    var W = stage.clientWidth, H = stage.clientHeight;
    var MX = stage.scrollWidth - W, MY = stage.scrollHeight - H;
    var x0 = s.left + stage.clientLeft - X, y0 = s.top + stage.clientTop - Y;
    function at(e) {  // in the scrolled content's pixels
      var r = e.getBoundingClientRect();
      return [r.left - x0, r.top - y0, r.right - x0, r.bottom - y0];
    }
    var boxes = [], named = {};
    svg.querySelectorAll("g.node").forEach(function (g) {
      var b = at(g); boxes.push(b); named[g.querySelector("title").textContent] = b;
    });
    var kind = frame.getAttribute("data-anchor") === "node" ? "node" : "edge";
    var focus = null, marked = [];
    svg.querySelectorAll('[stroke="@FOCUS@"]').forEach(function (m) {
      var g = m.closest("g.edge, g.node");
      marked.push(at(g));
      if (!focus || g.classList.contains(kind)) { focus = g; }
    });
    var title = focus.querySelector("title").textContent, joined = [];
    svg.querySelectorAll("g.edge > title").forEach(function (t) {
      var ends = t.textContent.split("->");
      if (t.textContent === title || ends.indexOf(title) >= 0) {
        ends.forEach(function (n) { if (named[n]) { joined.push(named[n]); } });
      }
    });
    function union(list) {
      return list.reduce(function (u, b) {
        return [Math.min(u[0], b[0]), Math.min(u[1], b[1]), Math.max(u[2], b[2]),
                Math.max(u[3], b[3])]; });
    }
    // Along each axis, the most of these that fits: the focus, all drawn in focus,
    // that and the nodes the focus joins.
    var wanted = [at(focus), union(marked), union(marked.concat(joined))];
    function most(from, to, size) {
      var fits = wanted.filter(function (b) { return b[to] - b[from] <= size - 16; });
      return fits.length ? fits[fits.length - 1] : wanted[0];
    }
    var across = most(0, 2, W), down = most(1, 3, H);
    function shows(x, y) {
      return (across[0] >= x + 8 || x <= 0) && (across[2] <= x + W - 8 || x >= MX) &&
             (down[1] >= y + 8 || y <= 0) && (down[3] <= y + H - 8 || y >= MY) &&
             across[0] >= x - 1 && across[2] <= x + W + 1 &&
             down[1] >= y - 1 && down[3] <= y + H + 1;
    }
    function cuts(x, y) {  // boxes partly in the view, by more than a pixel of rounding
      return boxes.filter(function (b) {
        return b[2] > x + 1 && b[0] < x + W - 1 && b[3] > y + 1 && b[1] < y + H - 1 &&
               (b[0] < x - 1 || b[2] > x + W + 1 || b[1] < y - 1 || b[3] > y + H + 1);
      }).length;
    }
    function every(most) {  // 0 to most in 2 px steps, most itself too
      var list = [];
      for (var v = 0; v < most; v += 2) { list.push(v); }
      return list.concat([most]);
    }
    var fewest = null;
    every(MX).forEach(function (x) {
      every(MY).forEach(function (y) {
        if (shows(x, y)) { var n = cuts(x, y); if (fewest === null || n < fewest) { fewest = n; } }
      });
    });
    var scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width, smallest = 1e9;
    svg.querySelectorAll("text").forEach(function (t) {
      smallest = Math.min(smallest, parseFloat(t.getAttribute("font-size")) * scale);
    });
    measured.push({title: title, shows: shows(X, Y), cuts: cuts(X, Y), fewest: fewest,
                   scrolls: MX > 0 || MY > 0, smallest: smallest});
  }
  document.body.setAttribute("data-result", JSON.stringify(measured));
}, 300); });</script>"""


@pytest.mark.parametrize("width, height", [(1280, 720), BIG_SCREEN])
def test_chromium_zoomed_frames_pan_to_the_focus_cutting_no_box_they_could_avoid(
        mazur_graph_deck, tmp_path, browser_chrome_height, width, height):
    """The deck of Mazur's network, past its first frame, keeps the text at lecture
    size and scrolls: the focus, all that is drawn in focus and the nodes it joins show
    whole, and the view's edges cut no more node boxes than the best position that
    shows them. (It used to centre the focus whatever that cut: 284 boxes cut over
    the 48 frames at 1280x720, none of them free of a cut box, where 68 must be.)"""
    frames = _run(mazur_graph_deck, PAN_PROBE, tmp_path, width, height + browser_chrome_height)
    assert len(frames) == 48
    assert sum(frame["scrolls"] for frame in frames) == 48  # every one is zoomed in
    for number, frame in enumerate(frames, 2):
        assert frame["smallest"] >= max(14, 0.02 * height) - 0.01, (number, frame)
        assert frame["shows"], (number, frame)
        assert frame["fewest"] is not None and frame["cuts"] <= frame["fewest"], (number, frame)
    # Not a vacuous bound: half the frames can and do show no box cut in half.
    assert sum(frame["cuts"] == 0 for frame in frames) >= 20
    assert sum(frame["cuts"] for frame in frames) <= 80


def every_frame_probe(body: str) -> str:
    """A script that steps a deck through every frame as a lecturer does, runs
    ``body`` on each (it sees ``frame``, ``stage``, ``view``, the stage's visible box in
    window pixels, and pushes what it measures to ``measured``), then writes the list
    to the page's ``data-result`` for the dumped DOM to carry."""
    return STEP_HEAD + body + STEP_TAIL


STEP_HEAD = """<script>
window.addEventListener("load", function () { setTimeout(function () {
  var frames = document.querySelectorAll(".frame"), measured = [];
  for (var i = 0; i < frames.length; i++) {
    if (i) { document.dispatchEvent(new KeyboardEvent("keydown", {key: "ArrowRight"})); }
    var frame = document.querySelector(".frame.current");
    var stage = frame.querySelector(".atg-stage"), s = stage.getBoundingClientRect();
    var view = [s.left + stage.clientLeft, s.top + stage.clientTop];
    view.push(view[0] + stage.clientWidth, view[1] + stage.clientHeight);
"""
STEP_TAIL = """  }
  document.body.setAttribute("data-result", JSON.stringify(measured));
}, 300); });</script>"""


# For every frame: the leader's points, and every node outline and text of the graph
# the reader can see (clipped to the stage), in window pixels.
LEADER_PROBE = every_frame_probe("""    function seen(e) {
      var r = e.getBoundingClientRect();
      if (r.right <= view[0] || r.left >= view[2] || r.bottom <= view[1] || r.top >= view[3]) {
        return null;
      }
      return {box: [Math.max(r.left, view[0]), Math.max(r.top, view[1]),
                    Math.min(r.right, view[2]), Math.min(r.bottom, view[3])],
              whole: r.left >= view[0] && r.right <= view[2] && r.top >= view[1] &&
                     r.bottom <= view[3]};
    }
    var band = frame.querySelector(".atg-band").getBoundingClientRect();
    var leader = frame.querySelector(".atg-leader"), line = leader.querySelector("polyline");
    var points = getComputedStyle(leader).display === "none" || !line ? null :
      line.getAttribute("points").trim().split(/\\s+/).map(function (p) {
        var xy = p.split(",").map(Number); return [xy[0] + band.left, xy[1] + band.top];
      });
    var kind = frame.getAttribute("data-anchor") === "node" ? "node" : "edge", focus = null;
    frame.querySelectorAll('.atg-stage [stroke="@FOCUS@"]').forEach(function (m) {
      var g = m.closest("g.edge, g.node");
      if (g && (!focus || g.classList.contains(kind))) { focus = g; }
    });
    var svg = stage.querySelector("svg"), shapes = [], texts = [];
    svg.querySelectorAll("g.node").forEach(function (g) {
      var o = g.querySelector("ellipse, polygon, path"), v = o && seen(o);
      var name = g.querySelector("text");  // the first text of a node is its name
      if (v) { shapes.push({name: name ? name.textContent : "", box: v.box,
                            round: o.tagName === "ellipse" && v.whole, own: g === focus}); }
    });
    svg.querySelectorAll("text").forEach(function (t) {
      var v = seen(t);
      if (v) { texts.push({text: t.textContent, box: v.box, own: focus.contains(t)}); }
    });
    var f = focus.querySelector(focus.classList.contains("node") ? "ellipse, polygon" : "path");
    var fr = f.getBoundingClientRect(), c = frame.querySelector(".atg-callout");
    var cr = c.getBoundingClientRect();
    measured.push({points: points, node: focus.classList.contains("node"), shapes: shapes,
                   texts: texts,
                   focus: [fr.left, fr.top, fr.right, fr.bottom],
                   callout: [cr.left, cr.top, cr.right, cr.bottom]});
""")


@pytest.mark.parametrize("width, height", [(1280, 720), BIG_SCREEN])
def test_chromium_the_leader_goes_round_every_box_on_the_big_graph(
        mazur_graph_deck, tmp_path, browser_chrome_height, width, height):
    """On every frame of the deck of Mazur's network, the dashed line from the step's
    text to its focus starts at the focus, ends on the text's top edge, and none of its
    segments meets a node or a text the reader sees, other than the focus's own: on
    the first frame at 1280x720 it used to drop straight through net_h2's box."""
    frames = _run(mazur_graph_deck, LEADER_PROBE, tmp_path, width,
                  height + browser_chrome_height)
    assert len(frames) == 49
    for number, frame in enumerate(frames, 1):
        points = frame["points"]
        assert points and len(points) >= 2, (number, points)
        fl, ft, fr, fb = frame["focus"]
        assert fl - 5 <= points[0][0] <= fr + 5 and ft - 5 <= points[0][1] <= fb + 5, number
        cl, ct, cr, _ = frame["callout"]
        assert abs(points[-1][1] - ct) <= 2 and cl <= points[-1][0] <= cr, (number, points)
        for a, b in zip(points, points[1:]):
            for shape in frame["shapes"]:
                if shape["own"] and frame["node"]:
                    continue
                assert not _meets_box(a, b, shape["box"], shape["round"]), (
                    number, shape["name"], points)
            for text in frame["texts"]:
                if text["own"] and frame["node"]:
                    continue
                assert not _meets_box(a, b, text["box"]), (number, text["text"], points)
    # the box it used to run through is in view, whole, on the first frame
    assert "net_h2" in [shape["name"] for shape in frames[0]["shapes"]]
