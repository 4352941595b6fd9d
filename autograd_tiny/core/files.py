"""Writing files so that nothing is lost: all of the new file, or the old one intact."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import Union

PathLike = Union[str, "os.PathLike[str]"]


def write_atomically(path: PathLike, data: bytes) -> None:
    """Writes ``data`` to ``path`` all at once: a reader sees the old file or the
    new one, never half of one; a failure leaves the old file as it was and no
    temporary file behind. A file that is replaced keeps its permissions.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = pathlib.Path(folder) / "out.txt"
    ...     write_atomically(target, b"hello")
    ...     target.read_bytes(), sorted(p.name for p in target.parent.iterdir())
    (b'hello', ['out.txt'])
    """
    path = Path(path)
    # Not tempfile.mkstemp: its files are private (0600). A new file gets the mode any
    # new file gets (0666 less the umask); a replaced one keeps its own mode.
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    temporary = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(handle, "wb", closefd=True) as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())  # on disk before the rename makes it the file
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
