"""The network decks in headless Chromium: on every frame the dashed leader from the
neuron in focus to the step's text keeps clear of every other neuron's circle and of
every text, on `make demo`'s 2-2-2 network and on a bigger network that scrolls.

A line that misses a circle by the 10 px the op-level deck's boxes get still reads,
on a projector, as running through it: at 1280x720 frame 2's leader passed 10.7 px
from o2's outline just where the edge o2 -> E_total leaves it, and at 1920x1080
frame 4's passed 10.4 px from h2's. So this asks for a gap a reader sees."""

from __future__ import annotations

import html
import json
import math
import re
import shutil
import subprocess

import pytest

from autograd_tiny.draw.renderer import find_renderer
from autograd_tiny.teach.slides import SLIDE_FOCUS
from test_slides import CHROMIUM_FLAGS, _meets_box
from test_slides_zoom import every_frame_probe

pytestmark = [pytest.mark.skipif(shutil.which("chromium") is None,
                                 reason="needs Debian's chromium"),
              pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer")]

# The least gap, in window pixels, between the leader's centre line and the outline of
# a circle it passes (the leader is 3 px wide, an outline about 2: some 13 px of white
# between them at the least).
GAP = 16


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> dict[str, str]:
    """`make demo`'s network deck (Mazur's 2-2-2 network, 6 frames), and the slides of
    a 3-4-4-1 tanh network (11 frames), too big to show whole: later frames scroll."""
    from autograd_tiny import MLP
    from autograd_tiny.teach.slides import network_slides
    from autograd_tiny.teach.walkthrough import compute, write_files

    folder = tmp_path_factory.mktemp("network_decks")
    write_files(compute(steps=0), folder)
    big = network_slides(MLP(3, [4, 4, 1], activation="tanh", seed=0), [2.0, 3.0, -1.0],
                         [1.0]).save(folder / "big.html")
    return {"mazur": (folder / "slides.html").read_text(encoding="utf-8"),
            "big": big.read_text(encoding="utf-8")}


# Steps through every frame as a lecturer does and reports, in window pixels: the
# leader's points (null where none is drawn), the outline of the neuron in focus, the
# callout, every other neuron's circle (whole, or the part the stage shows) and the
# part of every text the stage shows, with whether it belongs to the focus.
PROBE = every_frame_probe("""    function box(e) { var r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }
    function shown(b) {  // the part of b inside the stage's view, or null
      if (b[2] <= view[0] || b[0] >= view[2] || b[3] <= view[1] || b[1] >= view[3]) { return null; }
      return [Math.max(b[0], view[0]), Math.max(b[1], view[1]),
              Math.min(b[2], view[2]), Math.min(b[3], view[3])];
    }
    var focus = null;
    frame.querySelectorAll('.atg-stage g.node [stroke="@FOCUS@"]').forEach(function (m) {
      focus = m.closest("g.node");
    });
    var band = frame.querySelector(".atg-band").getBoundingClientRect();
    var leader = frame.querySelector(".atg-leader"), line = leader.querySelector("polyline");
    var points = getComputedStyle(leader).display === "none" || !line ? null :
      line.getAttribute("points").trim().split(/\\s+/).map(function (p) {
        var xy = p.split(",").map(Number); return [xy[0] + band.left, xy[1] + band.top];
      });
    var svg = stage.querySelector("svg"), circles = [], texts = [];
    svg.querySelectorAll("g.node").forEach(function (g) {
      var e = g.querySelector("ellipse"), b = e && box(e), part = b && shown(b);
      if (part && g !== focus) {
        circles.push({name: g.querySelector("title").textContent, box: b, shown: part,
                      whole: part[0] === b[0] && part[1] === b[1] && part[2] === b[2] &&
                             part[3] === b[3]});
      }
    });
    svg.querySelectorAll("text").forEach(function (t) {
      var part = shown(box(t));
      if (part) { texts.push({text: t.textContent, shown: part, own: !!focus && focus.contains(t)}); }
    });
    measured.push({points: points, circles: circles, texts: texts,
                   focus: focus && box(focus.querySelector("ellipse")),
                   callout: box(frame.querySelector(".atg-callout"))});
""")


def _frames(text: str, folder, width: int, height: int, hide_scrollbars: bool) -> list:
    page = folder / "probed.html"
    page.write_text(text.replace("</body>", PROBE.replace("@FOCUS@", SLIDE_FOCUS) + "</body>"),
                    encoding="utf-8")
    flags = ["--hide-scrollbars"] if hide_scrollbars else []
    run = subprocess.run(["chromium", *CHROMIUM_FLAGS, *flags, "--virtual-time-budget=30000",
                          f"--window-size={width},{height}", page.as_uri()],
                         capture_output=True, text=True, timeout=300)
    return json.loads(html.unescape(re.search(r'data-result="([^"]*)"', run.stdout).group(1)))


def _gap(a, b, circle) -> float:
    """How far the segment a-b stays outside the circle in ``circle`` (l, t, r, b):
    negative where it runs inside."""
    l, t, r, bt = circle
    cx, cy, radius = (l + r) / 2, (t + bt) / 2, (r - l) / 2
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    u = max(0.0, min(1.0, ((cx - a[0]) * dx + (cy - a[1]) * dy) / length)) if length else 0.0
    return math.hypot(a[0] + u * dx - cx, a[1] + u * dy - cy) - radius


def test_gap_measures_from_the_outline():
    assert _gap((0, 0), (100, 0), (40, 10, 60, 30)) == pytest.approx(10)  # r 10 at (50, 20)
    assert _gap((0, 20), (100, 20), (40, 10, 60, 30)) == pytest.approx(-10)
    assert _gap((0, 0), (10, 0), (40, -10, 60, 10)) == pytest.approx(30)  # past its end


def _check(frames: list, steps: int) -> list[float]:
    """Asserts every frame's leader, and returns the gap to the nearest circle it
    passes, frame by frame."""
    gaps = []
    for number, frame in enumerate(frames, 1):
        points = frame["points"]
        if frame["focus"] is None:  # the forward pass and the updates: no neuron in focus
            assert points is None, number
            continue
        assert points and len(points) >= 2, (number, points)
        fl, ft, fr, fb = frame["focus"]
        assert fl - 5 <= points[0][0] <= fr + 5 and ft - 5 <= points[0][1] <= fb + 5, (
            number, points)
        cl, ct, cr, _ = frame["callout"]
        assert abs(points[-1][1] - ct) <= 2 and cl <= points[-1][0] <= cr, (number, points)
        nearest = math.inf
        for a, b in zip(points, points[1:]):
            for circle in frame["circles"]:
                if circle["whole"]:
                    gap = _gap(a, b, circle["box"])
                    nearest = min(nearest, gap)
                    assert gap >= GAP, (number, circle["name"], round(gap, 1), points)
                else:  # cut by the stage's edge: its part in view, as a box
                    assert not _meets_box(a, b, circle["shown"]), (number, circle["name"], points)
            for t in frame["texts"]:
                if not t["own"]:
                    assert not _meets_box(a, b, t["shown"]), (number, t["text"], points)
        gaps.append(nearest)
    assert len(gaps) == steps
    return gaps


@pytest.mark.parametrize("width, height", [
    (1280, 720), pytest.param(1920, 1080, marks=pytest.mark.slow)])
def test_chromium_mazur_deck_leaders_keep_clear_of_every_other_circle(
        decks, tmp_path, browser_chrome_height, width, height):
    """`make demo`'s network deck: every step's leader (o1, o2, h1, h2) starts at the
    neuron in focus, ends on the callout's top and keeps GAP px from every other
    circle and off every text, where it used to pass 10 px from o2 (frame 2 at
    1280x720) and from h2 (frame 4 at 1920x1080)."""
    frames = _frames(decks["mazur"], tmp_path, width, height + browser_chrome_height, False)
    assert len(frames) == 6
    gaps = _check(frames, steps=4)
    # Not vacuous: the leaders do pass circles (24 px from one at 1280x720, 70 px at
    # 1920x1080), not only empty space far from them.
    assert min(gaps) < 100, gaps


@pytest.mark.slow
@pytest.mark.parametrize("hide_scrollbars", [False, True])
@pytest.mark.parametrize("width, height", [(1280, 720), (1920, 1080)])
def test_chromium_big_network_deck_leaders_keep_clear_of_every_other_circle(
        decks, tmp_path, browser_chrome_height, width, height, hide_scrollbars):
    """A 3-4-4-1 network's deck scrolls to each neuron; its leaders keep clear of every
    circle and text the reader sees, with the stage's scroll bars or without them (as
    a page shows with overlay scroll bars), which moves the view and the route."""
    frames = _frames(decks["big"], tmp_path, width, height + browser_chrome_height, hide_scrollbars)
    assert len(frames) == 11
    _check(frames, steps=9)
