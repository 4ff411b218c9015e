package vn.cccd;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Cleaner;
import java.util.function.Consumer;

/**
 * One owner for every libcccd handle: freed once, by {@link #close()} (try-with-resources) or, for a
 * handle a program forgot, by a {@link Cleaner} after it became unreachable.
 */
abstract class NativeHandle implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();

  /** What the cleaner frees: it must not refer to the handle object, or that would never be unreachable. */
  private static final class Release implements Runnable {
    private Pointer pointer;
    private final Consumer<Pointer> free;
    // Objects the C side points into (JNA callbacks): reachable until the handle is freed.
    @SuppressWarnings("unused") private Object keepAlive;

    Release(Pointer pointer, Consumer<Pointer> free, Object keepAlive) {
      this.pointer = pointer;
      this.free = free;
      this.keepAlive = keepAlive;
    }

    @Override
    public synchronized void run() {
      if (pointer == null)
        return;
      free.accept(pointer);
      pointer = null;
      keepAlive = null;
    }

    synchronized Pointer pointer() { return pointer; }
  }

  private final Release release;
  private final Cleaner.Cleanable cleanable;

  NativeHandle(Pointer pointer, Consumer<Pointer> free, Object keepAlive) {
    release = new Release(pointer, free, keepAlive);
    cleanable = CLEANER.register(this, release);
  }

  NativeHandle(Pointer pointer, Consumer<Pointer> free) { this(pointer, free, null); }

  /** The C pointer; an IllegalStateException once closed. */
  Pointer pointer() {
    Pointer pointer = release.pointer();
    if (pointer == null)
      throw new IllegalStateException(getClass().getSimpleName() + " is closed");
    return pointer;
  }

  /** The C pointer of an optional handle: NULL for null. */
  static Pointer pointerOf(NativeHandle handle) { return handle == null ? null : handle.pointer(); }

  public boolean isClosed() { return release.pointer() == null; }

  /** Frees the handle now; again: nothing happens. Not while a call on another thread uses it. */
  @Override
  public void close() {
    cleanable.clean();
  }

  // --- the C API's conventions --------------------------------------------------------------------

  interface Creator {
    int create(PointerByReference out);
  }

  /** Calls a cccd_*_new(..., &out) and returns the handle's pointer, or throws. */
  static Pointer create(Creator creator) throws CccdException {
    PointerByReference out = new PointerByReference();
    check(creator.create(out));
    return out.getValue();
  }

  /** A call into a function this libcccd may lack (in-memory evidence): absent, NOT_SUPPORTED. */
  interface Call {
    int call();
  }

  static void checkNewer(String what, Call call) throws CccdException {
    int status;
    try {
      status = call.call();
    } catch (UnsatisfiedLinkError e) {
      throw new CccdException(Status.NOT_SUPPORTED, "this libcccd has no " + what, e);
    }
    check(status);
  }

  /** Throws the failure of a call that returned `status`, with this thread's cccd_last_error(). */
  static void check(int status) throws CccdException {
    if (status != Status.OK.value())
      throw lastError(status, null);
  }

  static CccdException lastError(int status, Throwable cause) {
    Pointer message = CccdLibrary.LIB.cccd_last_error();
    String text = message == null ? "" : message.getString(0, "UTF-8");
    return new CccdException(Status.of(status), text, cause);
  }
}
