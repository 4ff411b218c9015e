package vn.cccd;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
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

  /** The same JSON on one line, without indentation: what a service sends on. Personal data too. */
  public String jsonCompact() {
    return CccdLibrary.LIB.cccd_result_json_compact(pointer()).getString(0, "UTF-8");
  }

  /**
   * The verdict per finding, name to status ("passed", "failed", "unknown", "not_supported",
   * "not_checked") in the result JSON's order, read without parsing the JSON: what an audit row or a
   * status line needs.
   */
  public Map<String, String> findings() {
    Map<String, String> out = new LinkedHashMap<>();
    for (long i = 0;; ++i) {
      String name = CccdLibrary.LIB.cccd_result_finding_name(pointer(), new SizeT(i));
      if (name == null)
        return Collections.unmodifiableMap(out);
      out.put(name, CccdLibrary.LIB.cccd_result_finding_status(pointer(), name));
    }
  }

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
