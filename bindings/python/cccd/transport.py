"""Transports: how APDUs reach the card. A PC/SC or libnfc reader, or any Python callable.

A custom transport is a callable `transmit(command: bytes) -> bytes` that sends one command APDU and
returns the card's response (data then SW1 SW2): a phone's NFC stack, a vendor SDK, a socket. The library
does everything above that (GET RESPONSE, extended length, secure messaging, resume, limits).

To tell the library what happened on the link, a callback raises CardRemovedError (the card left the
field: the read may resume through `reconnect`), CardTimeoutError, CancelledError or TransportError; any
other exception counts as a transport failure, and the read's exception is raised `from` it.

The callbacks run on the thread that called cccd.read (ctypes takes the GIL for them; the library call
itself runs without the GIL), except `cancel`, which runs on the thread that calls CancelToken.cancel().
"""

import ctypes
import threading

from . import _native
from ._handle import Handle
from .errors import CccdError, Status

# The statuses a callback may report; anything else is a transport failure (as the C API says).
_LINK_STATUSES = {
    Status.OK,
    Status.CARD_REMOVED,
    Status.TIMEOUT,
    Status.CANCELLED,
    Status.TRANSPORT,
    Status.NO_CARD,
}


class _CallbackGuard:
    """Runs Python callbacks for C: an exception becomes a status, and the first one is kept so that
    the read's own exception can say what happened in Python (an exception must never cross into C)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.error = None

    def run(self, function, *arguments):
        try:
            function(*arguments)
            return int(Status.OK)
        except CccdError as error:
            self._keep(error)
            return int(error.status if error.status in _LINK_STATUSES else Status.TRANSPORT)
        except BaseException as error:  # nothing may unwind through the C frames, not even Ctrl-C
            self._keep(error)
            return int(Status.TRANSPORT)

    def _keep(self, error):
        with self._lock:
            if self.error is None:
                self.error = error

    def take(self):
        with self._lock:
            error, self.error = self.error, None
            return error


class Transport(Handle):
    """A transport for cccd.read. One read at a time per transport.

    Transport(transmit, ...) wraps Python callables:
      transmit(command: bytes) -> bytes           required
      wait_for_card(timeout_ms: int) -> None      optional: wait for a card and connect to it
      reconnect(timeout_ms: int) -> None          optional: connect to the card afresh (power-up state);
                                                  called at the start of every read and after a removal
      cancel() -> None                            optional: make a blocked callback return soon (any thread)
    max_command_data / max_response_data: the largest Nc / Ne one APDU may carry on this link (0: short
    APDUs only; up to 65535 / 65536 with extended length).
    """

    def __init__(self, transmit, *, wait_for_card=None, reconnect=None, cancel=None, max_command_data=0,
                 max_response_data=0):
        if not callable(transmit):
            raise TypeError("transmit must be callable")
        guard = _CallbackGuard()

        def on_transmit(_user, command, command_length, response, capacity, response_length):
            def exchange():
                answer = transmit(ctypes.string_at(command, command_length))
                if not isinstance(answer, (bytes, bytearray, memoryview)):
                    raise TypeError(f"transmit returned {type(answer).__name__}, not bytes")
                answer = bytes(answer)
                if len(answer) < 2 or len(answer) > capacity:
                    raise ValueError(f"a response of {len(answer)} bytes (2 to {capacity} fit)")
                ctypes.memmove(response, answer, len(answer))
                response_length[0] = len(answer)

            return guard.run(exchange)

        callbacks = _native.TransportCallbacks()
        callbacks.struct_size = ctypes.sizeof(_native.TransportCallbacks)
        callbacks.transmit = _native.TRANSMIT(on_transmit)
        if wait_for_card is not None:
            callbacks.wait_for_card = _native.WAIT(lambda _user, ms: guard.run(wait_for_card, ms))
        if reconnect is not None:
            callbacks.reconnect = _native.WAIT(lambda _user, ms: guard.run(reconnect, ms))
        if cancel is not None:
            callbacks.cancel = _native.NOTIFY(lambda _user: guard.run(cancel) and None)
        callbacks.max_command_data = max_command_data
        callbacks.max_response_data = max_response_data
        pointer = Handle.create(_native.cccd_transport_new, ctypes.byref(callbacks), None)
        # The library copied the struct, but calls the functions it points to until it is freed: the
        # ctypes function objects (and through them the Python callables) live as long as the handle.
        names = ("transmit", "wait_for_card", "reconnect", "cancel")
        kept = tuple(getattr(callbacks, name) for name in names)
        super().__init__(pointer, _native.cccd_transport_free, kept)
        self._guard = guard

    @classmethod
    def _wrap(cls, pointer):
        transport = cls.__new__(cls)
        Handle.__init__(transport, pointer, _native.cccd_transport_free)
        transport._guard = None
        return transport

    @classmethod
    def pcsc(cls, reader_name=None):
        """The card on the PC/SC reader whose name contains `reader_name` (None: the first reader)."""
        name = reader_name.encode() if reader_name else None
        return cls._wrap(Handle.create(_native.cccd_transport_pcsc_new, name))

    @classmethod
    def nfc(cls, connstring=None):
        """The card on a libnfc (PN53x) reader, e.g. "pn532_uart:/dev/ttyUSB0" (None: the first found)."""
        name = connstring.encode() if connstring else None
        return cls._wrap(Handle.create(_native.cccd_transport_nfc_new, name))

    def _take_callback_error(self):
        """The first exception a callback raised during the last read, if any (then forgotten)."""
        return self._guard.take() if self._guard is not None else None
