"""Whose label is whose in the network picture: measured in the rendered SVG, each
edge's label crosses no line (its own included) and no circle, and its own line is
the one nearest it, by a clear margin, for Mazur's 2-2-2 network as ``make demo``
draws it and for the tour notebook's XOR network, whose eight input lines cross."""

from __future__ import annotations

import math
import os
import re
import xml.etree.ElementTree as ET

import pytest

from autograd_tiny import MLP, draw_network
from autograd_tiny.draw.labels import box_distance, segment_distance, segment_in_box
from autograd_tiny.draw.renderer import find_renderer, to_svg

needs_renderer = pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer")
SVG = "{http://www.w3.org/2000/svg}"
Box = tuple[float, float, float, float]
Segment = tuple[tuple[float, float], tuple[float, float]]


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


def measured(svg: str) -> tuple[dict[str, Segment], dict[str, Box],
                                dict[str, tuple[float, float, float]]]:
    """The picture as drawn: each edge's line (from where its path starts to its
    arrow's tip), each edge label's box (left, top, right, bottom; centred on its x,
    a character 0.55 of the text size wide as Helvetica's digits are, from its first
    line's cap height to below its last baseline), each circle (cx, cy, r); SVG units,
    y downwards."""
    lines: dict[str, Segment] = {}
    boxes: dict[str, Box] = {}
    circles = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        if g.get("class") == "node":
            e = next(g.iter(f"{SVG}ellipse"))
            circles[title.text] = (float(e.get("cx")), float(e.get("cy")), float(e.get("rx")))
        if g.get("class") != "edge" or title is None:
            continue
        path = _numbers(next(g.iter(f"{SVG}path")).get("d"))
        tip = _numbers(next(g.iter(f"{SVG}polygon")).get("points"))
        start = (path[0], path[1])
        points = list(zip(tip[::2], tip[1::2]))
        end = max(points, key=lambda p: math.dist(p, start))
        lines[title.text] = (start, end)
        texts = list(g.iter(f"{SVG}text"))
        if texts:
            size = float(texts[0].get("font-size"))
            x = float(texts[0].get("x"))
            half = max(len(t.text or "") for t in texts) * size * 0.55 / 2
            boxes[title.text] = (x - half, float(texts[0].get("y")) - size * 0.75,
                                 x + half, float(texts[-1].get("y")) + size * 0.2)
    return lines, boxes, circles


def ownership(svg: str) -> dict[str, tuple[float, float, float]]:
    """For each edge label: how far its box is from its own line, how far from the
    nearest other line, and how long a stretch of any line runs through it."""
    lines, boxes, _ = measured(svg)
    found = {}
    for title, box in boxes.items():
        others = [box_distance(line, box) for t, line in lines.items() if t != title]
        through = sum(segment_in_box(line, box) for line in lines.values())
        found[title] = (box_distance(lines[title], box), min(others, default=math.inf), through)
    return found


def centre_distances(svg: str) -> dict[str, tuple[float, float]]:
    """For each edge label: how far its centre is from its own line and from the
    nearest other line."""
    lines, boxes, _ = measured(svg)
    found = {}
    for title, (left, top, right, bottom) in boxes.items():
        centre = ((left + right) / 2, (top + bottom) / 2)
        found[title] = (segment_distance(centre, lines[title]),
                        min((segment_distance(centre, line) for t, line in lines.items()
                             if t != title), default=math.inf))
    return found


def mazur_as_the_demo_draws_it() -> str:
    """Mazur's network with his names, input, target and error name, w1's routes in
    red: the picture of ``make demo`` and the README."""
    from autograd_tiny.teach import walkthrough as mazur

    return to_svg(draw_network(mazur.model(), list(mazur.INPUTS.values()),
                               list(mazur.TARGETS.values()), input_names=list(mazur.INPUTS),
                               highlight="w1", error_name=mazur.ERROR_NAME))


def xor_as_the_tour_draws_it() -> str:
    """The tour notebook's picture: MLP(2, [4, 1]) with tanh, trained on XOR (200
    epochs of Adam), drawn for the second example with its target."""
    from autograd_tiny import Adam, fit
    from autograd_tiny.data import make_xor
    from autograd_tiny.losses import mse_loss

    X, y = make_xor(signed=True)
    model = MLP(2, [4, 1], activation="tanh", output_activation="tanh", seed=0)
    with open(os.devnull, "w") as quiet:
        fit(model, X, y, mse_loss, Adam(model.parameters(), lr=0.1), epochs=200, file=quiet)
    return to_svg(draw_network(model, inputs=X[1], target=[y[1]]))


# What a reader sees: a label's own line within a few points of its text (6 with
# the text measured as Helvetica sets it), every other line at least twice as far.
OWN_LINE_AT_MOST = 8.0
OTHERS_AT_LEAST = 13.0


