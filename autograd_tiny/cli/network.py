"""Draw a saved model as a network: neurons, weights, and for an input and target the
net, out, deltas and every weight's gradient.

    autograd-tiny network model.json --input 0.05 0.10 --target 0.01 0.99 \\
        --highlight L1.N1.w1 --output network.svg

The file is what ``model.save(...)`` writes. Its ``model`` line gives the shape
(``MLP(2, [16, 16, 1], parameters=337)``); activations are not in the file, so
``--activation`` (hidden layers, default relu as in micrograd) and
``--output-activation`` (default linear) say which ones the model used.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from . import CommandError
from .arguments import output_path
from ..core.files import PathLike
from ..draw.network import draw_network
from ..draw.picture import SUFFIX_FORMATS
from ..draw.renderer import RenderError
from ..nn.modules import ACTIVATIONS, FILE_FORMAT, MLP, Layer, Module, Neuron

OUTPUT_SUFFIXES = (".svg", ".png", ".pdf", ".dot")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``network`` subcommand's flags.

    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> args = parser.parse_args(["m.json", "--input", "0.05", "-0.1", "--output", "n.svg"])
    >>> args.input, args.target, args.activation
    ([0.05, -0.1], None, None)
    """
    parser.add_argument("model", metavar="MODEL.json", help="a model file written by model.save()")
    parser.add_argument("--input", metavar="X", nargs="+", type=_number,
                        help="the input to run the model on, one number per input")
    parser.add_argument("--target", metavar="Y", nargs="+", type=_number,
                        help="the target outputs: draws the error E = sum 1/2 (target - out)^2 "
                             "and every gradient (needs --input)")
    parser.add_argument("--highlight", metavar="NAME",
                        help="a weight or a bias, e.g. L1.N1.w1 or L1.N1.b: colours and "
                             "counts its routes from E")
    parser.add_argument("--output", "-o", metavar="FILE", required=True,
                        help="where to draw: .svg, .png, .pdf (system Graphviz only) or .dot")
    parser.add_argument("--activation", choices=sorted(ACTIVATIONS),
                        help="the hidden layers' activation (default: relu, or what the file says)")
    parser.add_argument("--output-activation", choices=sorted(ACTIVATIONS),
                        help="the last layer's activation (default: linear, or what the file says)")
    parser.add_argument("--detail", choices=("auto", "full", "compact"), default="auto",
                        help="print every number (full), or names and outputs with the "
                             "rest in tooltips (compact); auto: compact above 40 weights")


def run(args: argparse.Namespace) -> int:
    """Loads the model, draws it, says where; user mistakes are one-line errors.

    >>> import tempfile, pathlib
    >>> from autograd_tiny import MLP
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     saved = MLP(2, [2, 1], seed=0).save(pathlib.Path(folder) / "m.json")
    ...     args = argparse.Namespace(model=str(saved), input=[1.0, 2.0], target=[0.5],
    ...         highlight=None, output=str(pathlib.Path(folder) / "n.dot"),
    ...         activation=None, output_activation=None, detail="auto")
    ...     status = run(args)  # doctest: +ELLIPSIS
    wrote .../n.dot (network 2 -> 2 -> 1, 9 parameters)
    """
    output = output_path(args.output, OUTPUT_SUFFIXES, "a network picture")
    model = load_model(args.model, args.activation, args.output_activation)
    if args.target is not None and args.input is None:
        raise CommandError("--target needs --input (the error is of the outputs for an input)")
    shape = _shape(model)
    for flag, given, wanted, what in (("--input", args.input, shape[0], "input"),
                                      ("--target", args.target, shape[-1], "output")):
        if given is not None and len(given) != wanted:
            raise CommandError(f"{flag}: the model has {wanted} {what}{'s' * (wanted != 1)}, "
                               f"got {len(given)} number{'s' * (len(given) != 1)}")
    try:
        picture = draw_network(model, inputs=args.input, target=args.target,
                               highlight=args.highlight, detail=args.detail,
                               format=SUFFIX_FORMATS[output.suffix.lower()])
    except (TypeError, ValueError) as error:
        message = str(error).removeprefix("draw_network: ")
        if "highlight" not in message and args.highlight is not None and "weight" in message:
            message = f"--highlight {args.highlight}: {message}"
        raise CommandError(message.replace("highlight", "--highlight", 1)
                           if not message.startswith("--") else message) from None
    try:
        written = picture.render(output)
    except RenderError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"cannot write {args.output}: {error.strerror or error}") from None
    layers = " -> ".join(str(n) for n in shape)
    print(f"wrote {written} (network {layers}, {model.num_parameters()} parameters)")
    return 0


