package vn.cccd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the ctest wrapper prepared (bindings/java/run_tests.sh), passed as system properties: the virtual
 * card's folder, a dump of it read with the server's challenge, and the build's cccd-verify.
 */
final class Fixtures {
  static final HexFormat HEX = HexFormat.of();
  static final byte[] SERVER_CHALLENGE = HEX.parseHex("0123456789abcdef");
  static final byte[] OTHER_CHALLENGE = HEX.parseHex("0123456789abcdee");
  static final String CAN = "012345";

  private Fixtures() {}

  static Path path(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isEmpty())
      throw new IllegalStateException("-D" + property + " is not set");
    return Path.of(value);
  }

  static Path card() { return path("cccd.test.card"); }

  static Path upload() { return path("cccd.test.upload"); }

  static byte[] csca() throws IOException { return Files.readAllBytes(card().resolve("csca.pem")); }

  /**
   * The "status" of one finding of the result JSON ("passed", "failed" ...): the first "status" after the
   * finding's name (no member of a finding that precedes it holds one).
   */
  static String finding(String json, String name) {
    int at = json.indexOf("\"" + name + "\": {");
    if (at < 0)
      return "absent";
    java.util.regex.Matcher status =
        java.util.regex.Pattern.compile("\"status\": \"([a-z_]+)\"").matcher(json);
    return status.find(at) ? status.group(1) : "absent";
  }

  /** The result JSON without the fields that measure time (they differ from run to run). */
  static String withoutTiming(String json) {
    return json.replaceAll("\"seconds\": [0-9.eE+-]+", "\"seconds\": 0");
  }

  /** What a program printed on stdout; fails on a non-zero exit outside {@code okExits}. */
  static String run(List<String> command, int... okExits) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroy();
      throw new IllegalStateException(command + " did not end");
    }
    int exit = process.exitValue();
    boolean ok = exit == 0;
    for (int allowed : okExits) ok |= exit == allowed;
    if (!ok)
      throw new IllegalStateException(command + ": exit " + exit);
    return new String(out, StandardCharsets.UTF_8);
  }
}
