"""Where an edge's label goes in the network picture: beside its straight line, clear
of every circle, of every line (its own included) and of the labels placed before
it, hugging its own line with every other line at least twice as far off, so that
a reader sees at once whose label it is.

The picture pins every circle (see ``network._positions``) and draws straight lines
between them, so the geometry is known before Graphviz runs. Graphviz places a tail
label at ``labeldistance`` x 10 points from where the line leaves the tail circle,
turned ``labelangle`` degrees anticlockwise off the line; :class:`LabelPlacer` works
out the spot and hands back those two numbers. Units are points, y upwards, as in
Graphviz's ``pos``.

>>> a, b = (0.0, 0.0, 20.0), (200.0, 0.0, 20.0)
>>> placer = LabelPlacer([a, b], text_size=12.0, lines=[(a, b)])
>>> placer.place(a, b, "w = 0.5", [0.5])  # above the middle
('8.3', '8.09')
>>> placer.place(a, b, "w = 0.5", [0.5])  # taken: below
('-8.3', '8.09')
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

__all__ = ["LabelPlacer", "box_size", "box_distance", "segment_in_box",
           "segment_distance", "visible_segment"]

Circle = tuple[float, float, float]  # centre x, centre y, radius
Box = tuple[float, float, float, float]  # left, bottom, right, top
Point = tuple[float, float]
Segment = tuple[Point, Point]

# How wide a character of a label may be, in units of the text size: digits are 0.56
# in Helvetica and 0.64 in DejaVu Sans, which browsers without Helvetica fall back to.
CHAR_WIDTH = 0.64
# How wide it is in Helvetica, Arial and Liberation Sans, what nearly every reader's
# browser sets: how near its own line a label looks, and how far from the others.
TEXT_WIDTH = 0.56
LINE_HEIGHT = 1.2  # lines of a label, in units of the text size
CIRCLE_CLEARANCE = 3.0  # points between a label (its generous box) and any circle
# Points between two labels: more than between a label and its line, so that two
# labels side by side read as two.
LABEL_GAP = 9.0
# Points between a label's text and its own line's centre: the thickest line (4
# points, a highlighted or large gradient) keeps 2 points of white between it and
# the text. No line at all crosses the generous box.
LINE_CLEARANCE = 4.0
# A label's text is at most LINE_CLEARANCE and this many points from its own line:
# beside it, not somewhere near it.
OWN_LINE_SLACK = 2.0
# Every other line keeps at least this many points from a label's text, twice as
# far as its own line at most: the one line hugging a label is the one it belongs
# to, plain to see even where lines fan out or cross.
OTHER_LINE_GAP = 12.0
# And no other line runs along a label: within ALONG_BAND points of its text, at
# most ALONG_LENGTH points of any other line (one crossing past a corner, not one
# keeping it company): a label beside a line with another close on its far side
# would read as either's.
ALONG_BAND = 16.0
ALONG_LENGTH = 60.0
# Where no spot keeps every rule, text on text or on a circle is what must not be:
# a label near the wrong line can still be read, one under another cannot.
OVERLAP_WEIGHT = 1000.0
# Where along its line a label may go when none of the spots asked for is clear:
# every twentieth of the visible line, the middle outwards.
FALLBACK_FRACTIONS = tuple(sorted((k / 20 for k in range(2, 19)), key=lambda f: abs(f - 0.5)))


def box_size(label: str, text_size: float) -> tuple[float, float]:
    """Half the width and half the height of the box ``label`` (lines split at
    ``\\n``) takes at ``text_size`` points, generously: every character CHAR_WIDTH wide.

    >>> box_size("w5 = 0.4\\ngrad 0.08", 10.0)
    (28.8, 12.0)
    """
    lines = label.split("\n")
    return (max(map(len, lines)) * text_size * CHAR_WIDTH / 2,
            len(lines) * text_size * LINE_HEIGHT / 2)


def segment_distance(point: Point, segment: Segment) -> float:
    """How far ``point`` is from the nearest point of ``segment``.

    >>> segment_distance((5.0, 3.0), ((0.0, 0.0), (10.0, 0.0)))
    3.0
    >>> segment_distance((13.0, 4.0), ((0.0, 0.0), (10.0, 0.0)))  # past its end
    5.0
    """
    (px, py), ((x1, y1), (x2, y2)) = point, segment
    dx, dy = x2 - x1, y2 - y1
    length2 = dx * dx + dy * dy
    t = 0.0 if not length2 else max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / length2))
    return math.hypot(px - x1 - t * dx, py - y1 - t * dy)


def segment_in_box(segment: Segment, box: Box) -> float:
    """How long a stretch of ``segment`` runs inside ``box`` (left, bottom, right,
    top): 0 when the line misses it.

    >>> segment_in_box(((0.0, 5.0), (20.0, 5.0)), (5.0, 0.0, 10.0, 10.0))
    5.0
    >>> segment_in_box(((0.0, 20.0), (20.0, 20.0)), (5.0, 0.0, 10.0, 10.0))
    0.0
    """
    ((x1, y1), (x2, y2)), (left, bottom, right, top) = segment, box
    dx, dy = x2 - x1, y2 - y1
    low, high = 0.0, 1.0  # the part of the segment inside, as fractions (Liang-Barsky)
    for step, room in ((-dx, x1 - left), (dx, right - x1), (-dy, y1 - bottom), (dy, top - y1)):
        if step == 0:
            if room < 0:
                return 0.0
            continue
        t = room / step
        if step < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low >= high:
            return 0.0
    return (high - low) * math.hypot(dx, dy)


def box_distance(segment: Segment, box: Box) -> float:
    """How far ``segment`` passes from ``box`` (left, bottom, right, top): 0 when it
    runs into it.

    >>> box_distance(((0.0, 20.0), (20.0, 20.0)), (5.0, 0.0, 10.0, 10.0))
    10.0
    >>> box_distance(((0.0, 14.0), (14.0, 0.0)), (0.0, 0.0, 4.0, 4.0))  # past a corner
    4.243
    """
    if segment_in_box(segment, box) > 0:
        return 0.0
    left, bottom, right, top = box
    (x1, y1), (x2, y2) = segment
    ends = [math.hypot(max(left - x, 0.0, x - right), max(bottom - y, 0.0, y - top))
            for x, y in segment]
    corners = [segment_distance(corner, segment)
               for corner in ((left, bottom), (left, top), (right, bottom), (right, top))]
    return round(min(*ends, *corners), 3)


def visible_segment(tail: Circle, head: Circle) -> Segment:
    """The straight line from ``tail``'s rim to ``head``'s, as the picture draws it.

    >>> visible_segment((0.0, 0.0, 2.0), (10.0, 0.0, 3.0))
    ((2.0, 0.0), (7.0, 0.0))
    """
    (x1, y1, r1), (x2, y2, r2) = tail, head
    between = math.hypot(x2 - x1, y2 - y1)
    ux, uy = (x2 - x1) / between, (y2 - y1) / between
    return (x1 + r1 * ux, y1 + r1 * uy), (x2 - r2 * ux, y2 - r2 * uy)


class LabelPlacer:
    """Places labels one after another; each keeps clear of every circle, of every
    line and of every label placed before it, close beside its own line and
    OTHER_LINE_GAP from every other line, none running along it. ``circles``: every
    circle of the picture; ``lines``: every edge, as (tail circle, head circle).
    ``crowded`` turns True when a label finds no spot that does all that (it then
    goes where it breaks the rules least, never on text or a circle if it can help
    it).

    >>> a, b, c = (0.0, 0.0, 10.0), (200.0, 0.0, 10.0), (200.0, 30.0, 10.0)
    >>> placer = LabelPlacer([a, b, c], 12.0, lines=[(a, b), (a, c)])
    >>> placer.place(a, b, "w = 1", [0.5])  # below: above, a-c runs close along it
    ('-7.4', '9.08')
    >>> placer.crowded
    False
    """

    def __init__(self, circles: Iterable[Circle], text_size: float,
                 lines: Iterable[tuple[Circle, Circle]] = ()) -> None:
        self.circles = list(circles)
        self.size = text_size
        self.lines = {(tail, head): visible_segment(tail, head) for tail, head in lines}
        self.placed: list[Box] = []
        self.crowded = False

    def box_size(self, label: str) -> tuple[float, float]:
        """Half the width and half the height of ``label``'s box, in points.

        >>> LabelPlacer([], 10.0).box_size("ab\\ncdef")
        (12.8, 12.0)
        """
        return box_size(label, self.size)

    def place(self, tail: Circle, head: Circle, label: str, fractions: Sequence[float],
              sides: Sequence[int] = (1, -1)) -> tuple[str, str]:
        """``(labelangle, labeldistance)`` for the label of the line from ``tail`` to
        ``head``. Tried in order: each of ``fractions`` of the visible line, then
        every twentieth of it, on each of ``sides`` (1: left of the line's
        direction, -1: right), the label just off the line. The first spot that
        keeps every rule wins; if none does, the one that breaks them least."""
        (x1, y1, r1), (x2, y2, r2) = tail, head
        between = math.hypot(x2 - x1, y2 - y1)
        ux, uy = (x2 - x1) / between, (y2 - y1) / between
        nx, ny = -uy, ux  # the line's left
        bx, by = x1 + r1 * ux, y1 + r1 * uy  # where the line leaves the tail circle
        visible = between - r1 - r2
        half_w, half_h = self.box_size(label)
        text_w = half_w * TEXT_WIDTH / CHAR_WIDTH
        # The text's nearest corner LINE_CLEARANCE from the line (and half a point to
        # spare for rounding).
        off = text_w * abs(nx) + half_h * abs(ny) + LINE_CLEARANCE + 0.5
        spots = [(bx + f * visible * ux + side * off * nx, by + f * visible * uy + side * off * ny)
                  for f in [*fractions, *FALLBACK_FRACTIONS] for side in sides]
        own = self.lines.get((tail, head), visible_segment(tail, head))
        best, best_cost = spots[0], math.inf
        for cx, cy in spots:
            cost = self._cost((cx - half_w, cy - half_h, cx + half_w, cy + half_h),
                              (cx - text_w, cy - half_h, cx + text_w, cy + half_h), own,
                              best_cost)
            if cost < best_cost:
                best, best_cost = (cx, cy), cost
                if not cost:
                    break
        cx, cy = best
        self.crowded = self.crowded or best_cost > 0
        self.placed.append((cx - half_w, cy - half_h, cx + half_w, cy + half_h))
        angle = math.degrees(math.atan2(cy - by, cx - bx) - math.atan2(uy, ux))
        angle = (angle + 180.0) % 360.0 - 180.0
        return f"{angle:.1f}", f"{math.hypot(cx - bx, cy - by) / 10:.2f}"

    def _cost(self, box: Box, text: Box, own: Segment, enough: float = math.inf) -> float:
        """How far a label breaks the rules: its ``box`` (generous) runs into the
        circles (with their clearance), the labels placed so far (with a gap) or any
        line; its ``text`` (as Helvetica sets it) strays from its own line or comes
        nearer than OTHER_LINE_GAP to another. 0 when it keeps them all; counting
        stops once it reaches ``enough``."""
        left, bottom, right, top = box
        cost = 0.0
        for cx, cy, r in self.circles:
            dx = max(left - cx, 0.0, cx - right)
            dy = max(bottom - cy, 0.0, cy - top)
            cost += OVERLAP_WEIGHT * max(r + CIRCLE_CLEARANCE - math.hypot(dx, dy), 0.0) ** 2
        for l2, b2, r2, t2 in self.placed:
            w = min(right, r2) - max(left, l2) + LABEL_GAP
            h = min(top, t2) - max(bottom, b2) + LABEL_GAP
            if w > 0 and h > 0:
                cost += OVERLAP_WEIGHT * w * h
        if cost >= enough:
            return cost
        # Beside its own line: neither across it nor further than the slack from it.
        mine = box_distance(own, text)
        cost += segment_in_box(own, box) ** 2 + max(LINE_CLEARANCE - mine, 0.0) ** 2
        cost += max(mine - LINE_CLEARANCE - OWN_LINE_SLACK, 0.0) ** 2
        reach = OTHER_LINE_GAP + ALONG_BAND
        band = (text[0] - ALONG_BAND, text[1] - ALONG_BAND,
                text[2] + ALONG_BAND, text[3] + ALONG_BAND)
        for line in self.lines.values():
            if cost >= enough:
                break
            (x1, y1), (x2, y2) = line
            if (line == own or min(x1, x2) > right + reach or max(x1, x2) < left - reach
                    or min(y1, y2) > top + reach or max(y1, y2) < bottom - reach):
                continue  # its own, or too far to matter
            cost += segment_in_box(line, box) ** 2
            cost += max(OTHER_LINE_GAP - box_distance(line, text), 0.0) ** 2
            cost += max(segment_in_box(line, band) - ALONG_LENGTH, 0.0) ** 2
        return cost
