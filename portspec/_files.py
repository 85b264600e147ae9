"""Reading a file that a stranger may have made into a FIFO, a device or a huge file.

A path in a pull request can name a FIFO (``open`` would wait forever for a
writer), a device (``/dev/zero`` never ends) or a file far larger than any
compose file. :func:`read_regular` opens the path once without blocking,
checks what the open descriptor is, and reads at most ``limit`` bytes of it.
:func:`decode` is the one way its bytes become text, so that every reader
counts positions in the same characters.
"""

from __future__ import annotations

import errno
import os
import stat

__all__ = ["DEFAULT_LIMIT", "decode", "read_head", "read_regular"]

#: The most bytes read from one file unless the caller says otherwise.
DEFAULT_LIMIT = 32 * 1024 * 1024

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def read_regular(path: str | os.PathLike[str], *, limit: int = DEFAULT_LIMIT) -> bytes:
    """The bytes of the regular file at ``path``; :class:`OSError` for anything else.

    A FIFO, socket or device raises ``OSError(EINVAL, "not a regular file")``
    without waiting on it; a file over ``limit`` bytes raises
    ``OSError(EFBIG, ...)`` after reading no more than ``limit + 1`` bytes.

    >>> read_regular("/dev/null")
    Traceback (most recent call last):
    ...
    OSError: [Errno 22] not a regular file: '/dev/null'
    """
    data = _read(path, limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit} bytes", os.fspath(path))
    return data


def read_head(path: str | os.PathLike[str], size: int) -> bytes:
    """The first ``size`` bytes of the regular file at ``path``, as :func:`read_regular` checks."""
    return _read(path, size)


def _read(path: str | os.PathLike[str], size: int) -> bytes:
    descriptor = os.open(path, _FLAGS)
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", os.fspath(path))
        return stream.read(size)


_UTF16 = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode(data: bytes) -> str:
    """The text of a file as Compose reads YAML: UTF-8, or UTF-16 after a byte order mark.

    A byte order mark, UTF-8 or UTF-16, stays as U+FEFF at index 0, so a
    position counts the same characters whatever the encoding. Bytes that are
    not text in that encoding raise :class:`UnicodeDecodeError`, its ``start``
    an offset into ``data``.

    >>> decode(b"\\xff\\xfep\\x00:\\x00"), decode(b"\\xef\\xbb\\xbfp:")
    ('\\ufeffp:', '\\ufeffp:')
    """
    for bom, codec in _UTF16:
        if data.startswith(bom):
            try:
                return "\ufeff" + data[len(bom) :].decode(codec)
            except UnicodeDecodeError as error:
                start, end = error.start + len(bom), error.end + len(bom)
                raise UnicodeDecodeError(codec, data, start, end, error.reason) from None
    return data.decode("utf-8")