@needs_renderer
@pytest.mark.parametrize("picture", [mazur_as_the_demo_draws_it, xor_as_the_tour_draws_it])
def test_each_label_hugs_its_own_line_and_keeps_away_from_every_other(picture):
    """Each weight's and each error edge's label lies just beside its own line and
    every other line passes at least twice as far off: no label sits between two
    lines as if it could be either's (the w6 beside w8 of an earlier layout)."""
    found = ownership(picture())
    assert len(found) == {mazur_as_the_demo_draws_it: 10, xor_as_the_tour_draws_it: 13}[picture]
    for title, (own, other, _) in found.items():
        assert own <= OWN_LINE_AT_MOST, (title, own)
        assert other >= OTHERS_AT_LEAST and other >= 2 * own, (title, own, other)


@needs_renderer
@pytest.mark.parametrize("picture", [mazur_as_the_demo_draws_it, xor_as_the_tour_draws_it])
def test_no_line_runs_through_a_label_nor_a_label_over_a_circle(picture):
    """No edge's line (its own included: w6's thick line once ran through its digits)
    crosses any label, and no label touches a circle."""
    svg = picture()
    lines, boxes, circles = measured(svg)
    for title, box in boxes.items():
        for other, line in lines.items():
            assert segment_in_box(line, box) == 0, (title, other)
        left, top, right, bottom = box
        for cx, cy, r in circles.values():
            gap = math.hypot(max(left - cx, 0.0, cx - right), max(top - cy, 0.0, cy - bottom))
            assert gap > r, (title, cx, cy)


@needs_renderer
def test_mazurs_picture_stays_as_small_as_a_slide_needs():
    """Making room for the labels keeps Mazur's network within 87 times its smallest
    text (12 points) wide and 37 tall, caption included: the slides show it whole at
    lecture size."""
    root = ET.fromstring(mazur_as_the_demo_draws_it())
    width, height = _numbers(root.get("viewBox"))[2:]
    assert width <= 87 * 12 and height <= 37 * 12, (width, height)


@needs_renderer
def test_a_crowded_picture_grows_only_the_gap_that_needs_it():
    """The XOR network's input lines cross: their gap widens, the gap before the
    error does not (as set: 3.4 inches between the output neuron and E)."""
    _, _, circles = measured(xor_as_the_tour_draws_it())
    x = {name: circle[0] for name, circle in circles.items()}
    assert x["L1.N1"] - x["x1"] > 3.9 * 72 * 1.5  # far wider than set: its labels need room
    assert abs(x["E"] - x["L2.N1"] - 3.4 * 72) < 0.5  # as set


def test_a_label_too_wide_for_its_spot_is_set_narrower_with_its_name_on_a_line_of_its_own():
    from autograd_tiny.draw.network import _narrow

    assert _narrow("L1.N2.w2 = -1.6\ngrad 0.5") == "L1.N2.w2\n= -1.6\ngrad 0.5"
    assert _narrow("target 1\ndE/dout\n0.2") == "target 1\ndE/dout\n0.2"


@needs_renderer
def test_a_lectures_steps_set_each_label_as_its_last_frame_does():
    """A label set narrower (its name on a line of its own) is set so on every step
    of a lecture too, in the same spot, its gradient ``?`` until backpropagation
    reaches it."""
    model = MLP(2, [4, 1], activation="tanh", output_activation="tanh", seed=0)
    args = dict(inputs=[0.0, 1.0], target=[1.0])
    full = label_texts(to_svg(draw_network(model, **args)))
    step = label_texts(to_svg(draw_network(model, show_gradients=["L2.N1"], **args)))
    narrowed = [title for title, texts in full.items() if texts[1].startswith("= ")]
    assert narrowed and set(step) == set(full)
    for title, texts in full.items():
        assert len(step[title]) == len(texts), title
        if title.startswith("x"):  # an input's weight: its neuron not reached yet
            assert step[title][:-1] == texts[:-1] and step[title][-1] == "grad ?", title
        else:
            assert step[title] == texts, title


def label_texts(svg: str) -> dict[str, list[str]]:
    """Each edge's label, line by line."""
    found = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        texts = [t.text or "" for t in g.iter(f"{SVG}text")]
        if g.get("class") == "edge" and texts:
            found[g.find(f"{SVG}title").text] = texts
    return found


def test_a_deck_searches_for_its_layout_once_per_kind_of_frame(monkeypatch):
    """The search for a clear layout places every label many times over (seconds for
    a 3-4-4-1 network); a deck draws the network once per frame with the same labels
    to lay out, so it searches once for the forward frame (no gradients printed) and
    once for the five frames that print them. Counted, not timed."""
    from autograd_tiny import MLP
    from autograd_tiny.draw import network
    from autograd_tiny.draw.renderer import find_renderer
    from autograd_tiny.teach.slides import network_slides

    if find_renderer() is None:
        pytest.skip("no Graphviz renderer")
    searches = []
    search = network._search_layout

    def counted(*args):
        searches.append(1)
        return search(*args)

    monkeypatch.setattr(network, "_search_layout", counted)
    network._remembered_layout.cache_clear()
    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=3)
    deck = network_slides(model, [0.05, 0.1], [0.01, 0.99])
    assert len(deck) == 6 and len(searches) == 2
    # A picture of the model with other numbers is searched for again.
    network.draw_network(model, [0.5, -0.1], [0.01, 0.99]).source
    assert len(searches) == 3
