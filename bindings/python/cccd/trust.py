"""The trust store: the CSCA certificates (and CRLs, master lists) a document signer must chain to."""

import os

from . import _native
from ._handle import Handle
from .errors import NotSupportedError, check


class Trust(Handle):
    """A trust store. Empty, signer trust is "unknown" and nothing verifies.

    Build it on one thread; then any number of threads may verify with it at once. Each add_* returns
    the store, so calls chain: `Trust().add_data(pem).add_crl("ds.crl")`.
    """

    def __init__(self):
        super().__init__(Handle.create(_native.cccd_trust_new), _native.cccd_trust_free)

    def add_data(self, data):
        """One or more CSCA certificates or CRLs from memory: PEM or DER bytes, as a file holds them."""
        data = bytes(data)
        check(_native.cccd_trust_add_data(self._c, data, len(data)))
        return self

    def add_path(self, path):
        """A PEM/DER certificate or CRL file, or a folder of them."""
        check(_native.cccd_trust_add_path(self._c, os.fsencode(path)))
        return self

    def add_crl(self, path):
        """A CRL file (DER, or PEM with one or more CRLs)."""
        check(_native.cccd_trust_add_crl(self._c, os.fsencode(path)))
        return self

    def add_master_list(self, path, root_path):
        """An ICAO CSCA master list, checked against the root certificate(s) at `root_path` first."""
        check(_native.cccd_trust_add_master_list(self._c, os.fsencode(path), os.fsencode(root_path)))
        return self

    def add_crl_data(self, data):
        """CRLs from memory (DER, or PEM with one or more CRLs)."""
        if _native.cccd_trust_add_crl_data is None:
            raise NotSupportedError("this libcccd cannot take CRLs from memory")
        data = bytes(data)
        check(_native.cccd_trust_add_crl_data(self._c, data, len(data)))
        return self

    def add_master_list_data(self, master_list, roots):
        """An ICAO CSCA master list from memory, checked against the root certificate(s) in `roots`
        (PEM or DER bytes) first."""
        if _native.cccd_trust_add_master_list_data is None:
            raise NotSupportedError("this libcccd cannot take master lists from memory")
        master_list, roots = bytes(master_list), bytes(roots)
        check(_native.cccd_trust_add_master_list_data(self._c, master_list, len(master_list), roots,
                                                      len(roots)))
        return self
