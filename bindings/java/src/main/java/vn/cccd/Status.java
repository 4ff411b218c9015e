package vn.cccd;

/** cccd_status of include/cccd/cccd.h, with the same numbers and the names of the JSON "error.code". */
public enum Status {
  OK(0, "ok"),
  INVALID_ARGUMENT(1, "invalid_argument"),
  IO(2, "io"),
  TRANSPORT(3, "transport"),
  NO_READER(4, "no_reader"),
  NO_CARD(5, "no_card"),
  CARD_REMOVED(6, "card_removed"),
  TIMEOUT(7, "timeout"),
  CANCELLED(8, "cancelled"),
  ACCESS_DENIED(9, "access_denied"),
  SECURE_MESSAGING(10, "secure_messaging"),
  CARD_ERROR(11, "card_error"),
  FILE_NOT_FOUND(12, "file_not_found"),
  MALFORMED_DATA(13, "malformed_data"),
  CRYPTO(14, "crypto"),
  NOT_SUPPORTED(15, "not_supported"),
  LIMIT_EXCEEDED(16, "limit_exceeded"),
  INTERNAL(17, "internal");

  private final int value;
  private final String code;

  Status(int value, String code) {
    this.value = value;
    this.code = code;
  }

  /** The C value. */
  public int value() { return value; }

  /** The name cccd_status_name gives, e.g. "access_denied". */
  public String code() { return code; }

  /** The Status of a C value; INTERNAL for a value this binding does not know. */
  public static Status of(int value) {
    for (Status status : values()) {
      if (status.value == value)
        return status;
    }
    return INTERNAL;
  }
}
