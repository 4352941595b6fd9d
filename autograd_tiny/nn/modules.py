"""Neural networks from ``Value``s: ``Module``, ``Neuron``, ``Layer``, ``MLP``.

The same signatures and defaults as micrograd's ``nn`` (weights uniform in [-1, 1],
bias 0, ReLU hidden layers, a linear last layer, ``parameters()`` listing each
neuron's weights then its bias), so micrograd code runs with the import swapped.
Without ``seed=`` the weights come from the global ``random`` module in micrograd's
order, so ``random.seed(1337)`` then ``MLP(2, [16, 16, 1])`` gives micrograd's model.
Additions: an ``activation=`` choice, reproducible initialisation with ``seed=``,
parameter names, ``state_dict()`` and ``save``/``load`` to JSON.

>>> model = MLP(2, [4, 1], seed=0)
>>> model
MLP(2, [4, 1], parameters=17)
  Layer(2, 4, activation='relu', parameters=12)
  Layer(4, 1, activation='linear', parameters=5)
>>> score = model([0.5, -1.0])
>>> score.backward()
>>> len(model.parameters()), type(score).__name__
(17, 'Value')
"""

from __future__ import annotations

import json
import math
import numbers
import os
import random
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from .data import Seed, random_source
from ..core.engine import Value, _checked_label, _operand, _weighted_sum_of_nodes, weighted_sum
from ..core.files import PathLike, write_atomically


# name -> the Value method applied to a neuron's weighted sum (None: left as it is).
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": None,
}

# What a neuron has seen of its parameters before its first call (see _parameters_height).
_NOTHING_SEEN: tuple[Sequence[Value], Any, int] = ((), None, 0)

FILE_FORMAT = "autograd_tiny.state_dict"
FILE_VERSION = 1


