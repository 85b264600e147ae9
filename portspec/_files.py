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

__all__ = ["DEFAULT_LIMIT", "Outside", "Reader", "decode", "inside", "read_head", "read_regular"]

#: The most bytes read from one file unless the caller says otherwise.
DEFAULT_LIMIT = 32 * 1024 * 1024

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


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


def _read(path: str | os.PathLike[str], size: int, flags: int = 0) -> bytes:
    descriptor = os.open(path, _FLAGS | flags)
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", os.fspath(path))
        return stream.read(size)


def inside(path: str, folder: str) -> bool:
    """Whether the absolute ``path`` is ``folder`` or below it (both spelled alike)."""
    return path == folder or path.startswith(os.path.join(folder, ""))


class Outside(OSError):
    """A file named by another file that resolves outside the folder reads are confined to."""

    def __init__(self, path: str, root: str) -> None:
        super().__init__(errno.EACCES, "outside the project folder", path)
        self.root = root


class Reader:
    """The files a project names, each read once: regular files only, capped, maybe confined.

    With a ``root``, a path named by a file's content (``extends.file``,
    ``include``, ``env_file``, ``.env``) is read only when, symlinks resolved,
    it lies inside ``root``; anything else raises :class:`Outside` before the
    file is opened. Paths the user gave are read wherever they are. Every file
    is opened through its resolved path, not following a last symlink swapped
    in since, and read as :func:`read_regular` reads it; its bytes are kept, so
    a file named twice is read once and every reader sees the same version.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     Reader(folder).read("/etc/hostname", named=True)
    Traceback (most recent call last):
    ...
    portspec._files.Outside: [Errno 13] outside the project folder: '/etc/hostname'
    """

    __slots__ = ("_cache", "limit", "root")

    def __init__(
        self,
        root: str | os.PathLike[str] | None,
        *,
        limit: int = DEFAULT_LIMIT,
        cache: dict[str, bytes] | None = None,
    ) -> None:
        self.root = None if root is None else os.path.realpath(root)
        self.limit = limit
        #: The bytes read, by resolved path; readers of one run may share it.
        self._cache: dict[str, bytes] = {} if cache is None else cache

    def cached(self, path: str | os.PathLike[str]) -> bytes | None:
        """The bytes already read of ``path``, if it was read."""
        return self._cache.get(os.path.realpath(path))

    def keep(self, path: str | os.PathLike[str], data: bytes | str) -> None:
        """Use ``data``, already read, as the content of ``path``."""
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        self._cache[os.path.realpath(path)] = raw

    def allows(self, path: str | os.PathLike[str]) -> bool:
        """Whether a file's content may name ``path`` for reading."""
        return self.root is None or inside(os.path.realpath(path), self.root)

    def read(self, path: str | os.PathLike[str], *, named: bool = False) -> bytes:
        """The bytes of ``path``; ``named``: the path comes from a file's content."""
        real = os.path.realpath(path)
        if named and self.root is not None and not inside(real, self.root):
            raise Outside(os.fspath(path), self.root)
        data = self._cache.get(real)
        if data is None:
            data = _read(real, self.limit + 1, _NOFOLLOW)
            if len(data) > self.limit:
                raise OSError(errno.EFBIG, f"larger than {self.limit} bytes", os.fspath(path))
            self._cache[real] = data
        return data


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
