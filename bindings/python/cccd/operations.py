"""The entry points: read a card through a transport, verify what was read offline."""

import ctypes
import os

from . import _native
from ._handle import c_pointer
from .credentials import Credentials
from .errors import CccdError, check
from .options import ReadOptions
from .result import Result
from .transport import Transport
from .trust import Trust


def _challenge_argument(challenge):
    if challenge is None:
        return None, 0
    if not isinstance(challenge, (bytes, bytearray, memoryview)):
        raise TypeError(f"challenge must be bytes, not {type(challenge).__name__}")
    challenge = bytes(challenge)
    return challenge, len(challenge)


def read(transport, credentials, trust=None, options=None):
    """Reads the card on `transport` with `credentials` and verifies it against `trust`.

    Returns a Result (verified or not: see result.verified and result.report["verdict"]). A read that
    fails (wrong CAN: AccessDeniedError; card pulled away: CardRemovedError ...) raises; when a
    transport callback raised, the read's exception is raised from that one.
    """
    arguments = (c_pointer(transport, Transport, optional=False),
                 c_pointer(credentials, Credentials, optional=False), c_pointer(trust, Trust),
                 c_pointer(options, ReadOptions))
    transport._take_callback_error()  # a previous read's leftovers are not this read's cause
    out = ctypes.c_void_p()
    status = _native.cccd_read(*arguments, ctypes.byref(out))
    cause = transport._take_callback_error()
    try:
        check(status)
    except CccdError as error:
        if cause is not None and not isinstance(cause, Exception):
            raise cause from None  # KeyboardInterrupt, SystemExit in a callback: not a card failure
        if cause is not None:
            raise error from cause
        raise
    return Result(out)


def verify_dump(folder, trust=None, *, challenge=None):
    """Verifies a dump folder offline. With `challenge` (the 8 bytes the server chose for this
    session) chip authenticity passes only when the dump's Active Authentication signature is over
    that very challenge, so a replayed dump fails."""
    path = os.fsencode(folder)
    out = ctypes.c_void_p()
    if challenge is None:
        check(_native.cccd_verify_dump(path, c_pointer(trust, Trust), ctypes.byref(out)))
    else:
        data, size = _challenge_argument(challenge)
        check(_native.cccd_verify_dump_with_challenge(path, c_pointer(trust, Trust), data, size,
                                                      ctypes.byref(out)))
    return Result(out)
