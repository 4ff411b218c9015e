"""One owner for every libcccd handle: freed by close(), by `with`, or by the garbage collector."""

import ctypes
import weakref

from .errors import check


def _free(free, pointer, keep_alive):
    free(pointer)
    del keep_alive  # released only now that the library no longer points into it


class Handle:
    """A pointer the library gave out, freed once with its cccd_*_free.

    `keep_alive` are Python objects the C side points into (ctypes callbacks, buffers): the finalizer
    holds them, so they live exactly until the handle is freed, even when the Python object that made
    them is gone first.
    """

    def __init__(self, pointer, free, *keep_alive):
        self._pointer = pointer
        self._finalizer = weakref.finalize(self, _free, free, pointer, keep_alive)

    @staticmethod
    def create(new, *arguments):
        """Calls cccd_*_new(arguments..., &out) and returns the pointer; raises on failure."""
        out = ctypes.c_void_p()
        check(new(*arguments, ctypes.byref(out)))
        return out

    @property
    def _c(self):
        """The C pointer, for a call into the library; ValueError once closed."""
        if not self._finalizer.alive:
            raise ValueError(f"the {type(self).__name__} is closed")
        return self._pointer

    @property
    def closed(self):
        return not self._finalizer.alive

    def close(self):
        """Frees the handle now (again: nothing happens)."""
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()


def c_pointer(handle, kind, optional=True):
    """The C pointer of a handle of class `kind` (None: NULL, when optional); TypeError for another."""
    if handle is None and optional:
        return None
    if not isinstance(handle, kind):
        raise TypeError(f"expected a cccd.{kind.__name__}, not {type(handle).__name__}")
    return handle._c
