package vn.cccd;

import com.sun.jna.IntegerType;
import com.sun.jna.Native;

/** C's size_t (8 bytes on 64-bit Linux, 4 on 32-bit), unsigned. */
public final class SizeT extends IntegerType {
  private static final long serialVersionUID = 1L;

  public SizeT() { this(0); }

  public SizeT(long value) { super(Native.SIZE_T_SIZE, value, true); }
}