class Module:
    """Base class of everything with parameters, like ``torch.nn.Module``.

    A subclass stores its parameters (``Value``s) and sub-modules as attributes, or in
    lists of them, and ``parameters()`` finds them in attribute order. A micrograd-style
    subclass that writes its own ``parameters()`` works too: its parameters are then
    named by position.

    >>> class Affine(Module):
    ...     def __init__(self):
    ...         self.scale, self.shift = Value(2.0), Value(0.5)
    ...     def __call__(self, x):
    ...         return self.scale * x + self.shift
    >>> f = Affine()
    >>> f.named_parameters()
    [('scale', Value(data=2.0, grad=0.0)), ('shift', Value(data=0.5, grad=0.0))]
    >>> f
    Affine(parameters=2)
    """

    def parameters(self) -> list[Value]:
        """Every parameter once, in a stable order (attribute order, lists in order).

        >>> [p.data for p in Neuron(2, seed=1).parameters()][-1]
        0.0
        """
        return [p for _, p in self._found_parameters()]

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, parameter)`` pairs in ``parameters()`` order. A ``Neuron``,
        ``Layer`` or ``MLP`` names its parameters by their place (``L1.N1.w1``,
        ``L1.N1.b``; a bare layer ``N1.w1``, a bare neuron ``w1``, ``b``), the names
        their labels were given when the model was built, or by ``rename()``. Any
        other module names them by attribute path (``scale``, ``inner.w1``).

        >>> [name for name, _ in Neuron(2).named_parameters()]
        ['w1', 'w2', 'b']
        """
        found = self._found_parameters()
        if type(self).parameters is Module.parameters:
            return found  # parameters() is this same walk: walking twice per level is 2**depth
        declared = self.parameters()
        if [id(p) for _, p in found] != [id(p) for p in declared]:
            # parameters() was written by hand (the micrograd way): name by position.
            return [(str(i), p) for i, p in enumerate(declared)]
        return found

    def rename(self, neurons: Iterable[str] | None = None, *,
               weights: Iterable[str] | None = None, biases: Iterable[str] | None = None,
               net: str = "{neuron}.net", out: str = "{neuron}.out") -> "Module":
        """Gives the model's neurons, parameters and nodes names of your own; returns
        the model. ``neurons``: one name per neuron, layer by layer. ``weights``: one
        name per weight in ``parameters()`` order (a neuron's weights, neuron by
        neuron); ``biases``: one per bias (a tied bias, see ``tie_biases``, once).
        Left out, they are named from the neuron: ``h1.w1``, ``h1.b``. ``net`` and
        ``out`` name the nodes each neuron makes when it runs; ``{neuron}`` stands for
        the neuron's name. Labels follow the new names (one set by hand stays), and
        so do ``named_parameters()`` and ``state_dict()``.

        Matt Mazur's 2-2-2 network, with one bias per layer:

        >>> model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid",
        ...             seed=0).tie_biases()
        >>> model = model.rename(["h1", "h2", "o1", "o2"],
        ...                      weights=[f"w{k}" for k in range(1, 9)], biases=["b1", "b2"],
        ...                      net="net_{neuron}", out="out_{neuron}")
        >>> [name for name, _ in model.named_parameters()]
        ['w1', 'w2', 'b1', 'w3', 'w4', 'w5', 'w6', 'b2', 'w7', 'w8']
        >>> o1, o2 = model([0.05, 0.1])
        >>> o1.label, o1._prev[0].label
        ('out_o1', 'net_o1')
        """
        cells = self._neurons()
        if not cells:
            raise TypeError(f"rename: {type(self).__name__} has no neurons to name")
        for template, what in ((net, "net"), (out, "out")):
            _check_name(template, "rename", what)
        names = ([n.name for n in cells] if neurons is None
                 else _name_list(neurons, len(cells), "neurons"))
        prefixes = [f"{name}." if name else "" for name in names]
        counts = [len(n.w) for n in cells]
        if weights is None:
            weight_names = [f"{prefix}w{k}" for prefix, count in zip(prefixes, counts)
                            for k in range(1, count + 1)]
        else:
            weight_names = _name_list(weights, sum(counts), "weights")
        # One name per distinct bias, in order: a tied bias is named where it first appears.
        first_use: dict[int, int] = {}
        for i, cell in enumerate(cells):
            first_use.setdefault(id(cell.b), i)
        if biases is None:
            bias_names = [f"{prefixes[i]}b" for i in first_use.values()]
        else:
            bias_names = _name_list(biases, len(first_use), "biases")
        bias_of = dict(zip(first_use, bias_names))
        # "{neuron}.net" for a neuron with no name (a bare Neuron) is "net".
        nodes = [template.replace("{neuron}.", prefix).replace("{neuron}", name)
                 for name, prefix in zip(names, prefixes) for template in (net, out)]
        taken: set[str] = set()
        for name in weight_names + bias_names + nodes:
            if not name:
                raise ValueError("rename: a node name is empty (a neuron with no name?)")
            if name in taken:
                raise ValueError(f"rename: the name {name!r} is used twice "
                                 f"(each parameter and node needs its own)")
            taken.add(name)
        start = 0
        for cell, name, count, (net_name, out_name) in zip(
                cells, names, counts, zip(nodes[::2], nodes[1::2])):
            _name_neuron(cell, name, weight_names[start:start + count], bias_of[id(cell.b)],
                         net_name, out_name)
            start += count
        return self

    def _neurons(self) -> list["Neuron"]:
        """The neurons of the model, layer by layer (for ``rename``)."""
        found: list[Neuron] = []
        for name, value in vars(self).items():
            if name.startswith("_"):
                continue
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, Module):
                    found.extend(item._neurons())
        return found

    def num_parameters(self) -> int:
        """How many scalar parameters the module has.

        >>> MLP(2, [16, 16, 1]).num_parameters()
        337
        """
        return len(self.parameters())

    def zero_grad(self) -> None:
        """Sets every parameter's ``grad`` to 0 (gradients accumulate across backward calls).

        >>> n = Neuron(1, seed=0)
        >>> n([2.0]).backward()
        >>> n.zero_grad()
        >>> [p.grad for p in n.parameters()]
        [0.0, 0.0]
        """
        for p in self.parameters():
            p.grad = 0.0

    # -- weights in and out --------------------------------------------------------------

    def state_dict(self) -> dict[str, float]:
        """Every parameter's value by name: plain floats, a copy.

        >>> Neuron(1, seed=0).state_dict()
        {'w1': 0.6888437030500962, 'b': 0.0}
        """
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Sets every parameter from ``state`` (as made by ``state_dict()``). The names
        must match exactly: the model's names, or (for files saved by earlier
        versions) the attribute paths they used, such as ``layers.0.neurons.3.w.1``.
        Every value must be a finite number. On any mismatch nothing is changed:
        ``ValueError`` says what is missing, unexpected or not finite, ``TypeError``
        names a value that is not a number. Gradients are left alone.

        >>> a, b = Neuron(2, seed=1), Neuron(2, seed=2)
        >>> b.load_state_dict(a.state_dict())
        >>> b.state_dict() == a.state_dict()
        True
        >>> b.load_state_dict({"w.0": 0.5, "w.1": -0.5, "b": 0.0})  # the old names
        >>> b.state_dict()
        {'w1': 0.5, 'w2': -0.5, 'b': 0.0}
        >>> b.load_state_dict({"w1": 0.5, "w2": float("nan"), "b": 0.0})
        Traceback (most recent call last):
        ...
        ValueError: load_state_dict: parameter 'w2' is nan (weights must be finite numbers)
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict: state must be a mapping of names to numbers, "
                            f"got {type(state).__name__}")
        named = self.named_parameters()
        names = [name for name, _ in named]
        known = set(names)
        if set(state) != known:
            old = self._attribute_names()
            if old is not None and set(state) == set(old) and len(old) == len(names):
                names, known = old, set(old)
        missing = [name for name in names if name not in state]
        unexpected = [str(key) for key in state if key not in known]
        if missing or unexpected:
            problems = []
            if missing:
                problems.append(f"missing {_some(missing)}")
            if unexpected:
                problems.append(f"unexpected {_some(unexpected)}")
            raise ValueError(f"load_state_dict: the state does not fit {_headline(self)} "
                             f"({'; '.join(problems)})")
        values: list[float] = []
        for name in names:
            value = state[name]
            if not isinstance(value, numbers.Real) or isinstance(value, bool):
                raise TypeError(f"load_state_dict: parameter {name!r} must be a number, "
                                 f"got {type(value).__name__}")
            try:
                number = float(value)
            except OverflowError:  # a JSON integer too large for a float
                raise ValueError(f"load_state_dict: parameter {name!r} is out of range "
                                 f"for a float") from None
            if not math.isfinite(number):  # nan, inf, and JSON's 1e400 (read as inf)
                raise ValueError(f"load_state_dict: parameter {name!r} is {number} "
                                 f"(weights must be finite numbers)")
            values.append(number)
        # Everything checked: only now does any parameter change.
        for (_, p), value in zip(named, values):
            p.data = value

    def _attribute_names(self) -> list[str] | None:
        """The names earlier versions gave the parameters (attribute paths such as
        ``layers.0.neurons.3.w.1``) in ``parameters()`` order; None if the walk does
        not find exactly the parameters (a hand-written ``parameters()``)."""
        found = self._found_parameters(by_attribute=True)
        if [id(p) for _, p in found] != [id(p) for p in self.parameters()]:
            return None
        return [name for name, _ in found]

    def save(self, path: PathLike) -> Path:
        """Writes the parameters to ``path`` as strict JSON. Floats are written with
        ``repr``, so every weight reads back bit for bit. The file appears atomically:
        written to a temporary file beside it, then renamed over ``path``; if ``path``
        is a symbolic link, the file it points to is replaced and the link stays.

        A weight that is nan or infinite is refused with ``ValueError`` naming it
        (JSON has no such numbers) and nothing is written.

        >>> import tempfile, pathlib
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = MLP(2, [3, 1], seed=0).save(pathlib.Path(tmp) / "model.json")
        ...     copy = MLP(2, [3, 1], seed=1).load(path)
        >>> copy.state_dict() == MLP(2, [3, 1], seed=0).state_dict()
        True
        """
        parameters = self.state_dict()
        for name, value in parameters.items():
            if not math.isfinite(value):
                raise ValueError(f"save: parameter {name!r} is {value}; a model file holds "
                                 f"finite numbers only (nothing was written)")
        document = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "model": _headline(self),
            "parameters": parameters,
        }
        text = json.dumps(document, indent=1, allow_nan=False) + "\n"
        path = Path(path)
        # Through a link: replace the file it names (os.replace on the link itself
        # would turn the link into a regular file).
        write_atomically(Path(os.path.realpath(path)) if path.is_symlink() else path,
                         text.encode("utf-8"))
        return path

    def load(self, path: PathLike | None = None) -> "Module":
        """Reads parameters saved by ``save`` into this model and returns the model:
        build the model first, then load, ``MLP(2, [16, 16, 1]).load("moons.json")``
        (the file holds numbers, not the code of the model; its ``"model"`` line says
        which shape it fits).
        The file must be strict JSON (no NaN or Infinity), ``"version"`` the integer
        1, every weight a finite number (``1e400`` is refused, not read as infinity),
        and no name may appear twice. Anything else (not JSON, nested too deeply,
        keys missing, a model of another shape) raises ``ValueError`` and leaves the
        model exactly as it was.

        >>> import tempfile, pathlib
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = MLP(2, [3, 1]).save(pathlib.Path(tmp) / "small.json")
        ...     MLP(2, [4, 1]).load(path)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: ...small.json: ... does not fit MLP(2, [4, 1], parameters=17) (missing 4 ...
        """
        if not isinstance(self, Module):  # MLP.load("moons.json"): called on the class
            raise TypeError(_load_on_class_message(self))
        if path is None:
            raise TypeError("load: missing the path of a file written by save()")
        path = Path(path)
        try:
            document = json.loads(path.read_bytes().decode("utf-8"),
                                  parse_constant=_refuse_constant,
                                  object_pairs_hook=_refuse_repeated_keys)
        except UnicodeDecodeError as error:
            raise ValueError(f"{path}: not a model file (not UTF-8 text: {error.reason})") from None
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: not a model file (invalid JSON: {error.msg} at line "
                             f"{error.lineno}, column {error.colno})") from None
        except RecursionError:
            raise ValueError(f"{path}: not a model file (JSON nested too deeply)") from None
        except _NotStrictJSON as error:
            raise ValueError(f"{path}: not a model file ({error})") from None
        if not isinstance(document, dict):
            raise ValueError(f"{path}: not a model file (expected a JSON object, "
                             f"got {type(document).__name__})")
        if "format" not in document:
            raise ValueError(f"{path}: not a model file (missing key 'format')")
        if document["format"] != FILE_FORMAT:
            raise ValueError(f"{path}: not a model file (format {document['format']!r}, "
                             f"expected {FILE_FORMAT!r})")
        version = document.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version != FILE_VERSION:
            raise ValueError(f"{path}: unsupported model file version "
                             f"{version!r} (this version reads {FILE_VERSION})")
        if not isinstance(document.get("parameters"), dict):
            raise ValueError(f"{path}: not a model file (missing key 'parameters': "
                             f"an object of names to numbers)")
        try:
            self.load_state_dict(document["parameters"])
        except (TypeError, ValueError) as error:
            raise ValueError(f"{path}: {error}") from None
        return self

    # -- showing a module ------------------------------------------------------------------

    def __repr__(self) -> str:
        lines = [_headline(self)]
        for child in _children(self):
            lines.extend("  " + line for line in repr(child).splitlines())
        return "\n".join(lines)

    def _describe(self) -> str:
        """What goes inside the parentheses of the first line of ``repr``."""
        return ""

    def _found_parameters(self, by_attribute: bool = False) -> list[tuple[str, Value]]:
        """Parameters found by walking attributes: Values, Modules (by their own
        ``named_parameters()``, or with ``by_attribute`` by their attribute paths all
        the way down) and lists or tuples of them; private names skipped."""
        found: list[tuple[str, Value]] = []
        seen: set[int] = set()
        # A stack filled in reverse keeps attribute order without recursion.
        stack = [(name, value) for name, value in vars(self).items() if not name.startswith("_")]
        stack.reverse()
        while stack:
            name, item = stack.pop()
            if isinstance(item, Value):
                if id(item) not in seen:  # a shared parameter is listed once
                    seen.add(id(item))
                    found.append((name, item))
                continue
            if isinstance(item, Module):
                pairs = (item._found_parameters(True) if by_attribute
                         else item.named_parameters())
                inner = [(f"{name}.{sub}", p) for sub, p in pairs]
            elif isinstance(item, (list, tuple)):
                inner = [(f"{name}.{i}", value) for i, value in enumerate(item)]
            else:
                continue
            stack.extend(reversed(inner))
        return found


class Neuron(Module):
    """One neuron: ``activation(w . x + b)``, weights uniform in [-1, 1], bias 0.

    ``Neuron(nin, nonlin=True)`` is micrograd's (ReLU, or linear with
    ``nonlin=False``); ``activation=`` picks 'relu', 'tanh', 'sigmoid' or 'linear'
    instead. Without ``seed=`` the weights are drawn from the global ``random`` module
    exactly as micrograd draws them (so ``random.seed(1337)`` reproduces micrograd's
    models); ``seed=`` (an int or a ``random.Random``) draws from a generator of its
    own and leaves the global state alone.

    Names: the parameters are labelled ``w1``..``wn`` and ``b`` (inside a model
    ``L1.N2.w1``: see ``name``), and each call labels the node of the net input
    ``net`` and the neuron's output ``out`` (for a linear neuron they are one node,
    labelled ``net``). ``rename()`` gives other names.

    >>> n = Neuron(2, activation="tanh", seed=0)
    >>> n
    Neuron(2, activation='tanh', parameters=3)
    >>> [p.label for p in n.parameters()]
    ['w1', 'w2', 'b']
    >>> y = n([1.0, 2.0])
    >>> y.label, y._prev[0].label
    ('out', 'net')
    >>> import math
    >>> y.data == math.tanh(n.w[0].data * 1.0 + n.w[1].data * 2.0 + n.b.data)
    True
    """

    def __init__(self, nin: int, nonlin: bool = True, *, activation: str | None = None,
                 seed: Seed = None, name: str = "") -> None:
        _check_size(nin, "Neuron", "nin")
        act_name = _activation_name(nonlin, activation, "Neuron")
        _check_name(name, "Neuron", "name", empty=True)
        uniform = _weight_source(seed, "Neuron").uniform
        self.w = [Value(uniform(-1.0, 1.0)) for _ in range(nin)]
        self.b = Value(0.0)
        self._parameters_seen: tuple[Sequence[Value], Any, int] = _NOTHING_SEEN
        self.nonlin = act_name != "linear"
        self.activation = act_name
        self._act = ACTIVATIONS[act_name]
        self.name = ""
        self.net_label = self.out_label = ""
        self._names = [""] * (nin + 1)  # one per parameter, in parameters() order
        _name_neuron(self, name)

    def __call__(self, x: Any) -> Value:
        return self._forward(_inputs(x, len(self.w), "Neuron"))

    def _forward(self, x: list[Value]) -> Value:
        return self._forward_shared(x, [v.data for v in x], max([v._h for v in x]))

    def _forward_shared(self, x: list[Value], x_data: list[float], x_height: int) -> Value:
        """The neuron on inputs whose data and highest height the caller worked out
        (a layer does it once for all its neurons)."""
        # The net input b + w1*x1 + ... + wn*xn as ONE node (Mazur's net), adding in
        # micrograd's order, so the numbers are micrograd's. ``x`` was checked at the
        # model's door and the weights are the neuron's own Values, so the unchecked
        # builder runs; a weight replaced by something else takes the checked path,
        # which turns a number into a constant or names what is wrong.
        try:
            height = self._parameters_height()
            net = _weighted_sum_of_nodes(self.w, x, self.b, x_data,
                                         x_height if x_height > height else height)
        except (AttributeError, TypeError):  # a number (a NumPy scalar has a .data too)
            net = weighted_sum(self.w, x, self.b)
        # The nodes are new, so no label of the user's is overwritten. One store per
        # node: the names themselves were made once, when the neuron was named.
        net._label = self.net_label  # checked once, when the neuron was named: skip the setter
        if self._act is None:
            return net
        out = self._act(net)
        out._label = self.out_label
        return out

    def _parameters_height(self) -> int:
        """The highest height among the weights and the bias (0 while they are leaves,
        as they almost always are). A node's height is fixed when the node is made, so
        this is worked out again only when a weight or the bias has been replaced:
        comparing the list with the copy kept from last time (identity first, in C)
        costs a small part of reading every weight's height on every call."""
        # getattr: a subclass whose __init__ does not call Neuron's has no copy yet.
        weights, bias, height = getattr(self, "_parameters_seen", _NOTHING_SEEN)
        if self.w != weights or self.b is not bias:
            weights, bias = self.w[:], self.b  # a copy of the same type: list or tuple
            height = max([w._h for w in weights] + [bias._h])
            self._parameters_seen = (weights, bias, height)
        return height

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return list(zip(self._names, self.parameters()))

    def _neurons(self) -> list["Neuron"]:
        return [self]

    def _describe(self) -> str:
        return f"{len(self.w)}, activation={self.activation!r}"


