"""The C API of libcccd (include/cccd/cccd.h) as ctypes prototypes.

Only this module knows the C signatures; the rest of the package works with Python objects. The library
is found in this order: the CCCD_LIBRARY environment variable (a path), ctypes.util.find_library("cccd")
(the system's linker cache), then the SONAME and the development name, which the dynamic loader looks up
on its own path (LD_LIBRARY_PATH, /etc/ld.so.conf).
"""

import ctypes
import ctypes.util
import os

# The names the loader tries last: the SONAME of this ABI (0.x: each minor version may change it), then
# the development symlink.
_STANDARD_NAMES = ("libcccd.so.0.2", "libcccd.so")


def _load():
    tried = []
    explicit = os.environ.get("CCCD_LIBRARY")
    if explicit:
        # The caller named the library: no fallback, a wrong path must not load some other copy.
        try:
            return ctypes.CDLL(explicit)
        except OSError as error:
            raise ImportError(f"CCCD_LIBRARY={explicit}: {error}") from error
    candidates = []
    found = ctypes.util.find_library("cccd")
    if found:
        candidates.append(found)
    candidates.extend(_STANDARD_NAMES)
    for name in candidates:
        try:
            return ctypes.CDLL(name)
        except OSError as error:
            tried.append(f"{name}: {error}")
    raise ImportError(
        "libcccd not found (set CCCD_LIBRARY to the path of libcccd.so, or install libcccd): "
        + "; ".join(tried)
    )


lib = _load()

status_t = ctypes.c_int
opaque_p = ctypes.c_void_p
bytes_p = ctypes.POINTER(ctypes.c_uint8)
size_p = ctypes.POINTER(ctypes.c_size_t)

# cccd_transport_callbacks' function pointers. transmit / wait_for_card / reconnect return a cccd_status.
TRANSMIT = ctypes.CFUNCTYPE(
    status_t, ctypes.c_void_p, bytes_p, ctypes.c_size_t, bytes_p, ctypes.c_size_t, size_p
)
WAIT = ctypes.CFUNCTYPE(status_t, ctypes.c_void_p, ctypes.c_uint32)
NOTIFY = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class TransportCallbacks(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("transmit", TRANSMIT),
        ("wait_for_card", WAIT),
        ("reconnect", WAIT),
        ("cancel", NOTIFY),
        ("release", NOTIFY),
        ("max_command_data", ctypes.c_uint32),
        ("max_response_data", ctypes.c_uint32),
    ]


class Progress(ctypes.Structure):
    _fields_ = [
        ("file", ctypes.c_char_p),
        ("file_bytes", ctypes.c_size_t),
        ("file_size", ctypes.c_size_t),
        ("files_done", ctypes.c_uint32),
        ("files_total", ctypes.c_uint32),
    ]


PROGRESS = ctypes.CFUNCTYPE(None, ctypes.POINTER(Progress), ctypes.c_void_p)

_out = ctypes.POINTER(opaque_p)


def _declare(name, restype, *argtypes):
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)
    return function


def optional(name, restype, *argtypes):
    """A function a newer libcccd has and an older one may lack: None when absent."""
    try:
        return _declare(name, restype, *argtypes)
    except AttributeError:
        return None


cccd_version = _declare("cccd_version", ctypes.c_char_p)
cccd_version_number = _declare("cccd_version_number", ctypes.c_uint32)
cccd_status_name = _declare("cccd_status_name", ctypes.c_char_p, status_t)
cccd_last_error = _declare("cccd_last_error", ctypes.c_char_p)
cccd_last_error_json = _declare("cccd_last_error_json", ctypes.c_char_p)

cccd_credentials_from_id = _declare(
    "cccd_credentials_from_id", status_t, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, _out
)
cccd_credentials_from_mrz = _declare("cccd_credentials_from_mrz", status_t, ctypes.c_char_p, _out)
cccd_credentials_from_can = _declare("cccd_credentials_from_can", status_t, ctypes.c_char_p, _out)
cccd_credentials_free = _declare("cccd_credentials_free", None, opaque_p)

cccd_trust_new = _declare("cccd_trust_new", status_t, _out)
cccd_trust_add_path = _declare("cccd_trust_add_path", status_t, opaque_p, ctypes.c_char_p)
cccd_trust_add_master_list = _declare(
    "cccd_trust_add_master_list", status_t, opaque_p, ctypes.c_char_p, ctypes.c_char_p
)
cccd_trust_add_data = _declare("cccd_trust_add_data", status_t, opaque_p, ctypes.c_char_p, ctypes.c_size_t)
cccd_trust_add_crl = _declare("cccd_trust_add_crl", status_t, opaque_p, ctypes.c_char_p)
cccd_trust_free = _declare("cccd_trust_free", None, opaque_p)

cccd_verify_dump = _declare("cccd_verify_dump", status_t, ctypes.c_char_p, opaque_p, _out)
cccd_verify_dump_with_challenge = _declare(
    "cccd_verify_dump_with_challenge", status_t, ctypes.c_char_p, opaque_p, ctypes.c_char_p, ctypes.c_size_t,
    _out
)

cccd_transport_new = _declare(
    "cccd_transport_new", status_t, ctypes.POINTER(TransportCallbacks), ctypes.c_void_p, _out
)
cccd_transport_pcsc_new = _declare("cccd_transport_pcsc_new", status_t, ctypes.c_char_p, _out)
cccd_transport_nfc_new = _declare("cccd_transport_nfc_new", status_t, ctypes.c_char_p, _out)
cccd_transport_free = _declare("cccd_transport_free", None, opaque_p)

