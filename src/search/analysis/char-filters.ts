/** Char filter types: html_strip, mapping and pattern_replace, all with offset correction (offset-map.ts). */
import type { CharFilterFactory } from "./components.ts";
import { componentTypes } from "./components.ts";
import { htmlStripCharFilter } from "./html-strip.ts";
import { javaRegex } from "./java-regex.ts";
import { MappedBuilder, type MappedCharFilter } from "./offset-map.ts";
import { settingsError } from "./settings-validation.ts";

/** ES mapping rule escapes: \\ \" \' \n \t \r \b \f \uXXXX. */
function parseMappingString(s: string, key: string, rule: string): string {
  const fail = (message: string) => settingsError(key, `invalid mapping rule [${rule}]: ${message}`);
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n === undefined) throw fail("dangling backslash");
    if (n === "u") {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw fail("bad \\u escape");
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
      continue;
    }
    out += ({ n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" } as Record<string, string>)[n] ?? n;
  }
  return out;
}

/** Lucene's MappingCharFilter: the longest matching rule source at each offset is replaced. */
function mappingCharFilter(rules: string[], key: string): MappedCharFilter {
  const map = new Map<string, string>();
  let maxLen = 0;
  for (const rule of rules) {
    const m = /^(.*)\s*=>\s*(.*)\s*$/su.exec(rule);
    if (!m) throw settingsError(key, `invalid mapping rule [${rule}]; expected "from => to"`);
    const from = parseMappingString((m[1] ?? "").trim(), key, rule);
    const to = parseMappingString((m[2] ?? "").trim(), key, rule);
    if (from.length === 0)
      throw settingsError(key, `invalid mapping rule [${rule}]: cannot map the empty string`);
    map.set(from, to);
    maxLen = Math.max(maxLen, from.length);
  }
  return (src) => {
    const b = new MappedBuilder(src);
    let i = 0;
    while (i < src.length) {
      let found = 0;
      for (let len = Math.min(maxLen, src.length - i); len > 0; len--) {
        if (map.has(src.slice(i, i + len))) {
          found = len;
          break;
        }
      }
      if (!found) {
        i++;
        continue;
      }
      b.replace(i, i + found, map.get(src.slice(i, i + found)) as string);
      i += found;
    }
    return b.build();
  };
}

/** Java replacement syntax: $1, ${name}, \x literal. */
function javaReplacement(template: string, m: RegExpExecArray): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    if (c === "\\" && i + 1 < template.length) {
      out += template[++i];
    } else if (c === "$") {
      if (template[i + 1] === "{") {
        const close = template.indexOf("}", i);
        const name = template.slice(i + 2, close);
        out += m.groups?.[name] ?? "";
        i = close;
      } else {
        // The longest group number that exists ($11 is group 1 then "1" when there are fewer than 11 groups).
        let j = i + 1;
        while (
          j < template.length &&
          /\d/.test(template[j] as string) &&
          Number(template.slice(i + 1, j + 1)) < m.length
        )
          j++;
        out += j > i + 1 ? (m[Number(template.slice(i + 1, j))] ?? "") : "$";
        i = j - 1;
      }
    } else out += c;
  }
  return out;
}

function patternReplaceCharFilter(re: RegExp, replacement: string): MappedCharFilter {
  return (src) => {
    const b = new MappedBuilder(src);
    re.lastIndex = 0;
    for (let m = re.exec(src); m; m = re.exec(src)) {
      const end = m.index + m[0].length;
      b.replace(m.index, end, javaReplacement(replacement, m));
      if (m[0].length === 0) {
        // An empty match: the next search starts one unit further (that unit stays in the output).
        if (re.lastIndex >= src.length) break;
        re.lastIndex = end + 1;
      }
    }
    return b.build();
  };
}

const CHAR_FILTER_TYPES: Record<string, CharFilterFactory> = {
  html_strip: (p) => ({
    apply: htmlStripCharFilter(new Set((p.list("escaped_tags") ?? []).map((t) => t.toLowerCase()))),
    normalizing: false,
  }),
  mapping: (p, env) => {
    const src = p.rules("mappings");
    const key = p.rulesKey(src, "mapping");
    const rules = src.inline ?? env.readWords(key, src.path as string);
    return { apply: mappingCharFilter(rules, key), normalizing: true };
  },
  pattern_replace: (p) => {
    const pattern = p.string("pattern");
    if (pattern === undefined) {
      throw settingsError(`${p.key}.pattern`, `pattern_replace requires a \`pattern\`${p.hint()}`);
    }
    const re = javaRegex(pattern, p.string("flags"), `${p.key}.pattern`);
    return { apply: patternReplaceCharFilter(re, p.string("replacement", "")), normalizing: true };
  },
};

export const CHAR_FILTERS = componentTypes("char_filter", CHAR_FILTER_TYPES, {
  mapping: "mappings or mappings_path",
  pattern_replace: "pattern",
});
