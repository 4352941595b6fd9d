"""Pictures of graphs: ``draw_dot``/``render`` (op-level graphs) and the discovery of
a Graphviz renderer (a system ``dot``, else the pip package ``graphviz-pure``).

Importing this package also lets Jupyter draw a ``Value`` inline.
"""

from .dot import draw_dot, notebook_svg, render, to_svg
from .renderer import RenderError, RendererNotFound, find_renderer

__all__ = ["RenderError", "RendererNotFound", "draw_dot", "find_renderer", "notebook_svg",
           "render", "to_svg"]
