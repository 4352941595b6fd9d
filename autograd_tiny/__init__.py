"""autograd_tiny: a scalar reverse-mode automatic differentiation engine for learning
and teaching backpropagation.

>>> from autograd_tiny import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x + 1).tanh()
>>> y.backward()
>>> round(x.grad, 6)
0.000726
"""

import importlib as _importlib
import sys as _sys

from .core import autodiff as _autodiff, engine, modes as _modes, ops as _ops
from .core.autodiff import GradcheckError, grad, gradcheck
from .core.engine import (
    Value,
    cos,
    exp,
    leaky_relu,
    log,
    relu,
    reverse_topological_order,
    sigmoid,
    sin,
    sqrt,
    tanh,
    weighted_sum,
)
from .core.modes import AnomalyError, detect_anomaly, enable_grad, is_grad_enabled, no_grad
from . import nn
from .nn import MLP, Layer, Module, Neuron, data, losses, optim, plots, train
from .nn.optim import SGD, Adam
from .nn.train import History, fit
from .draw import dot as _dot, renderer as _renderer
from .draw import (
    Drawing,
    RenderError,
    RendererNotFound,
    draw_dot,
    draw_network,
    find_renderer,
    notebook_svg,
    render,
    to_svg,
)
from .teach import backward_steps, explain, steps_table
from .teach.check import check
from .teach.slides import Slides, network_slides, show_backward, write_slides
from .compile import CompiledStep, StaleTraceError
from .compile import compile  # the function; the subpackage stays importable by its path

# Import paths of the flat layout this package grew from keep working:
# ``from autograd_tiny.engine import Value`` (micrograd's own path with the name
# swapped), ``from autograd_tiny.losses import mse_loss`` and the like.
for _old, _module in {"engine": engine, "ops": _ops, "autodiff": _autodiff, "modes": _modes,
                      "data": data, "losses": losses, "optim": optim, "train": train,
                      "plots": plots, "viz": _dot, "renderer": _renderer}.items():
    _sys.modules.setdefault(f"{__name__}.{_old}", _module)
for _old, _new in {"floatmath": "core.floatmath", "files": "core.files",
                   "notation": "teach.notation", "routes": "teach.routes",
                   "stepping": "teach.stepping", "slides": "teach.slides",
                   "walkthrough": "teach.walkthrough", "expr": "cli.expr",
                   "repl": "cli.console"}.items():
    _sys.modules.setdefault(f"{__name__}.{_old}", _importlib.import_module(f"{__name__}.{_new}"))

__version__ = "0.1.0"

__all__ = [
    "Adam",
    "History",
    "Layer",
    "MLP",
    "Module",
    "Neuron",
    "SGD",
    "Slides",
    "backward_steps",
    "check",
    "compile",
    "data",
    "explain",
    "fit",
    "steps_table",
    "AnomalyError",
    "CompiledStep",
    "GradcheckError",
    "RenderError",
    "RendererNotFound",
    "StaleTraceError",
    "Value",
    "cos",
    "detect_anomaly",
    "draw_dot",
    "draw_network",
    "Drawing",
    "enable_grad",
    "exp",
    "find_renderer",
    "grad",
    "gradcheck",
    "is_grad_enabled",
    "leaky_relu",
    "losses",
    "log",
    "no_grad",
    "network_slides",
    "nn",
    "notebook_svg",
    "optim",
    "relu",
    "render",
    "reverse_topological_order",
    "sigmoid",
    "sin",
    "sqrt",
    "show_backward",
    "tanh",
    "to_svg",
    "train",
    "weighted_sum",
    "write_slides",
]
