package vn.cccd;

/**
 * Options of {@link Cccd#read}: a server's Active Authentication challenge, waiting for a card, resume,
 * limits, cancelling, progress. Set up before the read; several reads may share it while none changes it.
 */
public final class ReadOptions extends NativeHandle {
  /** A progress report, on the reading thread between APDUs: return quickly. */
  @FunctionalInterface
  public interface ProgressListener {
    void progress(String file, long fileBytes, long fileSize, int filesDone, int filesTotal);
  }

  private CancelToken cancel; // not owned by the library: it must outlive the reads
  private CccdLibrary.ProgressCallback progress; // called by the library until replaced or freed

  public ReadOptions() throws CccdException {
    super(create(CccdLibrary.LIB::cccd_read_options_new), CccdLibrary.LIB::cccd_read_options_free);
  }

  /** The 8-byte challenge the server chose, so that it can check the read with it. */
  public ReadOptions challenge(byte[] challenge) throws CccdException {
    check(CccdLibrary.LIB.cccd_read_options_set_challenge(
        pointer(), challenge, new SizeT(challenge == null ? 0 : challenge.length)));
    return this;
  }

  /** Waits up to {@code timeoutMs} for a card (the link's waitForCard). */
  public ReadOptions waitForCard(int timeoutMs) throws CccdException {
    check(CccdLibrary.LIB.cccd_read_options_set_wait_for_card(pointer(), timeoutMs));
    return this;
  }

  /** A card pulled away is waited for up to {@code waitMs}, then read on (the link's reconnect). */
  public ReadOptions resume(int waitMs) throws CccdException {
    check(CccdLibrary.LIB.cccd_read_options_set_resume(pointer(), 1, waitMs));
    return this;
  }

  /** The read's ceilings (0: the library's defaults, 60 s and 4000 APDUs). */
  public ReadOptions limits(int timeLimitMs, int maxApdus) throws CccdException {
    check(CccdLibrary.LIB.cccd_read_options_set_limits(pointer(), timeLimitMs, maxApdus));
    return this;
  }

  public ReadOptions cancel(CancelToken token) throws CccdException {
    check(CccdLibrary.LIB.cccd_read_options_set_cancel(pointer(), pointerOf(token)));
    cancel = token;
    return this;
  }

  public ReadOptions progress(ProgressListener listener) throws CccdException {
    CccdLibrary.ProgressCallback callback = listener == null ? null : (report, user) -> {
      try {
        String file = report.file == null ? "" : report.file.getString(0, "UTF-8");
        listener.progress(file, report.file_bytes.longValue(), report.file_size.longValue(),
            report.files_done, report.files_total);
      } catch (RuntimeException e) {
        // Progress is advisory: a failing listener must not unwind into C.
      }
    };
    check(CccdLibrary.LIB.cccd_read_options_set_progress(pointer(), callback, null));
    progress = callback;
    return this;
  }
}
