r"""Colours, fonts and text escaping shared by every picture this package draws.

>>> number(0.70710678), number(-0.0), number(1e-7)
('0.7071', '0.0000', '1.0000e-07')
>>> print(record_text("a|b"))
a\|b
"""

from __future__ import annotations

import math
import re
from typing import Any

LEAF_FILL = "#dbe9f6"           # inputs and weights: light blue
INTERMEDIATE_FILL = "#f2f2f2"   # values an op made: light grey
OUTPUT_FILL = "#d9f0d3"         # the root: light green
HIGHLIGHT_COLOR = "#d62728"     # the gradient's route to the highlighted node
FOCUS_COLOR = "#ff7f0e"         # the node and edge a slide is about
FOCUS_FILL = "#ffe5cc"
FONT = "Helvetica"  # one name: a list would lay out with Times widths
GROUP_FILL = "#e6e0f3"          # a neuron or layer drawn as one box: lavender
AGGREGATE_FILL = "#fdebd0"      # a sum or mean over many data points: light orange
PARAMETER_TERM_FILL = "#f9dcdc"  # a term of the parameters alone (L2): light red
NOTE_FILL = "#fff8dc"


def number(x: float) -> str:
    """Four decimals, like micrograd's pictures; below 0.01 four significant digits
    (four decimals would print a gradient of 0.000438568 as 0.0004, beside a text
    that says 0.000438568); very large or small as exponents.

    >>> number(2), number(-0.5), number(12345678.0), number(float("inf"))
    ('2.0000', '-0.5000', '1.2346e+07', 'inf')
    >>> number(0.000438568), number(-0.0082), number(0.0)
    ('0.0004386', '-0.008200', '0.0000')
    """
    x = float(x) + 0.0  # -0.0 would print as '-0.0000'
    if not math.isfinite(x):
        return str(x)
    if x != 0 and not 1e-4 <= abs(x) < 1e6:
        return f"{x:.4e}"
    if x != 0 and abs(x) < 0.01:
        return f"{x:#.4g}"
    return f"{x:.4f}"


# Characters with a meaning inside a Graphviz record label, and in every string
# (backslash starts \\n, \\N, \\G ...; a quote would end the string).
_RECORD_SPECIAL = frozenset('{}|<>"')


def plain_text(text: str) -> str:
    r"""``text`` as a Graphviz escString that shows exactly ``text``.

    >>> print(plain_text('say "hi"\nbye'))
    say \"hi\"\nbye
    """
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def record_text(text: str) -> str:
    r"""``text`` as one record field that shows exactly ``text``.

    >>> print(record_text("{a|b}\n<c>"))
    \{a\|b\}\n\<c\>
    """
    escaped = text.replace("\\", "\\\\").replace("\n", "\\n")
    return "".join("\\" + ch if ch in _RECORD_SPECIAL else ch for ch in escaped)




def record_label(node: Any, name: str, show_grad: bool = True) -> str:
    """A value's record: ``{ name | data ... | grad ... }``.

    >>> from autograd_tiny import Value
    >>> record_label(Value(2.0), "x")
    '{ x | data 2.0000 | grad 0.0000 }'
    """
    fields = [record_text(name)]
    fields.append(f"data {number(node.data)}")
    if show_grad:
        fields.append(f"grad {number(node.grad)}")
    return "{ " + " | ".join(fields) + " }"


def value_fill(node: Any, root: Any) -> str:
    """A value's box colour: the output green, inputs and weights blue, the rest grey.

    >>> from autograd_tiny import Value
    >>> x = Value(1.0); y = x * 2
    >>> value_fill(y, y) == OUTPUT_FILL, value_fill(x, y) == LEAF_FILL
    (True, True)
    """
    if node is root:
        return OUTPUT_FILL
    return LEAF_FILL if node.is_leaf else INTERMEDIATE_FILL


# A white outline painted under each edge label's letters (SVG's ``paint-order``):
# where an edge or a node's border runs behind a label, the digits stay whole. Set as
# attributes on the text, not a <style> sheet: CSS in an SVG shown inline in a
# notebook would reach the whole page, and attributes hold in <img> and in browsers.
# (A PNG or PDF Graphviz writes itself has no outline: Graphviz has no paint order;
# demos/screenshots.py makes PNGs from the SVG in a browser.)
LABEL_HALO = ('stroke="#ffffff" stroke-width="5" stroke-linejoin="round" paint-order="stroke"')
# Graphviz writes nodes, edges and clusters as sibling groups; a text belongs to the
# group opened last before it.
_GROUP_OR_TEXT = re.compile(r'<g id="[^"]*" class="(\w+)"|<text\b(?![^>]*paint-order)')


def halo_edge_labels(svg: str) -> str:
    """``svg`` (as Graphviz writes it) with a white halo under every edge label.

    >>> svg = ('<g id="node1" class="node"><text x="0">a</text></g>'
    ...        '<g id="edge1" class="edge"><path d="M0,0"/><text x="1">2.0</text></g>')
    >>> out = halo_edge_labels(svg)
    >>> out.count("paint-order"), '<text x="0">a' in out
    (1, True)
    >>> halo_edge_labels(out) == out  # applied once
    True
    """
    group = ""

    def mark(match: re.Match[str]) -> str:
        nonlocal group
        if match.group(1) is not None:
            group = match.group(1)
            return match.group(0)
        return f"<text {LABEL_HALO}" if group == "edge" else match.group(0)

    return _GROUP_OR_TEXT.sub(mark, svg)