cccd_read_options_new = _declare("cccd_read_options_new", status_t, _out)
cccd_read_options_free = _declare("cccd_read_options_free", None, opaque_p)
cccd_read_options_set_progress = _declare(
    "cccd_read_options_set_progress", status_t, opaque_p, PROGRESS, ctypes.c_void_p
)
cccd_read_options_set_wait_for_card = _declare(
    "cccd_read_options_set_wait_for_card", status_t, opaque_p, ctypes.c_uint32
)
cccd_read_options_set_resume = _declare(
    "cccd_read_options_set_resume", status_t, opaque_p, ctypes.c_int, ctypes.c_uint32
)
cccd_read_options_set_challenge = _declare(
    "cccd_read_options_set_challenge", status_t, opaque_p, ctypes.c_char_p, ctypes.c_size_t
)
cccd_read_options_set_limits = _declare(
    "cccd_read_options_set_limits", status_t, opaque_p, ctypes.c_uint32, ctypes.c_uint32
)
cccd_read_options_set_cancel = _declare("cccd_read_options_set_cancel", status_t, opaque_p, opaque_p)

cccd_cancel_new = _declare("cccd_cancel_new", status_t, _out)
cccd_cancel = _declare("cccd_cancel", None, opaque_p)
cccd_cancel_requested = _declare("cccd_cancel_requested", ctypes.c_int, opaque_p)
cccd_cancel_free = _declare("cccd_cancel_free", None, opaque_p)

cccd_read = _declare("cccd_read", status_t, opaque_p, opaque_p, opaque_p, opaque_p, _out)

cccd_result_verified = _declare("cccd_result_verified", ctypes.c_int, opaque_p)
cccd_result_json = _declare("cccd_result_json", ctypes.c_char_p, opaque_p)
cccd_result_json_compact = _declare("cccd_result_json_compact", ctypes.c_char_p, opaque_p)
cccd_result_finding_name = _declare(
    "cccd_result_finding_name", ctypes.c_char_p, opaque_p, ctypes.c_size_t
)
cccd_result_finding_status = _declare(
    "cccd_result_finding_status", ctypes.c_char_p, opaque_p, ctypes.c_char_p
)
cccd_result_photo = _declare(
    "cccd_result_photo", status_t, opaque_p, ctypes.POINTER(bytes_p), size_p
)
cccd_result_write_dump = _declare("cccd_result_write_dump", status_t, opaque_p, ctypes.c_char_p)
cccd_result_free = _declare("cccd_result_free", None, opaque_p)

# In-memory evidence and verify options (libcccd 0.2 with evidence): None in a library without them.
cccd_trust_add_crl_data = optional(
    "cccd_trust_add_crl_data", status_t, opaque_p, ctypes.c_char_p, ctypes.c_size_t
)
cccd_trust_add_master_list_data = optional(
    "cccd_trust_add_master_list_data", status_t, opaque_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
    ctypes.c_size_t
)
cccd_evidence_new = optional("cccd_evidence_new", status_t, _out)
cccd_evidence_from_document = optional(
    "cccd_evidence_from_document", status_t, ctypes.c_char_p, ctypes.c_size_t, _out
)
cccd_evidence_from_folder = optional("cccd_evidence_from_folder", status_t, ctypes.c_char_p, _out)
cccd_evidence_from_result = optional("cccd_evidence_from_result", status_t, opaque_p, _out)
cccd_evidence_free = optional("cccd_evidence_free", None, opaque_p)
cccd_evidence_set_file = optional(
    "cccd_evidence_set_file", status_t, opaque_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t
)
cccd_evidence_file = optional(
    "cccd_evidence_file", status_t, opaque_p, ctypes.c_char_p, ctypes.POINTER(bytes_p), size_p
)
cccd_evidence_set_active_authentication = optional(
    "cccd_evidence_set_active_authentication", status_t, opaque_p, ctypes.c_char_p, ctypes.c_size_t,
    ctypes.c_char_p, ctypes.c_size_t
)
cccd_evidence_set_access = optional(
    "cccd_evidence_set_access", status_t, opaque_p, ctypes.c_char_p, ctypes.c_char_p
)
cccd_evidence_set_chip_authentication = optional(
    "cccd_evidence_set_chip_authentication", status_t, opaque_p, ctypes.c_char_p, ctypes.c_char_p,
    ctypes.c_char_p
)
cccd_evidence_set_pace_cam = optional(
    "cccd_evidence_set_pace_cam", status_t, opaque_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
    ctypes.c_size_t
)
cccd_evidence_add_denied = optional("cccd_evidence_add_denied", status_t, opaque_p, ctypes.c_char_p)
cccd_evidence_add_absent = optional("cccd_evidence_add_absent", status_t, opaque_p, ctypes.c_char_p)
cccd_evidence_document = optional(
    "cccd_evidence_document", status_t, opaque_p, ctypes.POINTER(ctypes.c_void_p), size_p
)
cccd_evidence_write_folder = optional("cccd_evidence_write_folder", status_t, opaque_p, ctypes.c_char_p)
cccd_verify_options_new = optional("cccd_verify_options_new", status_t, _out)
cccd_verify_options_free = optional("cccd_verify_options_free", None, opaque_p)
cccd_verify_options_set_challenge = optional(
    "cccd_verify_options_set_challenge", status_t, opaque_p, ctypes.c_char_p, ctypes.c_size_t
)
cccd_verify_options_set_time = optional("cccd_verify_options_set_time", status_t, opaque_p, ctypes.c_int64)
cccd_verify_evidence = optional("cccd_verify_evidence", status_t, opaque_p, opaque_p, opaque_p, _out)
