/*
 * Parity oracle for src/search/analysis: runs Lucene 8.7's own analyzers.
 *
 *   javac -cp lucene-core-8.7.0.jar:lucene-analyzers-common-8.7.0.jar -d OUT LuceneAnalyze.java
 *   java  -cp OUT:<same jars> LuceneAnalyze english|standard [--types]  < lines
 *   java  -cp OUT:<same jars> LuceneAnalyze tables
 *
 * Analyzer mode: for every stdin line (UTF-8) prints one line with the tokens separated by a space, each
 * as term/start/end/posInc (with --types: term/start/end/posInc/type).
 * "tables" mode prints the packed JFlex tables of StandardTokenizerImpl (the DFA that
 * src/search/analysis/standard-tokenizer.ts embeds), read by reflection from the jar on the classpath.
 */
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.tokenattributes.TypeAttribute;

public class LuceneAnalyze {
  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "standard";
    if (mode.equals("tables")) {
      dumpTables();
      return;
    }
    boolean types = args.length > 1 && args[1].equals("--types");
    Analyzer analyzer;
    if (mode.equals("english")) analyzer = new EnglishAnalyzer();
    else if (mode.equals("standard")) analyzer = new StandardAnalyzer();
    else throw new IllegalArgumentException("analyzer must be english|standard|tables");

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    StringBuilder sb = new StringBuilder();
    String line;
    while ((line = in.readLine()) != null) {
      sb.setLength(0);
      try (TokenStream ts = analyzer.tokenStream("f", new StringReader(line))) {
        CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
        OffsetAttribute off = ts.addAttribute(OffsetAttribute.class);
        PositionIncrementAttribute pos = ts.addAttribute(PositionIncrementAttribute.class);
        TypeAttribute type = ts.addAttribute(TypeAttribute.class);
        ts.reset();
        boolean first = true;
        while (ts.incrementToken()) {
          if (!first) sb.append(' ');
          first = false;
          sb.append(term).append('/').append(off.startOffset()).append('/').append(off.endOffset())
              .append('/').append(pos.getPositionIncrement());
          if (types) sb.append('/').append(type.type());
        }
        ts.end();
      }
      out.write(sb.toString());
      out.write('\n');
    }
    out.flush();
  }

  private static void dumpTables() throws Exception {
    Class<?> c = Class.forName("org.apache.lucene.analysis.standard.StandardTokenizerImpl");
    String[] names = {
      "ZZ_CMAP_PACKED", "ZZ_ACTION_PACKED_0", "ZZ_ROWMAP_PACKED_0", "ZZ_TRANS_PACKED_0", "ZZ_ATTRIBUTE_PACKED_0"
    };
    for (String name : names) {
      Field f = c.getDeclaredField(name);
      f.setAccessible(true);
      String s = (String) f.get(null);
      StringBuilder sb = new StringBuilder(name).append(' ');
      for (int i = 0; i < s.length(); i++) {
        if (i > 0) sb.append(',');
        sb.append((int) s.charAt(i));
      }
      System.out.println(sb);
    }
  }
}
