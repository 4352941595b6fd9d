"""Neural networks on top of the engine: modules, losses, optimisers, data, training.

``from autograd_tiny.nn import Neuron, Layer, MLP`` works as with micrograd.

>>> from autograd_tiny.nn import MLP
>>> model = MLP(2, [3, 1], seed=0)
>>> len(model.parameters())
13
"""

from . import data, losses, optim, plots, train
from .modules import MLP, Layer, Module, Neuron

__all__ = ["MLP", "Layer", "Module", "Neuron", "data", "losses", "optim", "plots", "train"]
