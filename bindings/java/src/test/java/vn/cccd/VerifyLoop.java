package vn.cccd;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The Java binding's side of bindings/bench/bindings_bench.sh: the same loop as capi_verify_loop.c.
 * {@code VerifyLoop dump|evidence DUMP_DIR|DOCUMENT_FILE CSCA_FILE CHALLENGE_HEX ITERATIONS}
 */
public final class VerifyLoop {
  private VerifyLoop() {}

  public static void main(String[] args) throws Exception {
    boolean evidenceMode = args[0].equals("evidence");
    String source = args[1];
    byte[] document = evidenceMode ? Files.readAllBytes(Path.of(source)) : null;
    byte[] challenge = HexFormat.of().parseHex(args[3]);
    int iterations = Integer.parseInt(args[4]);
    // The JIT compiles the wrapper code during a longer warm-up than the C and Python loops need.
    int warmUp = Math.max(iterations / 5, 50);
    // CPU time of this thread, as in C (the JIT and the collector run on threads of their own).
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    boolean verified = true;
    long started = 0;
    try (Trust trust = new Trust().addData(Files.readAllBytes(Path.of(args[2])));
         VerifyOptions options = new VerifyOptions().challenge(challenge)) {
      for (int i = 0; i < warmUp + iterations; ++i) {
        if (i == warmUp) {
          started = threads.getCurrentThreadCpuTime();
        }
        if (evidenceMode) {
          try (Evidence evidence = Evidence.fromDocument(document);
               Result result = Cccd.verifyEvidence(evidence, trust, options)) {
            verified &= result.verified();
          }
        } else {
          try (Result result = Cccd.verifyDump(source, trust, challenge)) {
            verified &= result.verified();
          }
        }
      }
    }
    double seconds = (threads.getCurrentThreadCpuTime() - started) / 1e9;
    System.out.printf("java %.1f us/verification (%s, %d, %s)%n", seconds / iterations * 1e6, args[0],
        iterations, verified ? "verified" : "NOT verified");
    System.exit(verified ? 0 : 1);
  }
}
