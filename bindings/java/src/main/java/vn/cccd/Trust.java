package vn.cccd;

/**
 * A trust store: the CSCA certificates (and CRLs, master lists) a document signer must chain to. Empty,
 * signer trust is "unknown" and nothing verifies. Build it on one thread; then any number of threads may
 * verify with it at once.
 */
public final class Trust extends NativeHandle {
  public Trust() throws CccdException {
    super(create(CccdLibrary.LIB::cccd_trust_new), CccdLibrary.LIB::cccd_trust_free);
  }

  /** One or more CSCA certificates or CRLs from memory: PEM or DER bytes, as a file holds them. */
  public Trust addData(byte[] data) throws CccdException {
    check(CccdLibrary.LIB.cccd_trust_add_data(pointer(), data, new SizeT(data.length)));
    return this;
  }

  /** A PEM/DER certificate or CRL file, or a folder of them. */
  public Trust addPath(String path) throws CccdException {
    check(CccdLibrary.LIB.cccd_trust_add_path(pointer(), path));
    return this;
  }

  /** A CRL file (DER, or PEM with one or more CRLs). */
  public Trust addCrl(String path) throws CccdException {
    check(CccdLibrary.LIB.cccd_trust_add_crl(pointer(), path));
    return this;
  }

  /** An ICAO CSCA master list, checked against the root certificate(s) at {@code rootPath} first. */
  public Trust addMasterList(String path, String rootPath) throws CccdException {
    check(CccdLibrary.LIB.cccd_trust_add_master_list(pointer(), path, rootPath));
    return this;
  }

  /** CRLs from memory (DER, or PEM with one or more CRLs). */
  public Trust addCrlData(byte[] data) throws CccdException {
    checkNewer("CRLs from memory",
        () -> CccdLibrary.LIB.cccd_trust_add_crl_data(pointer(), data, new SizeT(data.length)));
    return this;
  }

  /** An ICAO CSCA master list from memory, checked against the root certificate(s) in {@code roots}. */
  public Trust addMasterListData(byte[] masterList, byte[] roots) throws CccdException {
    checkNewer("master lists from memory",
        ()
            -> CccdLibrary.LIB.cccd_trust_add_master_list_data(
                pointer(), masterList, new SizeT(masterList.length), roots, new SizeT(roots.length)));
    return this;
  }
}
