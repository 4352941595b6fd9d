"""autograd_tiny: a scalar reverse-mode automatic differentiation engine for learning
and teaching backpropagation.

>>> from autograd_tiny import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x + 1).tanh()
>>> y.backward()
>>> round(x.grad, 6)
0.000726
"""

from . import data, losses, nn, optim, train
from .autodiff import GradcheckError, grad, gradcheck
from .compile import CompiledStep, StaleTraceError, compile
from .engine import (
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
)
from .modes import AnomalyError, detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .nn import MLP, Layer, Module, Neuron
from .optim import SGD, Adam
from .renderer import RenderError, RendererNotFound, find_renderer
from .teach import backward_steps, explain, steps_table
from .train import History, fit
from .viz import draw_dot, notebook_svg, render, to_svg

__version__ = "0.1.0"

__all__ = [
    "Adam",
    "History",
    "Layer",
    "MLP",
    "Module",
    "Neuron",
    "SGD",
    "backward_steps",
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
    "nn",
    "notebook_svg",
    "optim",
    "relu",
    "render",
    "reverse_topological_order",
    "sigmoid",
    "sin",
    "sqrt",
    "tanh",
    "to_svg",
    "train",
]
