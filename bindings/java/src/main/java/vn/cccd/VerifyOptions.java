package vn.cccd;

/**
 * How to verify evidence: the verifier's own Active Authentication challenge (8 bytes) and the time
 * certificates must be valid at (default: now). Any number of verifications may share one.
 */
public final class VerifyOptions extends NativeHandle {
  public VerifyOptions() throws CccdException {
    super(createNewer(), CccdLibrary.LIB::cccd_verify_options_free);
  }

  private static com.sun.jna.Pointer createNewer() throws CccdException {
    com.sun.jna.ptr.PointerByReference out = new com.sun.jna.ptr.PointerByReference();
    checkNewer("verify options", () -> CccdLibrary.LIB.cccd_verify_options_new(out));
    return out.getValue();
  }

  /**
   * The challenge this verifier gave the reading app; chip authenticity passes only for a signature over it.
   */
  public VerifyOptions challenge(byte[] challenge) throws CccdException {
    check(CccdLibrary.LIB.cccd_verify_options_set_challenge(
        pointer(), challenge, new SizeT(challenge == null ? 0 : challenge.length)));
    return this;
  }

  /** Certificates must be valid at {@code unixTime} (seconds since 1970, UTC). */
  public VerifyOptions time(long unixTime) throws CccdException {
    check(CccdLibrary.LIB.cccd_verify_options_set_time(pointer(), unixTime));
    return this;
  }
}
