package vn.cccd;

/**
 * A libcccd call failed: {@link #status()} says how (the C API's cccd_status), {@link #getMessage()}
 * why (the library's message, never personal data). A transport's own exception, when one caused the
 * failure, is the cause.
 */
public class CccdException extends Exception {
  private static final long serialVersionUID = 1L;
  private final Status status;

  public CccdException(Status status, String message) {
    super(message);
    this.status = status;
  }

  public CccdException(Status status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  public Status status() { return status; }

  /** The status's name as the JSON "error.code" spells it, e.g. "access_denied". */
  public String code() { return status.code(); }

  @Override
  public String toString() {
    return "CccdException(" + status.code() + "): " + getMessage();
  }
}
