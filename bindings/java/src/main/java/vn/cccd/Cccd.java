package vn.cccd;

import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Reference;
import java.util.Objects;

/**
 * libcccd from Java: read and verify the chip of the Vietnamese citizen identity card (CCCD). A thin JNA
 * layer over the C API of the installed libcccd: handles are {@link AutoCloseable}, failures are {@link
 * CccdException}s carrying the status.
 */
public final class Cccd {
  private Cccd() {}

  /** The loaded libcccd's version, "MAJOR.MINOR.PATCH". */
  public static String libraryVersion() { return CccdLibrary.LIB.cccd_version(); }

  /**
   * Reads the card on {@code transport} and verifies it against {@code trust} (null: signer trust
   * unknown), with {@code options} (null: the defaults). A read that fails throws (a wrong CAN: {@link
   * Status#ACCESS_DENIED}); when the link threw, that exception is the cause.
   */
  public static Result read(Transport transport, Credentials credentials, Trust trust, ReadOptions options)
      throws CccdException {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(credentials, "credentials");
    transport.takeCallbackError(); // a previous read's leftovers are not this read's cause
    PointerByReference out = new PointerByReference();
    try {
      int status = CccdLibrary.LIB.cccd_read(transport.pointer(), credentials.pointer(),
          NativeHandle.pointerOf(trust), NativeHandle.pointerOf(options), out);
      Throwable cause = transport.takeCallbackError();
      if (status != Status.OK.value())
        throw NativeHandle.lastError(status, cause);
      return new Result(out.getValue());
    } finally {
      // The handles (and the transport's callbacks) must not be cleaned while the library uses them.
      Reference.reachabilityFence(transport);
      Reference.reachabilityFence(credentials);
      Reference.reachabilityFence(trust);
      Reference.reachabilityFence(options);
    }
  }

  /**
   * Verifies a dump folder offline; chip proofs over a challenge the verifier did not choose do not count.
   */
  public static Result verifyDump(String folder, Trust trust) throws CccdException {
    PointerByReference out = new PointerByReference();
    try {
      NativeHandle.check(CccdLibrary.LIB.cccd_verify_dump(folder, NativeHandle.pointerOf(trust), out));
      return new Result(out.getValue());
    } finally {
      Reference.reachabilityFence(trust);
    }
  }

  /**
   * Verifies a dump folder for a server that chose the Active Authentication challenge (8 bytes): chip
   * authenticity passes only when the dump's signature is over that very challenge, so a replay fails.
   */
  public static Result verifyDump(String folder, Trust trust, byte[] challenge) throws CccdException {
    Objects.requireNonNull(challenge, "challenge");
    PointerByReference out = new PointerByReference();
    try {
      NativeHandle.check(CccdLibrary.LIB.cccd_verify_dump_with_challenge(
          folder, NativeHandle.pointerOf(trust), challenge, new SizeT(challenge.length), out));
      return new Result(out.getValue());
    } finally {
      Reference.reachabilityFence(trust);
    }
  }

  /**
   * Verifies evidence offline (nothing is written anywhere) against {@code trust} with {@code options}
   * (null: no challenge, so no chip proof counts). The result and its JSON are those of {@link
   * #verifyDump} on the same dump.
   */
  public static Result verifyEvidence(Evidence evidence, Trust trust, VerifyOptions options)
      throws CccdException {
    Objects.requireNonNull(evidence, "evidence");
    PointerByReference out = new PointerByReference();
    try {
      NativeHandle.checkNewer("cccd_verify_evidence",
          ()
              -> CccdLibrary.LIB.cccd_verify_evidence(
                  evidence.pointer(), NativeHandle.pointerOf(trust), NativeHandle.pointerOf(options), out));
      return new Result(out.getValue());
    } finally {
      Reference.reachabilityFence(evidence);
      Reference.reachabilityFence(trust);
      Reference.reachabilityFence(options);
    }
  }

  /**
   * Verifies an uploaded evidence document (UTF-8 JSON) for a server that chose the Active Authentication
   * challenge (8 bytes): chip authenticity passes only for the chip's signature over it, so a replay fails.
   */
  public static Result verifyEvidence(byte[] document, Trust trust, byte[] challenge) throws CccdException {
    try (Evidence evidence = Evidence.fromDocument(document);
         VerifyOptions options = new VerifyOptions().challenge(challenge)) {
      return verifyEvidence(evidence, trust, options);
    }
  }

  /** This thread's last failure as the result JSON's error document (cccd_last_error_json). */
  public static String lastErrorJson() {
    return CccdLibrary.LIB.cccd_last_error_json().getString(0, "UTF-8");
  }
}
