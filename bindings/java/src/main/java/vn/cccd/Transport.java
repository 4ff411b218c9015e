package vn.cccd;

import com.sun.jna.Pointer;
import java.util.concurrent.atomic.AtomicReference;

/** How APDUs reach the card: a PC/SC or libnfc reader, or a {@link CardLink} of the caller's. */
public final class Transport extends NativeHandle {
  private final CallbackBridge bridge;

  private Transport(Pointer pointer, CallbackBridge bridge, Object keepAlive) {
    super(pointer, CccdLibrary.LIB::cccd_transport_free, keepAlive);
    this.bridge = bridge;
  }

  /** The card on the PC/SC reader whose name contains {@code readerName} (null: the first reader). */
  public static Transport pcsc(String readerName) throws CccdException {
    return new Transport(create(out -> CccdLibrary.LIB.cccd_transport_pcsc_new(readerName, out)), null, null);
  }

  /** The card on a libnfc (PN53x) reader, e.g. "pn532_uart:/dev/ttyUSB0" (null: the first found). */
  public static Transport nfc(String connstring) throws CccdException {
    return new Transport(create(out -> CccdLibrary.LIB.cccd_transport_nfc_new(connstring, out)), null, null);
  }

  /** A transport over the caller's link. One read at a time. */
  public static Transport of(CardLink link) throws CccdException {
    java.util.Objects.requireNonNull(link, "link");
    CallbackBridge bridge = new CallbackBridge(link);
    CccdLibrary.TransportCallbacks callbacks = bridge.callbacks();
    Pointer pointer = create(out -> CccdLibrary.LIB.cccd_transport_new(callbacks, null, out));
    // The library copied the struct but calls the functions it points to until the transport is freed:
    // the JNA callback objects stay reachable exactly that long.
    return new Transport(pointer, bridge, bridge);
  }

  /** The first exception the link threw during the last read, then forgotten. */
  Throwable takeCallbackError() { return bridge == null ? null : bridge.takeError(); }

  /** CardLink's methods as the C callbacks: exceptions become statuses (none may unwind into C). */
  private static final class CallbackBridge {
    private final CardLink link;
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private final CccdLibrary.TransmitCallback transmit;
    private final CccdLibrary.WaitCallback waitForCard;
    private final CccdLibrary.WaitCallback reconnect;
    private final CccdLibrary.NotifyCallback cancel;

    CallbackBridge(CardLink link) {
      this.link = link;
      transmit = (user, command, commandLength, response, capacity,
          responseLength) -> run(() -> exchange(command, commandLength, response, capacity, responseLength));
      waitForCard = (user, timeoutMs) -> run(() -> link.waitForCard(timeoutMs));
      reconnect = (user, timeoutMs) -> run(() -> link.reconnect(timeoutMs));
      cancel = user -> run(link::cancel);
    }

    CccdLibrary.TransportCallbacks callbacks() {
      CccdLibrary.TransportCallbacks callbacks = new CccdLibrary.TransportCallbacks();
      callbacks.struct_size = new SizeT(callbacks.size());
      callbacks.transmit = transmit;
      callbacks.wait_for_card = waitForCard;
      // Without it the library never calls reconnect (it would fail every read at its start reset).
      if (link.canReconnect()) callbacks.reconnect = reconnect;
      callbacks.cancel = cancel;
      callbacks.max_command_data = link.maxCommandData();
      callbacks.max_response_data = link.maxResponseData();
      return callbacks;
    }

    private void exchange(Pointer command, SizeT commandLength, Pointer response, SizeT capacity,
        Pointer responseLength) throws Exception {
      byte[] answer = link.transmit(command.getByteArray(0, commandLength.intValue()));
      if (answer == null || answer.length < 2 || answer.length > capacity.longValue()) {
        throw new IllegalArgumentException("a response of "
            + (answer == null ? "null" : answer.length + " bytes") + " (2 to " + capacity.longValue()
            + " fit)");
      }
      response.write(0, answer, 0, answer.length);
      if (com.sun.jna.Native.SIZE_T_SIZE == 8) {
        responseLength.setLong(0, answer.length);
      } else {
        responseLength.setInt(0, answer.length);
      }
    }

    private interface Step {
      void run() throws Exception;
    }

    private int run(Step step) {
      try {
        step.run();
        return Status.OK.value();
      } catch (CccdException e) {
        error.compareAndSet(null, e);
        switch (e.status()) {
          case CARD_REMOVED:
          case TIMEOUT:
          case CANCELLED:
          case NO_CARD:
          case TRANSPORT:
            return e.status().value();
          default:
            return Status.TRANSPORT.value();
        }
      } catch (Throwable e) { // nothing may unwind through the C frames
        error.compareAndSet(null, e);
        return Status.TRANSPORT.value();
      }
    }

    Throwable takeError() { return error.getAndSet(null); }
  }
}
