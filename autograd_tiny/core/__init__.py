"""The engine core: the op table, ``Value`` and ``backward()``, ``grad``/``gradcheck``,
the recording modes. It imports nothing from the rest of the package.

- ``ops``: the primitive table, each op's forward formula beside its local derivatives
- ``engine``: ``Value`` (a node of the graph) and ``backward()`` (the chain rule)
- ``autodiff``: ``grad()`` (functional, higher order) and ``gradcheck()``
- ``modes``: ``no_grad()``, ``detect_anomaly()``
- ``floatmath``: IEEE float functions the formulas call (never an exception)
- ``files``: atomic file writes, shared by every layer above
"""
