"""libcccd from Python: read and verify the chip of the Vietnamese citizen identity card (CCCD).

A thin ctypes layer over the C API of the installed libcccd (include/cccd/cccd.h): no compiled
extension. Handles free themselves (close(), `with`, or the garbage collector); failures raise a
CccdError subclass carrying the status; bytes in and out; results as dicts.

    import cccd
    with cccd.Trust().add_data(csca_pem) as trust:
        with cccd.verify_evidence(uploaded_document, trust, challenge=server_challenge) as result:
            print(result.verified, result.report["verdict"]["chip_authenticity"]["status"])
"""

from . import _native
from .credentials import Credentials
from .errors import (
    AccessDeniedError,
    CancelledError,
    CardError,
    CardRemovedError,
    CardTimeoutError,
    CccdError,
    CryptoError,
    InternalError,
    InvalidArgumentError,
    IoError,
    LimitExceededError,
    MalformedDataError,
    NoCardError,
    NoReaderError,
    NotFoundError,
    NotSupportedError,
    SecureMessagingError,
    Status,
    TransportError,
    last_error_json,
)
from .evidence import Evidence, VerifyOptions, verify_evidence
from .operations import read, verify_dump
from .options import CancelToken, ReadOptions
from .result import Result
from .transport import Transport
from .trust import Trust

__version__ = "0.2.0"


def library_version():
    """The loaded libcccd's version, "MAJOR.MINOR.PATCH"."""
    return _native.cccd_version().decode()


__all__ = [
    "AccessDeniedError",
    "CancelToken",
    "CancelledError",
    "CardError",
    "CardRemovedError",
    "CardTimeoutError",
    "CccdError",
    "Credentials",
    "CryptoError",
    "Evidence",
    "InternalError",
    "InvalidArgumentError",
    "IoError",
    "LimitExceededError",
    "MalformedDataError",
    "NoCardError",
    "NoReaderError",
    "NotFoundError",
    "NotSupportedError",
    "ReadOptions",
    "Result",
    "SecureMessagingError",
    "Status",
    "Transport",
    "TransportError",
    "Trust",
    "VerifyOptions",
    "last_error_json",
    "library_version",
    "read",
    "verify_dump",
    "verify_evidence",
]
