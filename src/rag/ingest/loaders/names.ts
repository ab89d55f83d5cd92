/** "getting-started_guide.md" → "getting started guide": a title for a file that has none. */
export function titleFromName(name: string): string {
  const base = name.replace(/\.[^.]+$/, "");
  return base.replace(/[-_]+/g, " ").trim() || name;
}
