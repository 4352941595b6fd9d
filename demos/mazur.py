"""Matt Mazur's "A Step by Step Backpropagation Example" as a script: the 2-2-2 sigmoid
network, step by step.

    python demos/mazur.py [--out DIR] [--steps N] [--no-files]

The same as ``autograd-tiny demo`` (and ``make demo``): the forward pass, the errors,
the backward pass for w5 and w1 as products of local derivatives, the eight updated
weights, the error after one and after 10,000 updates; the network's graph and the
slides are written into autograd_tiny_demo/ (or DIR).
"""

import sys

from autograd_tiny.cli import main

if __name__ == "__main__":
    sys.exit(main(["demo", *sys.argv[1:]]))
