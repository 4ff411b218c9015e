"""Read options (progress, waiting for a card, resume, a server's challenge, limits) and cancelling."""

from . import _native
from ._handle import Handle, c_pointer
from .errors import check


class CancelToken(Handle):
    """cancel() stops the read that uses this token, from any thread; once cancelled, it stays so."""

    def __init__(self):
        super().__init__(Handle.create(_native.cccd_cancel_new), _native.cccd_cancel_free)

    def cancel(self):
        _native.cccd_cancel(self._c)

    @property
    def cancelled(self):
        return _native.cccd_cancel_requested(self._c) != 0


class ReadOptions(Handle):
    """Options of cccd.read. Keyword arguments set them at once; the setters do one each.

    challenge: the 8-byte Active Authentication challenge a server chose (bytes).
    wait_for_card_ms: wait this long for a card (needs the transport's wait_for_card).
    resume_wait_ms: a card pulled away is waited for this long, then read on (needs reconnect).
    time_limit_ms, max_apdus: the read's ceilings (0: the library's defaults).
    cancel: a CancelToken; progress: progress(file, file_bytes, file_size, files_done, files_total),
    called on the reading thread between APDUs.
    """

    def __init__(self, *, challenge=None, wait_for_card_ms=0, resume_wait_ms=None, time_limit_ms=0,
                 max_apdus=0, cancel=None, progress=None):
        super().__init__(Handle.create(_native.cccd_read_options_new), _native.cccd_read_options_free)
        self._cancel = None
        self._progress = None
        if challenge is not None:
            self.set_challenge(challenge)
        if wait_for_card_ms:
            self.set_wait_for_card(wait_for_card_ms)
        if resume_wait_ms is not None:
            self.set_resume(True, resume_wait_ms)
        if time_limit_ms or max_apdus:
            self.set_limits(time_limit_ms, max_apdus)
        if cancel is not None:
            self.set_cancel(cancel)
        if progress is not None:
            self.set_progress(progress)

    def set_challenge(self, challenge):
        challenge = bytes(challenge)
        check(_native.cccd_read_options_set_challenge(self._c, challenge, len(challenge)))

    def set_wait_for_card(self, timeout_ms):
        check(_native.cccd_read_options_set_wait_for_card(self._c, timeout_ms))

    def set_resume(self, resume, wait_ms):
        check(_native.cccd_read_options_set_resume(self._c, 1 if resume else 0, wait_ms))

    def set_limits(self, time_limit_ms=0, max_apdus=0):
        check(_native.cccd_read_options_set_limits(self._c, time_limit_ms, max_apdus))

    def set_cancel(self, token):
        check(_native.cccd_read_options_set_cancel(self._c, c_pointer(token, CancelToken)))
        self._cancel = token  # the library does not own it: it must outlive the reads

    def set_progress(self, progress):
        def on_progress(report, _user):
            try:
                p = report.contents
                progress(p.file.decode() if p.file else "", p.file_bytes, p.file_size, p.files_done,
                         p.files_total)
            except BaseException:  # an exception must not cross into C; progress is advisory
                pass

        callback = _native.PROGRESS(on_progress) if progress is not None else _native.PROGRESS()
        check(_native.cccd_read_options_set_progress(self._c, callback, None))
        self._progress = callback  # called by the library until replaced or freed
