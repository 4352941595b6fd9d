"""Where an edge's label goes in the network picture: beside its straight line, clear
of every circle and of the labels placed before it.

The picture pins every circle (see ``network._positions``) and draws straight lines
between them, so the geometry is known before Graphviz runs. Graphviz places a tail
label at ``labeldistance`` x 10 points from where the line leaves the tail circle,
turned ``labelangle`` degrees anticlockwise off the line; :class:`LabelPlacer` works
out the spot and hands back those two numbers. Units are points, y upwards, as in
Graphviz's ``pos``.

>>> placer = LabelPlacer([(0.0, 0.0, 20.0), (200.0, 0.0, 20.0)], text_size=12.0)
>>> placer.place((0.0, 0.0, 20.0), (200.0, 0.0, 20.0), "w = 0.5", [0.5])  # above the middle
('7.3', '8.06')
>>> placer.place((0.0, 0.0, 20.0), (200.0, 0.0, 20.0), "w = 0.5", [0.5])  # taken: below
('-7.3', '8.06')
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

__all__ = ["LabelPlacer", "box_size"]

Circle = tuple[float, float, float]  # centre x, centre y, radius
Box = tuple[float, float, float, float]  # left, bottom, right, top

# How wide a character of a label may be, in units of the text size: digits are 0.56
# in Helvetica and 0.64 in DejaVu Sans, which browsers without Helvetica fall back to.
CHAR_WIDTH = 0.64
LINE_HEIGHT = 1.2  # lines of a label, in units of the text size
CIRCLE_CLEARANCE = 3.0  # points between a label (its generous box) and any circle
LABEL_GAP = 3.0  # points between two labels, and between a label and its own line


def box_size(label: str, text_size: float) -> tuple[float, float]:
    """Half the width and half the height of the box ``label`` (lines split at
    ``\\n``) takes at ``text_size`` points, generously: every character CHAR_WIDTH wide.

    >>> box_size("w5 = 0.4\\ngrad 0.08", 10.0)
    (28.8, 12.0)
    """
    lines = label.split("\n")
    return (max(map(len, lines)) * text_size * CHAR_WIDTH / 2,
            len(lines) * text_size * LINE_HEIGHT / 2)


class LabelPlacer:
    """Places labels one after another; each keeps clear of every circle and of every
    label placed before it. ``circles``: every circle of the picture. ``crowded``
    turns True when a label finds no clear spot (it then goes where it overlaps
    least)."""

    def __init__(self, circles: Iterable[Circle], text_size: float) -> None:
        self.circles = list(circles)
        self.size = text_size
        self.placed: list[Box] = []
        self.crowded = False

    def box_size(self, label: str) -> tuple[float, float]:
        """Half the width and half the height of ``label``'s box, in points.

        >>> LabelPlacer([], 10.0).box_size("ab\\ncdef")
        (12.8, 12.0)
        """
        return box_size(label, self.size)

    def place(self, tail: Circle, head: Circle, label: str, fractions: Sequence[float],
              sides: Sequence[int] = (1, -1),
              preferred: tuple[float, float] | None = None) -> tuple[str, str]:
        """``(labelangle, labeldistance)`` for the label of the line from ``tail`` to
        ``head``. Tried in order: ``preferred`` (an angle in degrees and a distance
        in points, as Graphviz counts them), then each of ``fractions`` of the
        visible line, on each of ``sides`` (1: left of the line's direction, -1:
        right), the label's box just off the line. The first spot clear of every
        circle and every earlier label wins; if none is, the one that overlaps
        least."""
        (x1, y1, r1), (x2, y2, r2) = tail, head
        between = math.hypot(x2 - x1, y2 - y1)
        ux, uy = (x2 - x1) / between, (y2 - y1) / between
        nx, ny = -uy, ux  # the line's left
        bx, by = x1 + r1 * ux, y1 + r1 * uy  # where the line leaves the tail circle
        visible = between - r1 - r2
        half_w, half_h = self.box_size(label)
        off = half_w * abs(nx) + half_h * abs(ny) + LABEL_GAP  # the box just clears the line
        spots = []
        if preferred is not None:
            turn = math.radians(preferred[0])
            dx = ux * math.cos(turn) - uy * math.sin(turn)
            dy = ux * math.sin(turn) + uy * math.cos(turn)
            spots.append((bx + preferred[1] * dx, by + preferred[1] * dy))
        spots += [(bx + f * visible * ux + side * off * nx, by + f * visible * uy + side * off * ny)
                  for f in fractions for side in sides]
        best, best_cost = spots[0], math.inf
        for cx, cy in spots:
            cost = self._overlap((cx - half_w, cy - half_h, cx + half_w, cy + half_h))
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

    def _overlap(self, box: Box) -> float:
        """How far ``box`` runs into the circles (with their clearance) and the labels
        placed so far (with a gap): 0 when it is clear of all."""
        left, bottom, right, top = box
        cost = 0.0
        for cx, cy, r in self.circles:
            dx = max(left - cx, 0.0, cx - right)
            dy = max(bottom - cy, 0.0, cy - top)
            cost += max(r + CIRCLE_CLEARANCE - math.hypot(dx, dy), 0.0) ** 2
        for l2, b2, r2, t2 in self.placed:
            w = min(right, r2) - max(left, l2) + LABEL_GAP
            h = min(top, t2) - max(bottom, b2) + LABEL_GAP
            if w > 0 and h > 0:
                cost += w * h
        return cost
