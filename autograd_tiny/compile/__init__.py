"""The compiled path: trace a training step once, replay it as straight-line float code.

See :mod:`autograd_tiny.compile.replay` for how and when a trace goes stale.
"""

from .replay import CompiledStep, StaleTraceError, compile

__all__ = ["CompiledStep", "StaleTraceError", "compile"]
