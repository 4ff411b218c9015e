package vn.cccd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.TerminalFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The virtual card through the real PC/SC stack (pcscd + vsmartcard-vpcd + cccd-sim serve), read by the
 * library over a transport written in Java on javax.smartcardio. Run by bindings/java/pcsc_test.sh,
 * which starts pcscd and the card.
 */
@Tag("pcsc")
class SmartcardioReadTest {
  private static CardTerminal terminal() throws Exception {
    String wanted = System.getProperty("cccd.test.reader", "Virtual PCD");
    List<CardTerminal> terminals = TerminalFactory.getDefault().terminals().list();
    for (CardTerminal terminal : terminals) {
      if (terminal.getName().contains(wanted))
        return terminal;
    }
    throw new IllegalStateException("no PC/SC reader named like \"" + wanted + "\" among " + terminals);
  }

  private static Result read(SmartcardioLink link, ReadOptions options) throws Exception {
    try (Transport transport = Transport.of(link);
         Credentials credentials = Credentials.fromCan(Fixtures.CAN);
         Trust trust = new Trust().addData(Fixtures.csca())) {
      return Cccd.read(transport, credentials, trust, options.waitForCard(20000));
    }
  }

  @ParameterizedTest(name = "extended length: {0}")
  @ValueSource(booleans = {false, true})
  void aLiveReadIsVerified(boolean extended) throws Exception {
    try (SmartcardioLink link = new SmartcardioLink(terminal(), extended);
         ReadOptions options = new ReadOptions(); Result result = read(link, options)) {
      String json = result.json();
      assertTrue(result.verified(), json);
      assertTrue(json.contains("\"source\": \"custom\""), json);
      assertEquals("passed", Fixtures.finding(json, "chip_authenticity"));
      assertTrue(
          json.contains("\"apdus\": " + link.apdus), "the library counted every APDU the link carried");
      assertTrue(result.photo().orElseThrow().length > 1000);
    }
  }

  @Test
  void aReadWithTheServersChallengeVerifiesOnTheServerAndAReplayDoesNot(@TempDir Path work) throws Exception {
    // The phone's side: read with the challenge the server sent, upload the evidence document (the
    // folder is written too, to compare with the server's check of a folder).
    Path upload = work.resolve("upload");
    byte[] document;
    try (SmartcardioLink link = new SmartcardioLink(terminal(), false);
         ReadOptions options = new ReadOptions().challenge(Fixtures.SERVER_CHALLENGE);
         Result read = read(link, options); Evidence evidence = Evidence.fromResult(read)) {
      assertTrue(read.verified(), read.json());
      read.writeDump(upload.toString());
      document = evidence.document();
    }
    // The server's side, from memory: verified with its challenge, the JSON of the folder's check.
    try (Trust trust = new Trust().addData(Fixtures.csca())) {
      try (Result fromMemory = Cccd.verifyEvidence(document, trust, Fixtures.SERVER_CHALLENGE);
           Result fromFolder = Cccd.verifyDump(upload.toString(), trust, Fixtures.SERVER_CHALLENGE)) {
        assertTrue(fromMemory.verified(), fromMemory.json());
        assertEquals(Fixtures.withoutTiming(fromFolder.json()), Fixtures.withoutTiming(fromMemory.json()));
      }
      try (Result replayed = Cccd.verifyEvidence(document, trust, Fixtures.OTHER_CHALLENGE)) {
        assertFalse(replayed.verified());
        assertEquals("failed", Fixtures.finding(replayed.json(), "chip_authenticity"));
      }
    }
  }

  @Test
  void aWrongCanIsAccessDenied() throws Exception {
    try (SmartcardioLink link = new SmartcardioLink(terminal(), false);
         Transport transport = Transport.of(link); Credentials credentials = Credentials.fromCan("012399");
         ReadOptions options = new ReadOptions().waitForCard(20000)) {
      CccdException e = org.junit.jupiter.api.Assertions.assertThrows(
          CccdException.class, () -> Cccd.read(transport, credentials, null, options));
      assertEquals(Status.ACCESS_DENIED, e.status());
    }
  }
}