def load_model(path: PathLike, activation: str | None = None,
               output_activation: str | None = None) -> Module:
    """The model a ``save()`` file holds, built from its ``model`` line and loaded.

    Parameters are loaded by name; a file whose names the rebuilt model does not use
    (a model given its own names, such as Mazur's w1..w8) is loaded by position
    and the file's names become the parameters' labels, so the picture shows them.

    >>> import tempfile, pathlib
    >>> from autograd_tiny import MLP
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     saved = MLP(3, [4, 1], seed=2).save(pathlib.Path(folder) / "m.json")
    ...     load_model(saved).state_dict() == MLP(3, [4, 1], seed=2).state_dict()
    True
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path}: is a directory, not a model file") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not a model file (not UTF-8 text)") from None
    except OSError as error:
        raise CommandError(f"{path}: cannot read ({error.strerror or error})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(f"{path}: not a model file (invalid JSON: {error.msg} at line "
                           f"{error.lineno})") from None
    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        raise CommandError(f"{path}: not a model file (no \"format\": {FILE_FORMAT!r})")
    headline = document.get("model")
    if not isinstance(headline, str):
        raise CommandError(f"{path}: the file does not say which model it holds "
                           f"(no \"model\" line such as \"MLP(2, [16, 1], parameters=49)\")")
    model = _build(headline, activation, output_activation, path)
    try:
        model.load(path)
    except ValueError as error:
        parameters = document.get("parameters")
        if not (isinstance(parameters, dict) and "does not fit" in str(error)):
            raise CommandError(str(error)) from None
        if len(parameters) != model.num_parameters() and _tied_count(model) == len(parameters):
            model.tie_biases()  # type: ignore[attr-defined]  # one bias per layer (Mazur's)
        if len(parameters) != model.num_parameters():
            raise CommandError(str(error)) from None
        _load_by_position(model, parameters, path)
    return model


def _build(headline: str, activation: str | None, output_activation: str | None,
           path: Path) -> Module:
    """``MLP(2, [16, 16, 1], parameters=337)``, ``Layer(2, 4, activation='relu', ...)``
    or ``Neuron(2, activation='tanh', ...)`` as a fresh model of that shape."""
    said = re.search(r"(?<!output_)activation='(\w+)'", headline)
    said_last = re.search(r"output_activation='(\w+)'", headline)
    hidden = activation or (said.group(1) if said else "relu")
    last = output_activation or (said_last.group(1) if said_last else "linear")
    mlp = re.fullmatch(r"MLP\((\d+), \[([\d, ]+)\].*\)", headline)
    layer = re.fullmatch(r"Layer\((\d+), (\d+).*\)", headline)
    neuron = re.fullmatch(r"Neuron\((\d+).*\)", headline)
    if mlp:
        sizes = [int(s) for s in mlp.group(2).split(",")]
        return MLP(int(mlp.group(1)), sizes, activation=hidden, output_activation=last)
    if layer:
        return Layer(int(layer.group(1)), int(layer.group(2)),
                     activation=activation or (said.group(1) if said else "relu"))
    if neuron:
        return Neuron(int(neuron.group(1)), activation=activation or (said.group(1) if said
                                                                      else "relu"))
    raise CommandError(f"{path}: cannot draw a {headline.split('(')[0] or 'model'!r}: "
                       f"this command draws MLP, Layer and Neuron files")


def _tied_count(model: Module) -> int:
    """How many parameters the model has with one bias per layer (``tie_biases()``,
    where the nn side has it; -1 where it does not)."""
    if not isinstance(model, MLP) or not hasattr(model, "tie_biases"):
        return -1
    return sum(len(n.w) for layer in model.layers for n in layer.neurons) + len(model.layers)


def _load_by_position(model: Module, parameters: dict[str, Any], path: Path) -> None:
    values = []
    for name, value in parameters.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise CommandError(f"{path}: parameter {name!r} is not a number")
        values.append(float(value))
    for p, name, value in zip(model.parameters(), parameters, values):
        p.data, p.label = value, name


def _shape(model: Module) -> list[int]:
    if isinstance(model, MLP):
        return [len(model.layers[0].neurons[0].w)] + [len(layer.neurons) for layer in model.layers]
    if isinstance(model, Layer):
        return [len(model.neurons[0].w), len(model.neurons)]
    assert isinstance(model, Neuron)
    return [len(model.w), 1]


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value
