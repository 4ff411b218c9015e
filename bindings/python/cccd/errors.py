"""libcccd's failures as exceptions: one class per cccd_status, all of them a CccdError.

Every exception carries the status (`.status`, a Status), its name as the JSON "error.code" spells it
(`.code`, e.g. "access_denied") and the library's message (`.message`, never personal data).
"""

import enum

from . import _native


class Status(enum.IntEnum):
    """cccd_status of include/cccd/cccd.h (the same numbers)."""

    OK = 0
    INVALID_ARGUMENT = 1
    IO = 2
    TRANSPORT = 3
    NO_READER = 4
    NO_CARD = 5
    CARD_REMOVED = 6
    TIMEOUT = 7
    CANCELLED = 8
    ACCESS_DENIED = 9
    SECURE_MESSAGING = 10
    CARD_ERROR = 11
    FILE_NOT_FOUND = 12
    MALFORMED_DATA = 13
    CRYPTO = 14
    NOT_SUPPORTED = 15
    LIMIT_EXCEEDED = 16
    INTERNAL = 17


class CccdError(Exception):
    """A libcccd call failed. Subclasses name the status; `status`, `code` and `message` tell it."""

    # The status of the subclass; CccdError itself is used for a status this binding does not know.
    STATUS = None

    def __init__(self, message, status=None):
        if status is None:
            status = self.STATUS
        self.status = Status(status) if status in Status._value2member_map_ else status
        self.code = _native.cccd_status_name(int(status)).decode()
        self.message = message
        super().__init__(f"{self.code}: {message}" if message else self.code)


class InvalidArgumentError(CccdError, ValueError):
    STATUS = Status.INVALID_ARGUMENT


class IoError(CccdError):
    STATUS = Status.IO


class TransportError(CccdError):
    STATUS = Status.TRANSPORT


class NoReaderError(CccdError):
    STATUS = Status.NO_READER


class NoCardError(CccdError):
    STATUS = Status.NO_CARD


class CardRemovedError(CccdError):
    STATUS = Status.CARD_REMOVED


class CardTimeoutError(CccdError):
    STATUS = Status.TIMEOUT


class CancelledError(CccdError):
    STATUS = Status.CANCELLED


class AccessDeniedError(CccdError):
    STATUS = Status.ACCESS_DENIED


class SecureMessagingError(CccdError):
    STATUS = Status.SECURE_MESSAGING


class CardError(CccdError):
    STATUS = Status.CARD_ERROR


class NotFoundError(CccdError):
    STATUS = Status.FILE_NOT_FOUND


class MalformedDataError(CccdError):
    STATUS = Status.MALFORMED_DATA


class CryptoError(CccdError):
    STATUS = Status.CRYPTO


class NotSupportedError(CccdError):
    STATUS = Status.NOT_SUPPORTED


class LimitExceededError(CccdError):
    STATUS = Status.LIMIT_EXCEEDED


class InternalError(CccdError):
    STATUS = Status.INTERNAL


_BY_STATUS = {cls.STATUS: cls for cls in CccdError.__subclasses__()}


def error_for(status, message):
    """The exception for `status` with `message`."""
    cls = _BY_STATUS.get(status, CccdError)
    return cls(message, status)


def check(status):
    """Raises the exception for a failed call's status, with this thread's cccd_last_error()."""
    if status != Status.OK:
        raise error_for(status, _native.cccd_last_error().decode("utf-8", "replace"))


def last_error_json():
    """cccd_last_error_json() of this thread: the failure as the result JSON's error document."""
    return _native.cccd_last_error_json().decode("utf-8", "replace")
