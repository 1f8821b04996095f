/**
 * Output helpers shared by tasks and scripts: readable tables for people, `--json` for machines.
 */

/** JSON.stringify that writes bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(cell).join(", ");
  if (typeof v === "object") return toJson(v);
  return String(v);
}

/** Renders rows as a box-drawn table; columns default to the keys of the first row. */
export function formatTable(rows: Record<string, unknown>[], columns?: string[], title?: string): string {
  const cols = columns ?? (rows.length > 0 ? Object.keys(rows[0]) : []);
  const body = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...body.map((b) => b[i].length)));
  const line = (l: string, m: string, r: string) => l + widths.map((w) => "─".repeat(w + 2)).join(m) + r;
  const row = (cells: string[]) =>
    "│" + cells.map((c, i) => ` ${/^-?[\d.,]+%?$/.test(c) ? c.padStart(widths[i]) : c.padEnd(widths[i])} `).join("│") + "│";
  const out: string[] = [];
  if (title) out.push(title);
  out.push(line("┌", "┬", "┐"), row(cols), line("├", "┼", "┤"));
  if (body.length === 0) out.push(row(cols.map((_, i) => (i === 0 ? "(none)" : ""))));
  for (const b of body) out.push(row(b));
  out.push(line("└", "┴", "┘"));
  return out.join("\n");
}

export function printTable(rows: Record<string, unknown>[], columns?: string[], title?: string): void {
  console.log(formatTable(rows, columns, title));
}

/** Prints `data` as JSON when `json` is set, else runs the human renderer. */
export function output(json: boolean | undefined, data: unknown, human: () => void): void {
  if (json) console.log(toJson(data));
  else human();
}

/** An error a task reports as one clear line, without a stack trace. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}
