"""Writing files so that nothing is lost: all of the new file, or the old one intact."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Writes ``data`` to ``path`` all at once: a reader sees the old file or the
    new one, never half of one, and a failure leaves no file behind.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = pathlib.Path(folder) / "out.txt"
    ...     write_atomically(target, b"hello")
    ...     target.read_bytes(), sorted(p.name for p in target.parent.iterdir())
    (b'hello', ['out.txt'])
    """
    # Not tempfile.mkstemp: its files are private (0600); this one gets the mode
    # any new file gets (0666 less the umask), like the file it replaces.
    temporary = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
