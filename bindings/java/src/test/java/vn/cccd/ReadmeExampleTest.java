package vn.cccd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java example of the README's "Use from Python / Java", compiled and run as it stands there. */
class ReadmeExampleTest {
  private static String javaExample() throws Exception {
    String readme = Files.readString(Fixtures.path("cccd.test.readme"), StandardCharsets.UTF_8);
    int section = readme.indexOf("## Use from Python / Java");
    assertTrue(section >= 0, "the README has no \"Use from Python / Java\" section");
    Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertTrue(block.find(section), "no ```java block in that section");
    return block.group(1);
  }

  @Test
  void theJavaExampleVerifiesAnEvidenceDocumentAndRefusesAReplay(@TempDir Path work) throws Exception {
    String source = javaExample();
    Matcher name = Pattern.compile("public class (\\w+)").matcher(source);
    assertTrue(name.find(), "the example declares no public class");
    Path file = work.resolve(name.group(1) + ".java");
    Files.writeString(file, source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int exit = javac.run(null, null, null, "-d", work.toString(), "-cp",
        System.getProperty("java.class.path"), file.toString());
    assertEquals(0, exit, "the example does not compile");

    try (URLClassLoader loader =
             new URLClassLoader(new URL[] {work.toUri().toURL()}, ReadmeExampleTest.class.getClassLoader())) {
      Class<?> example = loader.loadClass(name.group(1));
      Method check = example.getMethod("check", byte[].class, byte[].class, byte[].class);
      byte[] document;
      try (Evidence evidence = Evidence.fromFolder(Fixtures.upload().toString())) {
        document = evidence.document();
      }
      assertEquals(true, check.invoke(null, document, Fixtures.csca(), Fixtures.SERVER_CHALLENGE));
      assertEquals(false, check.invoke(null, document, Fixtures.csca(), Fixtures.OTHER_CHALLENGE));
    }
  }
}
