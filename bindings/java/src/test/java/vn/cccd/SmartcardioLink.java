package vn.cccd;

import javax.smartcardio.Card;
import javax.smartcardio.CardChannel;
import javax.smartcardio.CardException;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.CommandAPDU;

/**
 * A transport of an integrator's own: each APDU through {@code javax.smartcardio} (the JDK's PC/SC
 * client), the shape an Android app takes with {@code IsoDep.transceive}: connect when the card comes,
 * hand every command to the platform, give its answer back, say when the card left.
 */
final class SmartcardioLink implements CardLink, AutoCloseable {
  private final CardTerminal terminal;
  private final int maxCommandData;
  private final int maxResponseData;
  private Card card;
  private CardChannel channel;
  int apdus;

  /** {@code extended}: the link carries extended APDUs (as IsoDep.getMaxTransceiveLength may allow). */
  SmartcardioLink(CardTerminal terminal, boolean extended) {
    this.terminal = terminal;
    this.maxCommandData = extended ? 65535 : 255;
    this.maxResponseData = extended ? 65536 : 256;
  }

  @Override
  public byte[] transmit(byte[] command) throws CccdException {
    if (channel == null)
      throw new CccdException(Status.TRANSPORT, "no card connected");
    ++apdus;
    try {
      return channel.transmit(new CommandAPDU(command)).getBytes();
    } catch (CardException | IllegalStateException e) {
      throw new CccdException(cardGone() ? Status.CARD_REMOVED : Status.TRANSPORT, e.getMessage(), e);
    }
  }

  @Override
  public void waitForCard(int timeoutMs) throws CccdException {
    if (channel != null)
      return;
    try {
      if (!terminal.waitForCardPresent(Math.max(1, timeoutMs))) {
        throw new CccdException(Status.TIMEOUT, "no card on " + terminal.getName() + " in time");
      }
      card = terminal.connect("*");
      channel = card.getBasicChannel();
    } catch (CardException e) {
      throw new CccdException(Status.TRANSPORT, e.getMessage(), e);
    }
  }

  @Override
  public boolean canReconnect() {
    return true;
  }

  @Override
  public void reconnect(int timeoutMs) throws CccdException {
    disconnect();
    waitForCard(timeoutMs);
  }

  @Override
  public int maxCommandData() {
    return maxCommandData;
  }

  @Override
  public int maxResponseData() {
    return maxResponseData;
  }

  private boolean cardGone() {
    try {
      return !terminal.isCardPresent();
    } catch (CardException e) {
      return true;
    }
  }

  private void disconnect() {
    if (card != null) {
      try {
        card.disconnect(true); // reset: the next session starts from a powered-up card
      } catch (CardException e) {
        // already gone
      }
    }
    card = null;
    channel = null;
  }

  @Override
  public void close() {
    disconnect();
  }
}
