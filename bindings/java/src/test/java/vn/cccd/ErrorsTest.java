package vn.cccd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Bad input and failing links: each a CccdException with its status, nothing crashes. */
class ErrorsTest {
  @Test
  void aChallengeOfTheWrongLengthIsAnInvalidArgument() {
    CccdException e = assertThrows(
        CccdException.class, () -> Cccd.verifyDump(Fixtures.upload().toString(), null, new byte[4]));
    assertEquals(Status.INVALID_ARGUMENT, e.status());
    assertEquals("invalid_argument", e.code());
    assertTrue(e.getMessage().contains("challenge"), e.getMessage());
    assertTrue(Cccd.lastErrorJson().contains("\"invalid_argument\""));
  }

  @Test
  void aMissingDumpFails() {
    CccdException e = assertThrows(CccdException.class, () -> Cccd.verifyDump("/nonexistent/dump", null));
    assertTrue(e.status() == Status.IO || e.status() == Status.FILE_NOT_FOUND, e.toString());
  }

  @Test
  void garbageAsACertificateIsMalformedData() throws Exception {
    try (Trust trust = new Trust()) {
      CccdException e =
          assertThrows(CccdException.class, () -> trust.addData("not a certificate".getBytes()));
      assertEquals(Status.MALFORMED_DATA, e.status(), e.toString());
    }
  }

  @Test
  void badCredentialsAreAnInvalidArgument() {
    assertEquals(Status.INVALID_ARGUMENT,
        assertThrows(CccdException.class, () -> Credentials.fromCan("12ab")).status());
    assertEquals(Status.INVALID_ARGUMENT,
        assertThrows(
            CccdException.class, () -> Credentials.fromId("001099012345", "1990-13-45", "2030-05-17"))
            .status());
  }

  @Test
  void aClosedHandleIsRefused() throws Exception {
    Trust trust = new Trust();
    trust.close();
    trust.close(); // twice: nothing happens
    assertTrue(trust.isClosed());
    assertThrows(IllegalStateException.class, () -> trust.addData(Fixtures.csca()));
  }

  @Test
  void aLinkThatThrowsFailsTheReadWithItsCause() throws Exception {
    try (Transport transport =
             Transport.of(command -> { throw new java.io.IOException("the NFC tag was lost"); });
         Credentials credentials = Credentials.fromCan(Fixtures.CAN)) {
      CccdException e =
          assertThrows(CccdException.class, () -> Cccd.read(transport, credentials, null, null));
      assertEquals(Status.TRANSPORT, e.status());
      assertInstanceOf(java.io.IOException.class, e.getCause());
    }
  }

  @Test
  void aLinkThatSaysTheCardLeftIsCardRemoved() throws Exception {
    try (Transport transport =
             Transport.of(command -> { throw new CccdException(Status.CARD_REMOVED, "tag lost"); });
         Credentials credentials = Credentials.fromCan(Fixtures.CAN)) {
      CccdException e =
          assertThrows(CccdException.class, () -> Cccd.read(transport, credentials, null, null));
      assertEquals(Status.CARD_REMOVED, e.status());
    }
  }

  @Test
  void aLinkThatAnswersNonsenseIsATransportFailure() throws Exception {
    for (byte[] answer : new byte[][] {null, new byte[1], new byte[70000]}) {
      try (Transport transport = Transport.of(command -> answer);
           Credentials credentials = Credentials.fromCan(Fixtures.CAN)) {
        CccdException e =
            assertThrows(CccdException.class, () -> Cccd.read(transport, credentials, null, null));
        assertEquals(Status.TRANSPORT, e.status());
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
      }
    }
  }

  @Test
  void cancelFromAnotherThreadEndsAWaitForTheCard() throws Exception {
    CountDownLatch cancelled = new CountDownLatch(1);
    CardLink link = new CardLink() {
      @Override
      public byte[] transmit(byte[] command) {
        return new byte[] {(byte) 0x90, 0};
      }

      @Override
      public void waitForCard(int timeoutMs) throws Exception {
        if (cancelled.await(timeoutMs, TimeUnit.MILLISECONDS))
          throw new CccdException(Status.CANCELLED, "");
        throw new CccdException(Status.TIMEOUT, "no card");
      }

      @Override
      public void cancel() {
        cancelled.countDown();
      }
    };
    try (CancelToken token = new CancelToken(); Transport transport = Transport.of(link);
         Credentials credentials = Credentials.fromCan(Fixtures.CAN);
         ReadOptions options = new ReadOptions().waitForCard(60000).cancel(token)) {
      Thread canceller = new Thread(() -> {
        try {
          Thread.sleep(300);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        token.cancel();
      });
      Instant started = Instant.now();
      canceller.start();
      CccdException e =
          assertThrows(CccdException.class, () -> Cccd.read(transport, credentials, null, options));
      canceller.join();
      assertEquals(Status.CANCELLED, e.status());
      assertTrue(Duration.between(started, Instant.now()).getSeconds() < 30);
      assertTrue(token.isCancelled());
    }
  }
}
