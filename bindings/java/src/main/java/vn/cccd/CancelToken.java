package vn.cccd;

/** Stops the read that uses it, from any thread; once cancelled, it stays cancelled. */
public final class CancelToken extends NativeHandle {
  public CancelToken() throws CccdException {
    super(create(CccdLibrary.LIB::cccd_cancel_new), CccdLibrary.LIB::cccd_cancel_free);
  }

  public void cancel() { CccdLibrary.LIB.cccd_cancel(pointer()); }

  public boolean isCancelled() { return CccdLibrary.LIB.cccd_cancel_requested(pointer()) != 0; }
}
