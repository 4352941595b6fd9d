"""Pictures of graphs and models: ``draw_dot``/``render`` (op-level graphs, clustered
or collapsed by neuron and layer for ``nn`` models), ``draw_network`` (a model as a
network diagram), and the discovery of a Graphviz renderer (a system ``dot``, else
the pip package ``graphviz-pure``). Every drawing is a ``Drawing``: it shows itself
inline in Jupyter with that renderer.

Importing this package also lets Jupyter draw a ``Value`` inline.
"""

from .dot import draw_dot, notebook_svg, render, to_svg
from .network import draw_network
from .picture import Drawing
from .renderer import RenderError, RendererNotFound, find_renderer

__all__ = ["Drawing", "RenderError", "RendererNotFound", "draw_dot", "draw_network",
           "find_renderer", "notebook_svg", "render", "to_svg"]
