package vn.cccd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A server's offline check of an upload: its own challenge, trust from memory, a replay refused. */
class VerifyTest {
  @Test
  void theServersChallengeVerifies() throws Exception {
    try (Trust trust = new Trust().addData(Fixtures.csca());
         Result result = Cccd.verifyDump(Fixtures.upload().toString(), trust, Fixtures.SERVER_CHALLENGE)) {
      assertTrue(result.verified(), result.json());
      assertTrue(result.json().contains("\"overall\": \"verified\""));
      assertEquals("passed", Fixtures.finding(result.json(), "chip_authenticity"));
      assertTrue(result.json().contains("Active Authentication"));
      byte[] photo = result.photo().orElseThrow();
      assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xD8}, new byte[] {photo[0], photo[1]});
    }
  }

  @Test
  void aReplayedUploadFailsChipAuthenticity() throws Exception {
    try (Trust trust = new Trust().addData(Fixtures.csca());
         Result result = Cccd.verifyDump(Fixtures.upload().toString(), trust, Fixtures.OTHER_CHALLENGE)) {
      assertFalse(result.verified());
      assertEquals("failed", Fixtures.finding(result.json(), "chip_authenticity"));
      assertEquals("passed", Fixtures.finding(result.json(), "data_integrity")); // the data is intact
    }
  }

  @Test
  void theFindingsAreTheVerdictsOwnInItsOrder() throws Exception {
    try (Trust trust = new Trust().addData(Fixtures.csca());
         Result result = Cccd.verifyDump(Fixtures.upload().toString(), trust, Fixtures.OTHER_CHALLENGE)) {
      Map<String, String> findings = result.findings();
      assertEquals(List.of("access", "chip_authenticity", "consistency", "data_integrity", "document_validity",
                       "signer_trust"),
          List.copyOf(findings.keySet()));
      for (Map.Entry<String, String> finding : findings.entrySet())
        assertEquals(Fixtures.finding(result.json(), finding.getKey()), finding.getValue(), finding.getKey());
      assertEquals("failed", findings.get("chip_authenticity"));
    }
  }

  @Test
  void theSameJsonAsCccdVerify() throws Exception {
    String printed = Fixtures.run(List.of(Fixtures.path("cccd.test.verify").toString(), "verify",
        Fixtures.upload().toString(), "--trust", Fixtures.card().resolve("csca.pem").toString(),
        "--challenge", Fixtures.HEX.formatHex(Fixtures.SERVER_CHALLENGE), "--json"));
    try (Trust trust = new Trust().addData(Fixtures.csca());
         Result result = Cccd.verifyDump(Fixtures.upload().toString(), trust, Fixtures.SERVER_CHALLENGE)) {
      assertEquals(Fixtures.withoutTiming(printed.strip()), Fixtures.withoutTiming(result.json().strip()));
    }
  }

  @Test
  void withoutTrustSignerTrustIsUnknown() throws Exception {
    try (Result result = Cccd.verifyDump(Fixtures.upload().toString(), null, Fixtures.SERVER_CHALLENGE)) {
      assertFalse(result.verified());
      assertEquals("unknown", Fixtures.finding(result.json(), "signer_trust"));
    }
  }
}