class Layer(Module):
    """``nout`` neurons that all see the same ``nin`` inputs; ``**kwargs`` go to each
    ``Neuron`` (``nonlin``, ``activation``, ``seed``). Called on inputs it returns a
    list of outputs, or a single ``Value`` when ``nout == 1`` (as micrograd does).

    The neurons are named ``N1``, ``N2``, ... (``name='L1'`` makes them ``L1.N1``,
    ...), so the parameters are ``N1.w1``, ``N1.b``, ... ``tie_biases()`` gives all
    the neurons of the layer one bias.

    >>> layer = Layer(3, 2, seed=0)
    >>> len(layer([1.0, 2.0, 3.0])), type(Layer(3, 1)([1, 2, 3])).__name__
    (2, 'Value')
    >>> [name for name, _ in layer.named_parameters()][:4]
    ['N1.w1', 'N1.w2', 'N1.w3', 'N1.b']
    """

    def __init__(self, nin: int, nout: int, *, name: str = "", **kwargs: Any) -> None:
        _check_size(nin, "Layer", "nin")
        _check_size(nout, "Layer", "nout")
        _check_name(name, "Layer", "name", empty=True)
        seed = kwargs.get("seed")
        if seed is not None:
            # One generator for the whole layer, so a seeded layer's neurons differ.
            kwargs["seed"] = random_source(seed, "Layer")
        self.name = name
        prefix = f"{name}." if name else ""
        self.neurons = [Neuron(nin, **kwargs, name=f"{prefix}N{j}") for j in range(1, nout + 1)]

    def __call__(self, x: Any) -> Value | list[Value]:
        out = self._forward(_inputs(x, len(self.neurons[0].w), "Layer"))
        return out[0] if len(out) == 1 else out

    def _forward(self, x: list[Value]) -> list[Value]:
        # Every neuron reads the same inputs: read their data and heights once.
        x_data = [v.data for v in x]
        x_height = max([v._h for v in x])
        return [n._forward_shared(x, x_data, x_height) for n in self.neurons]

    def tie_biases(self) -> "Layer":
        """Gives every neuron of the layer the same bias (the first neuron's), as
        networks drawn with one bias unit per layer have it; returns the layer. The
        bias is listed once by ``parameters()`` and named ``L1.b`` (bare layer: ``b``).
        Tie before ``rename()``: tying names the bias after the layer.

        >>> layer = Layer(2, 3, seed=0).tie_biases()
        >>> layer.neurons[0].b is layer.neurons[2].b, layer.num_parameters()
        (True, 7)
        >>> [name for name, _ in layer.named_parameters()]
        ['N1.w1', 'N1.w2', 'b', 'N2.w1', 'N2.w2', 'N3.w1', 'N3.w2']
        """
        shared = self.neurons[0].b
        name = f"{self.name}.b" if self.name else "b"
        for neuron in self.neurons:
            neuron.b = shared
            _set_name(neuron, len(neuron.w), name)
        return self

    def parameters(self) -> list[Value]:
        # A shared parameter (a tied bias) is listed once, so an optimizer steps it once.
        return _unique([p for n in self.neurons for p in n.parameters()])

    def named_parameters(self) -> list[tuple[str, Value]]:
        return _unique_named([item for n in self.neurons for item in n.named_parameters()])

    def _neurons(self) -> list[Neuron]:
        return list(self.neurons)

    def _describe(self) -> str:
        first = self.neurons[0]
        return f"{len(first.w)}, {len(self.neurons)}, activation={first.activation!r}"


