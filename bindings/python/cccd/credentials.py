"""What opens the chip: the card access number, or the ID number and dates, or the MRZ."""

from . import _native
from ._handle import Handle


def _text(value, name):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value.encode()


class Credentials(Handle):
    """Access data for a read; the library's copy is wiped when the handle is freed.

    (Python's own str objects cannot be wiped: keep them short-lived.)
    """

    def __init__(self, pointer):
        super().__init__(pointer, _native.cccd_credentials_free)

    @classmethod
    def from_can(cls, can):
        """The 6-digit card access number (on a CCCD the last 6 digits of the ID number)."""
        return cls(Handle.create(_native.cccd_credentials_from_can, _text(can, "can")))

    @classmethod
    def from_id(cls, id_number, birth, expiry):
        """ID number, birth ("YYYY-MM-DD", "YYMMDD", "YYYY-MM" or "YYYY") and expiry (or "none")."""
        return cls(
            Handle.create(
                _native.cccd_credentials_from_id,
                _text(id_number, "id_number"),
                _text(birth, "birth"),
                _text(expiry, "expiry"),
            )
        )

    @classmethod
    def from_mrz(cls, mrz):
        """The machine-readable zone's text."""
        return cls(Handle.create(_native.cccd_credentials_from_mrz, _text(mrz, "mrz")))
