package vn.cccd;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.util.Optional;

/**
 * What a read or a verification found: immutable, any number of threads may read it. {@link #json()} is
 * the result JSON of docs/json-schema.md; {@link #verified()} is true only when every finding that
 * applies passed.
 */
public final class Result extends NativeHandle {
  Result(Pointer pointer) { super(pointer, CccdLibrary.LIB::cccd_result_free); }

  public boolean verified() { return CccdLibrary.LIB.cccd_result_verified(pointer()) != 0; }

  /** The result JSON (UTF-8 decoded). Personal data: do not log it. */
  public String json() { return CccdLibrary.LIB.cccd_result_json(pointer()).getString(0, "UTF-8"); }

  /** The face image as stored on the chip (JPEG or JPEG 2000 bytes); empty when there is none. */
  public Optional<byte[]> photo() throws CccdException {
    PointerByReference data = new PointerByReference();
    CccdLibrary.SizeTByReference size = new CccdLibrary.SizeTByReference();
    int status = CccdLibrary.LIB.cccd_result_photo(pointer(), data, size);
    if (status == Status.FILE_NOT_FOUND.value())
      return Optional.empty();
    check(status);
    return Optional.of(data.getValue().getByteArray(0, Math.toIntExact(size.value())));
  }

  /** Writes the files read to a new dump folder (0700, files 0600); an existing folder is refused. */
  public void writeDump(String folder) throws CccdException {
    check(CccdLibrary.LIB.cccd_result_write_dump(pointer(), folder));
  }
}