class MLP(Module):
    """A multilayer perceptron: layers of sizes ``nouts`` on ``nin`` inputs, ReLU
    (or ``activation=``) in hidden layers, the last layer ``output_activation``
    (linear by default). Returns a ``Value`` when the last layer has one neuron,
    else a list. Layers always pass lists to each other, so a one-neuron hidden
    layer works (micrograd crashes on ``MLP(2, [16, 1, 1])``).

    Weights are drawn as micrograd draws them: from the global ``random`` module, or
    with ``seed=`` from a generator of their own. Parameters are named by their
    place: ``L1.N1.w1`` is the first layer's first neuron's weight on input 1,
    ``L1.N1.b`` its bias; running the model labels each neuron's net input and
    output ``L1.N1.net`` and ``L1.N1.out``. ``rename()`` gives names of your own.

    >>> model = MLP(2, [16, 1, 1], seed=0)
    >>> type(model([0.5, 0.5])).__name__
    'Value'
    >>> MLP(3, [4, 4], activation="tanh", output_activation="sigmoid")
    MLP(3, [4, 4], activation='tanh', output_activation='sigmoid', parameters=36)
      Layer(3, 4, activation='tanh', parameters=16)
      Layer(4, 4, activation='sigmoid', parameters=20)
    >>> [name for name, _ in MLP(2, [2, 1]).named_parameters()][-3:]
    ['L2.N1.w1', 'L2.N1.w2', 'L2.N1.b']
    """

    def __init__(self, nin: int, nouts: Iterable[int], *, activation: str = "relu",
                 output_activation: str = "linear", seed: Seed = None) -> None:
        _check_size(nin, "MLP", "nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Iterable):
            raise TypeError(f"MLP: nouts must be a list of layer sizes, got {type(nouts).__name__}")
        sizes = list(nouts)
        if not sizes:
            raise ValueError("MLP: nouts must list at least one layer size")
        for size in sizes:
            _check_size(size, "MLP", "each layer size")
        for name in (activation, output_activation):
            _activation_name(True, name, "MLP")
        rng = None if seed is None else random_source(seed, "MLP")
        widths = [nin] + sizes
        last = len(sizes) - 1
        self.layers = [
            Layer(widths[i], widths[i + 1], seed=rng, name=f"L{i + 1}",
                  activation=output_activation if i == last else activation)
            for i in range(len(sizes))
        ]

    def __call__(self, x: Any) -> Value | list[Value]:
        out = _inputs(x, len(self.layers[0].neurons[0].w), "MLP")
        for layer in self.layers:
            out = layer._forward(out)
        return out[0] if len(out) == 1 else out

    def tie_biases(self) -> "MLP":
        """One bias per layer, shared by its neurons (see ``Layer.tie_biases``);
        returns the model. The biases are named ``L1.b``, ``L2.b``, ...

        >>> model = MLP(2, [2, 2], seed=0).tie_biases()
        >>> model.num_parameters(), [n for n, _ in model.named_parameters()][:5]
        (10, ['L1.N1.w1', 'L1.N1.w2', 'L1.b', 'L1.N2.w1', 'L1.N2.w2'])
        """
        for layer in self.layers:
            layer.tie_biases()
        return self

    def parameters(self) -> list[Value]:
        return _unique([p for layer in self.layers for p in layer.parameters()])

    def named_parameters(self) -> list[tuple[str, Value]]:
        return _unique_named([item for layer in self.layers for item in layer.named_parameters()])

    def _neurons(self) -> list[Neuron]:
        return [n for layer in self.layers for n in layer.neurons]

    def _describe(self) -> str:
        # Activations other than micrograd's defaults are named: a saved model's file
        # carries this line, and whoever rebuilds the model from it needs them.
        nin = len(self.layers[0].neurons[0].w)
        text = f"{nin}, {[len(layer.neurons) for layer in self.layers]}"
        hidden = [layer.neurons[0].activation for layer in self.layers[:-1]]
        last = self.layers[-1].neurons[0].activation
        if hidden and hidden[0] != "relu":
            text += f", activation={hidden[0]!r}"
        if last != "linear":
            text += f", output_activation={last!r}"
        return text


# -- helpers ---------------------------------------------------------------------------------


def _weight_source(seed: Seed, who: str) -> Any:
    """Where a neuron's weights come from: with no seed the global ``random`` module,
    drawn exactly as micrograd draws them (``random.uniform(-1, 1)`` per weight, neuron
    by neuron), so ``random.seed(1337)`` gives micrograd's weights; with a seed a
    generator of its own (``random_source``)."""
    return random if seed is None else random_source(seed, who)


def _set_name(neuron: Neuron, k: int, name: str) -> None:
    """Names the neuron's ``k``-th parameter (weights, then the bias). Its label
    follows unless the user set one by hand (a label other than the old name)."""
    parameter = neuron.b if k == len(neuron.w) else neuron.w[k]
    if not parameter.label or parameter.label == neuron._names[k]:
        parameter.label = name
    neuron._names[k] = name


def _name_neuron(neuron: Neuron, name: str, weights: Sequence[str] | None = None,
                 bias: str | None = None, net: str | None = None,
                 out: str | None = None) -> None:
    """Gives a neuron its name and the names of its parameters and nodes; ``None``
    means the name from its place (``L1.N1.w1``, ``L1.N1.net``; bare: ``w1``, ``net``)."""
    prefix = f"{name}." if name else ""
    if weights is None:
        weights = [f"{prefix}w{k}" for k in range(1, len(neuron.w) + 1)]
    neuron.name = name
    # Checked here, once: the forward pass stores them on every node it makes.
    neuron.net_label = _checked_label(f"{prefix}net" if net is None else net)
    neuron.out_label = _checked_label(f"{prefix}out" if out is None else out)
    for k, weight in enumerate(weights):
        _set_name(neuron, k, weight)
    _set_name(neuron, len(neuron.w), f"{prefix}b" if bias is None else bias)


def _check_name(name: Any, who: str, what: str, empty: bool = False) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{who}: {what} must be a string, got {type(name).__name__}")
    if not name and not empty:
        raise ValueError(f"{who}: {what} must not be empty")
    if not name.isprintable():  # names are printed on one line, in text and pictures
        raise ValueError(f"{who}: {what} {name!r} has a control character")
    return name


def _name_list(names: Any, count: int, what: str) -> list[str]:
    """``names`` checked for ``rename``: ``count`` non-empty strings."""
    if isinstance(names, (str, bytes)) or not isinstance(names, Iterable):
        raise TypeError(f"rename: {what} must be a list of strings, got {type(names).__name__}")
    names = list(names)
    for name in names:
        _check_name(name, "rename", f"each of {what}")
    if len(names) != count:
        raise ValueError(f"rename: {what} needs {count} name{'s' if count != 1 else ''}, "
                         f"got {len(names)}")
    return names


def _unique(values: list[Value]) -> list[Value]:
    """``values`` with repeats left out (a shared parameter is listed once)."""
    seen: set[int] = set()
    unique = []
    for value in values:
        if id(value) not in seen:
            seen.add(id(value))
            unique.append(value)
    return unique


def _unique_named(named: list[tuple[str, Value]]) -> list[tuple[str, Value]]:
    seen: set[int] = set()
    unique = []
    for name, value in named:
        if id(value) not in seen:
            seen.add(id(value))
            unique.append((name, value))
    return unique


class _NotStrictJSON(ValueError):
    """A model file that Python's json would read but strict JSON forbids."""


def _refuse_constant(name: str) -> Any:
    raise _NotStrictJSON(f"{name} is not a JSON number")


def _refuse_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise _NotStrictJSON(f"the key {key!r} appears twice")
        document[key] = value
    return document


def _inputs(x: Any, nin: int, who: str) -> list[Value]:
    """``x`` checked once at the model's door: a list of ``nin`` Values (numbers become
    constant leaves here, once, rather than once per weight inside every neuron)."""
    if isinstance(x, (Value, numbers.Real)):
        items = [x]  # a bare scalar for a one-input model, as a one-neuron layer returns
    elif isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(f"{who}: input must be a list of Values or numbers, got {type(x).__name__}")
    else:
        items = list(x)
    if len(items) != nin:
        raise ValueError(f"{who}: expected {nin} input{'s' if nin != 1 else ''}, got {len(items)}")
    return [_operand(item, who) for item in items]


def _check_size(n: Any, who: str, what: str) -> None:
    if not isinstance(n, numbers.Integral) or isinstance(n, bool):
        raise TypeError(f"{who}: {what} must be an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"{who}: {what} must be at least 1, got {n}")


def _activation_name(nonlin: bool, activation: str | None, who: str) -> str:
    if activation is None:
        return "relu" if nonlin else "linear"
    if not isinstance(activation, str):
        raise TypeError(f"{who}: activation must be a string, got {type(activation).__name__}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"{who}: unknown activation {activation!r} "
                         f"(choose from {', '.join(map(repr, ACTIVATIONS))})")
    return activation


def _load_on_class_message(path: Any) -> str:
    """What ``MLP.load(path)`` (on the class, not a model) gets told: build a model of
    the file's shape, then load into it; the shape is read from the file if it can be."""
    shape = None
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        shape = document.get("model") if isinstance(document, dict) else None
    except (OSError, TypeError, ValueError, RecursionError):
        pass  # the message is a hint: a file that cannot be read just goes without the shape
    hint = f" (the file holds {shape})" if isinstance(shape, str) else ""
    return (f"load: call it on a model of the file's shape, as in "
            f"MLP(2, [16, 16, 1]).load({str(path)!r}){hint}; it reads the weights into "
            f"that model and returns it")


def _headline(module: Module) -> str:
    """``Name(description, parameters=N)``: the first line of a module's repr."""
    described = module._describe()
    count = f"parameters={module.num_parameters()}"
    return f"{type(module).__name__}({described + ', ' if described else ''}{count})"


def _children(module: Module) -> list[Module]:
    """Sub-modules worth a line of their own in ``repr`` (a layer lists no neurons:
    sixteen identical neuron lines say less than the layer's one line)."""
    if isinstance(module, (Neuron, Layer)):
        return []
    children = []
    for name, value in vars(module).items():
        if name.startswith("_"):
            continue
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, Module):
                children.append(item)
    return children


def _some(names: list[str], shown: int = 3) -> str:
    """'3 parameters (a, b, c)' or '40 parameters (a, b, c, ...)'."""
    listed = ", ".join(names[:shown]) + (", ..." if len(names) > shown else "")
    return f"{len(names)} parameter{'s' if len(names) != 1 else ''} ({listed})"

