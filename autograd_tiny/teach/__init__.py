"""The chain rule made visible, two ways:

- :func:`explain` writes a gradient out route by route: every path from the output
  back to an input as a chain of local derivatives, one per edge of the graph, each
  route's product, and their sum, which is the gradient one ``backward()`` gives
  (:mod:`~autograd_tiny.teach.routes`).
- :func:`backward_steps` runs ``backward()`` one edge at a time, yielding a
  :class:`Step` per application of the chain rule, or one neuron at a time
  (``by="neuron"``, a :class:`NeuronStep` per neuron: its delta dE/dnet and what it
  passes to its weights); :func:`steps_table` shows the edge steps as one table
  (:mod:`~autograd_tiny.teach.stepping`).

Both read what the engine recorded when the ops ran: each node's parents
(``_prev``) and local derivatives (``_local``), and the op's rule text from the table
in ``ops.py`` (``op.local_rules(n)``). No derivative is worked out a second time.
Both read the graph once, through :func:`~autograd_tiny.core.graph.snapshot`, and
name nodes as the pictures do (:mod:`~autograd_tiny.teach.notation`:
:func:`number_text`, :func:`node_names`, :func:`formula`, :func:`derivative_text`,
:func:`local_derivative_text`).

>>> from autograd_tiny import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> y.label = "y"
>>> print(explain(y, x).routes[0])
∂y/∂(x*x) * ∂(x*x)/∂x (as input 1) = 0.001340951 * 2 = 0.002681901
>>> *_, last = backward_steps(y)  # x*x passes gradient to x twice, once per input
>>> print(last)
step 3: x*x passes gradient to x
  upstream       dy/d(x*x) = 0.001340951
  local          ∂(x*x)/∂x (as input 2) = x = 2    (*)
  contribution   0.001340951 * 2 = 0.002681901
  running total  dy/dx = 0.002681901 + 0.002681901 = 0.005363803    (complete)
>>> x.grad == explain(y, x).total
True
"""

from __future__ import annotations

from ..core.graph import node_names, number_text
from .notation import derivative_text, formula, local_derivative_text
from .routes import ROUTE_LENGTH, ROUTE_LIMIT, Explanation, Factor, NodeGradient, Route, explain
from .stepping import Link, NeuronStep, Step, backward_steps, steps_table

__all__ = [
    "ROUTE_LENGTH",
    "ROUTE_LIMIT",
    "Explanation",
    "Factor",
    "Link",
    "NeuronStep",
    "NodeGradient",
    "Route",
    "Step",
    "backward_steps",
    "derivative_text",
    "explain",
    "formula",
    "local_derivative_text",
    "node_names",
    "number_text",
    "steps_table",
]
