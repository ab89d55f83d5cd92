/** Elasticsearch's index name rules: what is wrong with a name, in its words, or undefined. */
export function indexNameProblem(name: string): string | undefined {
  if (!name) return "must not be empty";
  if (name !== name.toLowerCase()) return "must be lowercase";
  if (/[\\/*?"<>| ,#:]/.test(name))
    return 'must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?, #, :]';
  if (/^[-_+]/.test(name)) return "must not start with '_', '-', or '+'";
  if (name === "." || name === "..") return "must not be '.' or '..'";
  const bytes = Buffer.byteLength(name);
  if (bytes > 255) return `index name is too long, (${bytes} > 255)`;
  return undefined;
}
