"""Evidence: everything a read acquired, in memory, and its offline verification.

A server verifies what a phone read without writing it anywhere: Evidence.from_document(the uploaded
JSON document), or an Evidence built file by file, then cccd.verify_evidence(evidence, trust,
challenge=the challenge this server gave the phone). Evidence is data, never proof: only Active
Authentication over the verifier's own challenge proves the chip offline.
"""

import ctypes
import os

from . import _native
from ._handle import Handle, c_pointer
from .errors import NotSupportedError, Status, check
from .result import Result
from .trust import Trust


def _require(function, name):
    if function is None:
        raise NotSupportedError(f"this libcccd has no {name} (a libcccd with in-memory evidence needed)")
    return function


def _bytes(value, name):
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"{name} must be bytes, not {type(value).__name__}")
    value = bytes(value)
    return value, len(value)


def _text(value, name):
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value.encode()


class Evidence(Handle):
    """What a read acquired: the files by name ("EF.COM", "EF.SOD", "DG1" ... "DG16"), the Active
    Authentication challenge and signature, how the chip was opened. Set it up on one thread; then any
    number of threads may verify it at once."""

    def __init__(self, pointer=None):
        if pointer is None:
            pointer = Handle.create(_require(_native.cccd_evidence_new, "cccd_evidence_new"))
        super().__init__(pointer, _native.cccd_evidence_free)

    @classmethod
    def from_document(cls, document):
        """An evidence document (UTF-8 JSON bytes, or a str) as a phone uploads it."""
        if isinstance(document, str):
            document = document.encode()
        data, size = _bytes(document, "document")
        new = _require(_native.cccd_evidence_from_document, "evidence documents")
        return cls(Handle.create(new, data, size))

    @classmethod
    def from_folder(cls, folder):
        """A dump folder."""
        new = _require(_native.cccd_evidence_from_folder, "evidence")
        return cls(Handle.create(new, os.fsencode(folder)))

    @classmethod
    def from_result(cls, result):
        """What a read (cccd.read) acquired, e.g. to send it to a server as a document."""
        new = _require(_native.cccd_evidence_from_result, "evidence")
        return cls(Handle.create(new, c_pointer(result, Result, optional=False)))

    def set_file(self, name, data):
        """One elementary file's raw bytes by its name; b"" removes it."""
        data, size = _bytes(data, "data")
        check(_native.cccd_evidence_set_file(self._c, _text(name, "name"), data, size))
        return self

    def file(self, name):
        """The file's bytes, or None when the evidence holds none."""
        data = _native.bytes_p()
        size = ctypes.c_size_t()
        status = _native.cccd_evidence_file(self._c, _text(name, "name"), ctypes.byref(data),
                                            ctypes.byref(size))
        if status == Status.FILE_NOT_FOUND:
            return None
        check(status)
        return ctypes.string_at(data, size.value)

    def set_active_authentication(self, challenge, signature):
        challenge, challenge_size = _bytes(challenge, "challenge")
        signature, signature_size = _bytes(signature, "signature")
        check(_native.cccd_evidence_set_active_authentication(self._c, challenge, challenge_size, signature,
                                                              signature_size))
        return self

    def set_access(self, protocol, note=None):
        """"BAC", "PACE-GM", "PACE-IM" or "PACE-CAM", and why when not the protocol offered first."""
        check(_native.cccd_evidence_set_access(self._c, _text(protocol, "protocol"), _text(note, "note")))
        return self

    def set_chip_authentication(self, protocol, result, note=None):
        """The app's record of Chip Authentication: checked for consistency, never counted as proof."""
        check(_native.cccd_evidence_set_chip_authentication(self._c, _text(protocol, "protocol"),
                                                            _text(result, "result"), _text(note, "note")))
        return self

    def set_pace_cam(self, chip_authentication_data, mapping_public_key):
        """The app's record of PACE-CAM (CA_IC and PK_Map,IC): never counted as proof."""
        data, data_size = _bytes(chip_authentication_data, "chip_authentication_data")
        key, key_size = _bytes(mapping_public_key, "mapping_public_key")
        check(_native.cccd_evidence_set_pace_cam(self._c, data, data_size, key, key_size))
        return self

    def add_denied(self, name):
        check(_native.cccd_evidence_add_denied(self._c, _text(name, "name")))
        return self

    def add_absent(self, name):
        check(_native.cccd_evidence_add_absent(self._c, _text(name, "name")))
        return self

    def document(self):
        """The evidence as one document: UTF-8 JSON bytes."""
        data = ctypes.c_void_p()
        size = ctypes.c_size_t()
        check(_native.cccd_evidence_document(self._c, ctypes.byref(data), ctypes.byref(size)))
        return ctypes.string_at(data, size.value)

    def write_folder(self, folder):
        """The evidence as a new dump folder (an existing folder is refused)."""
        check(_native.cccd_evidence_write_folder(self._c, os.fsencode(folder)))


class VerifyOptions(Handle):
    """How to verify: the verifier's own Active Authentication challenge (8 bytes) and the time (Unix
    seconds) certificates must be valid at (default: now)."""

    def __init__(self, *, challenge=None, time=None):
        super().__init__(Handle.create(_require(_native.cccd_verify_options_new, "verify options")),
                         _native.cccd_verify_options_free)
        if challenge is not None:
            self.set_challenge(challenge)
        if time is not None:
            self.set_time(time)

    def set_challenge(self, challenge):
        data, size = _bytes(challenge, "challenge")
        check(_native.cccd_verify_options_set_challenge(self._c, data, size))
        return self

    def set_time(self, unix_time):
        check(_native.cccd_verify_options_set_time(self._c, int(unix_time)))
        return self


def verify_evidence(evidence, trust=None, *, challenge=None, time=None, options=None):
    """Verifies evidence offline: an Evidence, or an evidence document (bytes or str) as uploaded.

    With `challenge` (the 8 bytes this server gave the phone) chip authenticity passes only for the
    chip's signature over it, so replayed evidence fails. Returns a Result; bad evidence raises
    (MalformedDataError, LimitExceededError naming the field).
    """
    _require(_native.cccd_verify_evidence, "cccd_verify_evidence")
    owned = []
    try:
        if not isinstance(evidence, Evidence):
            evidence = Evidence.from_document(evidence)
            owned.append(evidence)
        if options is None and (challenge is not None or time is not None):
            options = VerifyOptions(challenge=challenge, time=time)
            owned.append(options)
        elif options is not None and (challenge is not None or time is not None):
            raise TypeError("give either options or challenge/time, not both")
        out = ctypes.c_void_p()
        check(_native.cccd_verify_evidence(evidence._c, c_pointer(trust, Trust),
                                           c_pointer(options, VerifyOptions), ctypes.byref(out)))
        return Result(out)
    finally:
        for handle in owned:
            handle.close()
