package vn.cccd;

/**
 * A link to a card that the caller provides: a phone's NFC stack ({@code IsoDep.transceive} on
 * Android), {@code javax.smartcardio}, a vendor SDK, a socket. {@link Transport#of(CardLink)} makes it a
 * transport; the library does everything above one APDU exchange (GET RESPONSE, extended length, secure
 * messaging, resume, limits).
 *
 * <p>To say what happened on the link, a method throws a {@link CccdException} with {@link
 * Status#CARD_REMOVED} (the card left the field), {@link Status#TIMEOUT}, {@link Status#CANCELLED} or
 * {@link Status#TRANSPORT}; any other exception counts as a transport failure and becomes the cause of
 * the read's exception. The methods run on the thread that called {@link Cccd#read}, except {@link
 * #cancel()}, which runs on the thread that cancels.
 */
@FunctionalInterface
public interface CardLink {
  /** Sends one command APDU and returns the card's response: data then SW1 SW2. */
  byte[] transmit(byte[] command) throws Exception;

  /**
   * Waits up to {@code timeoutMs} for a card and connects to it. Called only when the read options ask
   * to wait for a card; the default says a card is always there.
   */
  default void waitForCard(int timeoutMs) throws Exception {}

  /**
   * Whether {@link #reconnect} works. Only then does the library call it: once at the start of every
   * read (the card back to its power-up state, whatever an earlier session left selected), after a
   * removal when the read options ask to resume, and once when the link refuses an extended APDU. The
   * default: it cannot, so the read starts on the card as it is and ends with a removal.
   */
  default boolean canReconnect() { return false; }

  /**
   * Waits up to {@code timeoutMs} for the card and connects to it afresh (powered up again: nothing
   * selected, no secure messaging). Called only when {@link #canReconnect()} says so.
   */
  default void reconnect(int timeoutMs) throws Exception {
    throw new CccdException(Status.CARD_REMOVED, "this link cannot reconnect");
  }

  /** Makes a blocked call return soon (CANCELLED); called from the cancelling thread. */
  default void cancel() {}

  /** The largest command data (Nc) one APDU may carry: 255 for short APDUs, up to 65535 extended. */
  default int maxCommandData() { return 255; }

  /** The largest response data (Ne) one APDU may carry: 256 for short APDUs, up to 65536 extended. */
  default int maxResponseData() { return 256; }
}
