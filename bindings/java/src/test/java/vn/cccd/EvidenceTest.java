package vn.cccd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Evidence verified from memory: the document a phone uploads, checked with the server's challenge; a
 * replay refused; a recorded chip proof never taken as proof; bad documents as MALFORMED_DATA.
 */
class EvidenceTest {
  private static byte[] document() throws Exception {
    try (Evidence evidence = Evidence.fromFolder(Fixtures.upload().toString())) {
      return evidence.document();
    }
  }

  @Test
  void theServersChallengeVerifiesFromMemoryWithTheJsonOfCccdVerifyVerifyDir() throws Exception {
    String printed = Fixtures.run(List.of(Fixtures.path("cccd.test.verify").toString(), "verify",
        Fixtures.upload().toString(), "--trust", Fixtures.card().resolve("csca.pem").toString(),
        "--challenge", Fixtures.HEX.formatHex(Fixtures.SERVER_CHALLENGE), "--json"));
    try (Trust trust = new Trust().addData(Fixtures.csca());
         Result result = Cccd.verifyEvidence(document(), trust, Fixtures.SERVER_CHALLENGE)) {
      assertTrue(result.verified(), result.json());
      assertEquals("passed", Fixtures.finding(result.json(), "chip_authenticity"));
      assertEquals(Fixtures.withoutTiming(printed.strip()), Fixtures.withoutTiming(result.json().strip()));
      // The one-line form: the indented one without its line breaks, indentation and the space after
      // each key (no text of this card holds a line break or a quote followed by ": ").
      assertEquals(result.json().replaceAll("\n *", "").replace("\": ", "\":"), result.jsonCompact());
    }
  }

  @Test
  void replayedEvidenceFailsChipAuthenticity() throws Exception {
    try (Trust trust = new Trust().addData(Fixtures.csca());
         Result result = Cccd.verifyEvidence(document(), trust, Fixtures.OTHER_CHALLENGE)) {
      assertFalse(result.verified());
      assertEquals("failed", Fixtures.finding(result.json(), "chip_authenticity"));
      assertEquals("passed", Fixtures.finding(result.json(), "data_integrity"));
    }
  }

  @Test
  void aRecordedChipAuthenticationIsNeverProof() throws Exception {
    try (Evidence evidence = Evidence.fromDocument(document());
         Trust trust = new Trust().addData(Fixtures.csca())) {
      evidence.setChipAuthentication("CA-ECDH-AES-CBC-CMAC-128", "passed", "the app says so");
      for (VerifyOptions options :
          new VerifyOptions[] {null, new VerifyOptions().challenge(Fixtures.OTHER_CHALLENGE)}) {
        try (Result result = Cccd.verifyEvidence(evidence, trust, options)) {
          assertNotEquals("passed", Fixtures.finding(result.json(), "chip_authenticity"));
          assertFalse(result.verified());
        } finally {
          if (options != null)
            options.close();
        }
      }
    }
  }

  @Test
  void aBadDocumentIsMalformedData() throws Exception {
    for (String bad : new String[] {"", "not json", "[]", "{}"}) {
      CccdException e = assertThrows(
          CccdException.class, () -> Evidence.fromDocument(bad.getBytes(StandardCharsets.UTF_8)), bad);
      assertEquals(Status.MALFORMED_DATA, e.status(), e.toString());
    }
  }

  @Test
  void filesInAndOut() throws Exception {
    try (Evidence evidence = Evidence.fromFolder(Fixtures.upload().toString())) {
      assertTrue(evidence.file("DG1").isPresent());
      assertTrue(evidence.file("DG16").isEmpty());
      assertEquals(Status.INVALID_ARGUMENT,
          assertThrows(CccdException.class, () -> evidence.setFile("DG99", new byte[] {1})).status());
    }
  }
}
