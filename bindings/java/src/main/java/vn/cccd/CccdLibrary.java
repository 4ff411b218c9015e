package vn.cccd;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.PointerByReference;
import java.util.Map;

/**
 * The C API of libcccd (include/cccd/cccd.h) as JNA sees it. Only this interface knows the C signatures;
 * the public classes of the package wrap its handles.
 *
 * <p>The library is found in this order: the system property {@code cccd.library} (a path), the
 * environment variable {@code CCCD_LIBRARY} (a path), then "cccd", which JNA looks up in {@code
 * jna.library.path} and the loader's paths (libcccd.so, or a versioned libcccd.so.0.2).
 */
interface CccdLibrary extends Library {
  CccdLibrary LIB = load();

  private static CccdLibrary load() {
    String path = System.getProperty("cccd.library");
    if (path == null || path.isEmpty())
      path = System.getenv("CCCD_LIBRARY");
    String name = path == null || path.isEmpty() ? "cccd" : path;
    // Strings cross the boundary as UTF-8 whatever the JVM's default charset (the C API is UTF-8).
    return Native.load(name, CccdLibrary.class, Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));
  }

  /** size_t* for the C API's out-parameters. */
  final class SizeTByReference extends com.sun.jna.ptr.ByReference {
    public SizeTByReference() { super(Native.SIZE_T_SIZE); }

    long value() {
      return Native.SIZE_T_SIZE == 8 ? getPointer().getLong(0) : getPointer().getInt(0) & 0xFFFFFFFFL;
    }
  }

  interface TransmitCallback extends Callback {
    int invoke(Pointer user, Pointer command, SizeT commandLength, Pointer response, SizeT capacity,
        Pointer responseLength);
  }

  interface WaitCallback extends Callback {
    int invoke(Pointer user, int timeoutMs);
  }

  interface NotifyCallback extends Callback {
    void invoke(Pointer user);
  }

  interface ProgressCallback extends Callback {
    void invoke(Progress progress, Pointer user);
  }

  /** cccd_transport_callbacks. */
  @Structure.FieldOrder({"struct_size", "transmit", "wait_for_card", "reconnect", "cancel", "release",
      "max_command_data", "max_response_data"})
  class TransportCallbacks extends Structure {
    public SizeT struct_size;
    public TransmitCallback transmit;
    public WaitCallback wait_for_card;
    public WaitCallback reconnect;
    public NotifyCallback cancel;
    public NotifyCallback release;
    public int max_command_data;
    public int max_response_data;
  }

  /** cccd_progress. */
  @Structure.FieldOrder({"file", "file_bytes", "file_size", "files_done", "files_total"})
  class Progress extends Structure {
    public Pointer file;
    public SizeT file_bytes;
    public SizeT file_size;
    public int files_done;
    public int files_total;
  }

  String cccd_version();

  int cccd_version_number();

  Pointer cccd_status_name(int status);

  Pointer cccd_last_error();

  Pointer cccd_last_error_json();

  int cccd_credentials_from_id(String id, String birth, String expiry, PointerByReference out);

  int cccd_credentials_from_mrz(String mrz, PointerByReference out);

  int cccd_credentials_from_can(String can, PointerByReference out);

  void cccd_credentials_free(Pointer credentials);

  int cccd_trust_new(PointerByReference out);

  int cccd_trust_add_path(Pointer trust, String path);

  int cccd_trust_add_master_list(Pointer trust, String path, String rootPath);

  int cccd_trust_add_data(Pointer trust, byte[] data, SizeT size);

  int cccd_trust_add_crl(Pointer trust, String path);

  void cccd_trust_free(Pointer trust);

  int cccd_verify_dump(String folder, Pointer trust, PointerByReference out);

  int cccd_verify_dump_with_challenge(
      String folder, Pointer trust, byte[] challenge, SizeT length, PointerByReference out);

  int cccd_transport_new(TransportCallbacks callbacks, Pointer user, PointerByReference out);

  int cccd_transport_pcsc_new(String readerName, PointerByReference out);

  int cccd_transport_nfc_new(String connstring, PointerByReference out);

  void cccd_transport_free(Pointer transport);

  int cccd_read_options_new(PointerByReference out);

  void cccd_read_options_free(Pointer options);

  int cccd_read_options_set_progress(Pointer options, ProgressCallback callback, Pointer user);

  int cccd_read_options_set_wait_for_card(Pointer options, int timeoutMs);

  int cccd_read_options_set_resume(Pointer options, int resume, int waitMs);

  int cccd_read_options_set_challenge(Pointer options, byte[] challenge, SizeT length);

  int cccd_read_options_set_limits(Pointer options, int timeLimitMs, int maxApdus);

  int cccd_read_options_set_cancel(Pointer options, Pointer token);

  int cccd_cancel_new(PointerByReference out);

  void cccd_cancel(Pointer token);

  int cccd_cancel_requested(Pointer token);

  void cccd_cancel_free(Pointer token);

  int cccd_read(
      Pointer transport, Pointer credentials, Pointer trust, Pointer options, PointerByReference out);

  int cccd_result_verified(Pointer result);

  Pointer cccd_result_json(Pointer result);

  Pointer cccd_result_json_compact(Pointer result);

  String cccd_result_finding_name(Pointer result, SizeT index);

  String cccd_result_finding_status(Pointer result, String name);

  int cccd_result_photo(Pointer result, PointerByReference data, SizeTByReference size);

  int cccd_result_write_dump(Pointer result, String folder);

  void cccd_result_free(Pointer result);

  // In-memory evidence and verify options: resolved at the first call, so a libcccd without them still
  // loads (the call then throws UnsatisfiedLinkError, which the wrappers report as NOT_SUPPORTED).
  int cccd_trust_add_crl_data(Pointer trust, byte[] data, SizeT size);

  int cccd_trust_add_master_list_data(
      Pointer trust, byte[] list, SizeT listSize, byte[] roots, SizeT rootsSize);

  int cccd_evidence_new(PointerByReference out);

  int cccd_evidence_from_document(byte[] document, SizeT size, PointerByReference out);

  int cccd_evidence_from_folder(String folder, PointerByReference out);

  int cccd_evidence_from_result(Pointer result, PointerByReference out);

  void cccd_evidence_free(Pointer evidence);

  int cccd_evidence_set_file(Pointer evidence, String name, byte[] data, SizeT size);

  int cccd_evidence_file(Pointer evidence, String name, PointerByReference data, SizeTByReference size);

  int cccd_evidence_set_active_authentication(
      Pointer evidence, byte[] challenge, SizeT challengeLength, byte[] signature, SizeT signatureLength);

  int cccd_evidence_set_access(Pointer evidence, String protocol, String note);

  int cccd_evidence_set_chip_authentication(Pointer evidence, String protocol, String result, String note);

  int cccd_evidence_set_pace_cam(Pointer evidence, byte[] chipAuthenticationData, SizeT dataLength,
      byte[] mappingPublicKey, SizeT keyLength);

  int cccd_evidence_add_denied(Pointer evidence, String name);

  int cccd_evidence_add_absent(Pointer evidence, String name);

  int cccd_evidence_document(Pointer evidence, PointerByReference document, SizeTByReference size);

  int cccd_evidence_write_folder(Pointer evidence, String folder);

  int cccd_verify_options_new(PointerByReference out);

  void cccd_verify_options_free(Pointer options);

  int cccd_verify_options_set_challenge(Pointer options, byte[] challenge, SizeT length);

  int cccd_verify_options_set_time(Pointer options, long unixTime);

  int cccd_verify_evidence(Pointer evidence, Pointer trust, Pointer options, PointerByReference out);
}
