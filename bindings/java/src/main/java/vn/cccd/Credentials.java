package vn.cccd;

import com.sun.jna.Pointer;
import java.util.Objects;

/** What opens the chip. The library's copy is wiped when the handle is closed. */
public final class Credentials extends NativeHandle {
  private Credentials(Pointer pointer) { super(pointer, CccdLibrary.LIB::cccd_credentials_free); }

  /** The 6-digit card access number (on a CCCD the last 6 digits of the ID number). */
  public static Credentials fromCan(String can) throws CccdException {
    Objects.requireNonNull(can, "can");
    return new Credentials(create(out -> CccdLibrary.LIB.cccd_credentials_from_can(can, out)));
  }

  /** ID number, birth ("YYYY-MM-DD", "YYMMDD", "YYYY-MM" or "YYYY") and expiry (or "none"). */
  public static Credentials fromId(String idNumber, String birth, String expiry) throws CccdException {
    Objects.requireNonNull(idNumber, "idNumber");
    Objects.requireNonNull(birth, "birth");
    Objects.requireNonNull(expiry, "expiry");
    return new Credentials(
        create(out -> CccdLibrary.LIB.cccd_credentials_from_id(idNumber, birth, expiry, out)));
  }

  /** The machine-readable zone's text. */
  public static Credentials fromMrz(String mrz) throws CccdException {
    Objects.requireNonNull(mrz, "mrz");
    return new Credentials(create(out -> CccdLibrary.LIB.cccd_credentials_from_mrz(mrz, out)));
  }
}
