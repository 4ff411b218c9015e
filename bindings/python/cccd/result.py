"""What a read or a verification found: the verdict, the document, the photo."""

import ctypes
import json
import os

from . import _native
from ._handle import Handle
from .errors import Status, check


class Result(Handle):
    """The outcome of cccd.read / cccd.verify_dump: immutable; free it with close() or `with`.

    `report` is the result JSON (docs/json-schema.md) as a dict; `verified` is True only when every
    finding that applies passed.
    """

    def __init__(self, pointer):
        super().__init__(pointer, _native.cccd_result_free)
        self._report = None

    @property
    def verified(self):
        return _native.cccd_result_verified(self._c) != 0

    @property
    def json(self):
        """The result JSON as a str (personal data: do not log it)."""
        return _native.cccd_result_json(self._c).decode("utf-8")

    @property
    def json_compact(self):
        """The same JSON on one line, without indentation: what a service sends on (personal data too)."""
        return _native.cccd_result_json_compact(self._c).decode("utf-8")

    @property
    def report(self):
        """The result JSON as a dict."""
        if self._report is None:
            self._report = json.loads(self.json_compact)
        return self._report

    @property
    def findings(self):
        """The verdict per finding, {name: status} in the result JSON's order ("access" ... "signer_trust";
        status "passed", "failed", "unknown", "not_supported" or "not_checked"), read without parsing the
        JSON: what an audit row or a status line needs."""
        findings = {}
        index = 0
        while (name := _native.cccd_result_finding_name(self._c, index)) is not None:
            findings[name.decode("ascii")] = _native.cccd_result_finding_status(self._c, name).decode("ascii")
            index += 1
        return findings

    def to_dict(self):
        return self.report

    @property
    def photo(self):
        """The face image as stored on the chip (JPEG or JPEG 2000 bytes), or None when there is none."""
        data = _native.bytes_p()
        size = ctypes.c_size_t()
        status = _native.cccd_result_photo(self._c, ctypes.byref(data), ctypes.byref(size))
        if status == Status.FILE_NOT_FOUND:
            return None
        check(status)
        return ctypes.string_at(data, size.value)

    def write_dump(self, folder):
        """Writes the files read to a new dump folder (0700, files 0600); an existing folder is refused."""
        check(_native.cccd_result_write_dump(self._c, os.fsencode(folder)))
