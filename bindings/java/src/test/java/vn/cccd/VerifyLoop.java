package vn.cccd;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The Java binding's side of bindings/bench/bindings_bench.sh: the same loop as capi_verify_loop.c.
 * {@code VerifyLoop DUMP_DIR CSCA_FILE CHALLENGE_HEX ITERATIONS}
 */
public final class VerifyLoop {
  private VerifyLoop() {}

  public static void main(String[] args) throws Exception {
    String dump = args[0];
    byte[] challenge = HexFormat.of().parseHex(args[2]);
    int iterations = Integer.parseInt(args[3]);
    // The JIT compiles the wrapper code during a longer warm-up than the C and Python loops need.
    int warmUp = Math.max(iterations / 5, 50);
    // CPU time of this thread, as in C (the JIT and the collector run on threads of their own).
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    boolean verified = true;
    long started = 0;
    try (Trust trust = new Trust().addData(Files.readAllBytes(Path.of(args[1])))) {
      for (int i = 0; i < warmUp + iterations; ++i) {
        if (i == warmUp) {
          started = threads.getCurrentThreadCpuTime();
        }
        try (Result result = Cccd.verifyDump(dump, trust, challenge)) {
          verified &= result.verified();
        }
      }
    }
    double seconds = (threads.getCurrentThreadCpuTime() - started) / 1e9;
    System.out.printf("java %.1f us/verification (%d, %s)%n", seconds / iterations * 1e6, iterations,
        verified ? "verified" : "NOT verified");
    System.exit(verified ? 0 : 1);
  }
}
