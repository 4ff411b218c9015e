package vn.cccd;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a read acquired, in memory: the files by name ("EF.COM", "EF.SOD", "DG1" ... "DG16"), the
 * Active Authentication challenge and signature, how the chip was opened. A server builds it from the
 * document a phone uploaded ({@link #fromDocument}) and verifies it with {@link Cccd#verifyEvidence}
 * without writing anything to disk. Evidence is data, never proof: offline only Active Authentication
 * over the verifier's own challenge proves the chip.
 */
public final class Evidence extends NativeHandle {
  private Evidence(Pointer pointer) { super(pointer, CccdLibrary.LIB::cccd_evidence_free); }

  private interface Maker {
    int make(PointerByReference out);
  }

  private static Evidence make(String what, Maker maker) throws CccdException {
    PointerByReference out = new PointerByReference();
    checkNewer(what, () -> maker.make(out));
    return new Evidence(out.getValue());
  }

  /** Empty evidence, to be filled with the setters. */
  public static Evidence create() throws CccdException {
    return make("in-memory evidence", CccdLibrary.LIB::cccd_evidence_new);
  }

  /** An evidence document (UTF-8 JSON) as a phone uploads it. */
  public static Evidence fromDocument(byte[] document) throws CccdException {
    Objects.requireNonNull(document, "document");
    return make("evidence documents",
        out -> CccdLibrary.LIB.cccd_evidence_from_document(document, new SizeT(document.length), out));
  }

  /** A dump folder. */
  public static Evidence fromFolder(String folder) throws CccdException {
    return make("in-memory evidence", out -> CccdLibrary.LIB.cccd_evidence_from_folder(folder, out));
  }

  /** What a read acquired, e.g. to send it to a server as a document. */
  public static Evidence fromResult(Result result) throws CccdException {
    return make(
        "in-memory evidence", out -> CccdLibrary.LIB.cccd_evidence_from_result(result.pointer(), out));
  }

  /** One elementary file's raw bytes by its name; an empty array removes it. */
  public Evidence setFile(String name, byte[] data) throws CccdException {
    check(CccdLibrary.LIB.cccd_evidence_set_file(pointer(), name, data, new SizeT(data.length)));
    return this;
  }

  /** The file of that name; empty when the evidence holds none. */
  public Optional<byte[]> file(String name) throws CccdException {
    PointerByReference data = new PointerByReference();
    CccdLibrary.SizeTByReference size = new CccdLibrary.SizeTByReference();
    int status = CccdLibrary.LIB.cccd_evidence_file(pointer(), name, data, size);
    if (status == Status.FILE_NOT_FOUND.value())
      return Optional.empty();
    check(status);
    return Optional.of(data.getValue().getByteArray(0, Math.toIntExact(size.value())));
  }

  public Evidence setActiveAuthentication(byte[] challenge, byte[] signature) throws CccdException {
    check(CccdLibrary.LIB.cccd_evidence_set_active_authentication(
        pointer(), challenge, new SizeT(challenge.length), signature, new SizeT(signature.length)));
    return this;
  }

  /** "BAC", "PACE-GM", "PACE-IM" or "PACE-CAM", and why when not the protocol offered first (or null). */
  public Evidence setAccess(String protocol, String note) throws CccdException {
    check(CccdLibrary.LIB.cccd_evidence_set_access(pointer(), protocol, note));
    return this;
  }

  /** The app's record of Chip Authentication: checked for consistency, never counted as proof. */
  public Evidence setChipAuthentication(String protocol, String result, String note) throws CccdException {
    check(CccdLibrary.LIB.cccd_evidence_set_chip_authentication(pointer(), protocol, result, note));
    return this;
  }

  /** The app's record of PACE-CAM (CA_IC and PK_Map,IC): never counted as proof. */
  public Evidence setPaceCam(byte[] chipAuthenticationData, byte[] mappingPublicKey) throws CccdException {
    check(CccdLibrary.LIB.cccd_evidence_set_pace_cam(pointer(), chipAuthenticationData,
        new SizeT(chipAuthenticationData.length), mappingPublicKey, new SizeT(mappingPublicKey.length)));
    return this;
  }

  public Evidence addDenied(String name) throws CccdException {
    check(CccdLibrary.LIB.cccd_evidence_add_denied(pointer(), name));
    return this;
  }

  public Evidence addAbsent(String name) throws CccdException {
    check(CccdLibrary.LIB.cccd_evidence_add_absent(pointer(), name));
    return this;
  }

  /** The evidence as one document: UTF-8 JSON. */
  public byte[] document() throws CccdException {
    PointerByReference data = new PointerByReference();
    CccdLibrary.SizeTByReference size = new CccdLibrary.SizeTByReference();
    check(CccdLibrary.LIB.cccd_evidence_document(pointer(), data, size));
    return data.getValue().getByteArray(0, Math.toIntExact(size.value()));
  }

  /** {@link #document()} as a String. */
  public String documentText() throws CccdException { return new String(document(), StandardCharsets.UTF_8); }

  /** The evidence as a new dump folder (an existing folder is refused). */
  public void writeFolder(String folder) throws CccdException {
    check(CccdLibrary.LIB.cccd_evidence_write_folder(pointer(), folder));
  }
}
