/**
 * An SVG chart of a repo deal's LTV against its corridor, from the recalculation history: the LTV line, the
 * corridor band between the lower and upper triggers, the initial LTV, margin calls marked (borrower calls
 * in red, lender returns in green) and skipped dates (holidays, missing prices) as grey ticks.
 * Self-contained SVG: any browser opens it.
 */
import type { HistoryRow } from "./repo";
import { isoToDay } from "./dates";

export interface ChartOptions {
  title: string;
  /** Initial LTV as a fraction (0.8 = 80 %). */
  initialLtv: number;
  width?: number;
  height?: number;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function ltvChartSvg(rows: HistoryRow[], opts: ChartOptions): string {
  const W = opts.width ?? 900;
  const H = opts.height ?? 420;
  const m = { left: 64, right: 24, top: 48, bottom: 56 };
  const revalued = rows.filter((r) => r.event === "revalued" && r.ltv !== undefined);
  const skipped = rows.filter((r) => r.event === "skipped");
  const lower = Number(revalued[0]?.lowerTrigger ?? opts.initialLtv * 0.9);
  const upper = Number(revalued[0]?.upperTrigger ?? opts.initialLtv * 1.1);
  const ltvs = revalued.map((r) => Number(r.ltv));
  const days = [...revalued, ...skipped].map((r) => isoToDay(r.date));
  const d0 = days.length ? Math.min(...days) : 0;
  const d1 = days.length ? Math.max(...days) : 1;
  const yMin = Math.min(lower, opts.initialLtv, ...ltvs) * 0.97;
  const yMax = Math.max(upper, opts.initialLtv, ...ltvs) * 1.03;
  const x = (day: number) => m.left + ((day - d0) / Math.max(1, d1 - d0)) * (W - m.left - m.right);
  const y = (v: number) => m.top + (1 - (v - yMin) / (yMax - yMin)) * (H - m.top - m.bottom);
  const pctText = (v: number) => `${(v * 100).toFixed(1)}%`;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`);
  // Corridor band and lines.
  out.push(
    `<rect class="corridor" x="${m.left}" y="${y(upper)}" width="${W - m.left - m.right}" height="${y(lower) - y(upper)}" fill="#e8f1fb"/>`,
  );
  for (const [v, label, dash] of [
    [upper, "upper trigger", ""],
    [lower, "lower trigger", ""],
    [opts.initialLtv, "initial LTV", "6 4"],
  ] as const) {
    out.push(
      `<line class="level" x1="${m.left}" x2="${W - m.right}" y1="${y(v)}" y2="${y(v)}" stroke="#4a7fb5" stroke-dasharray="${dash}"/>`,
    );
    out.push(`<text x="${W - m.right - 4}" y="${y(v) - 4}" text-anchor="end" fill="#4a7fb5">${label} ${pctText(v)}</text>`);
  }
  // Axes.
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" stroke="#333"/>`);
  out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="#333"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = yMin + ((yMax - yMin) * i) / 4;
    out.push(`<text x="${m.left - 6}" y="${y(v) + 4}" text-anchor="end">${pctText(v)}</text>`);
  }
  const dateLabels = [...new Set([...revalued, ...skipped].map((r) => r.date))].sort();
  const step = Math.max(1, Math.ceil(dateLabels.length / 8));
  dateLabels.forEach((d, i) => {
    if (i % step === 0 || i === dateLabels.length - 1) {
      // The first and last labels align inwards so they stay inside the picture.
      const anchor = i === 0 ? "start" : i === dateLabels.length - 1 ? "end" : "middle";
      out.push(`<text x="${x(isoToDay(d))}" y="${H - m.bottom + 18}" text-anchor="${anchor}">${d}</text>`);
    }
  });
  // Skipped dates.
  for (const r of skipped) {
    const px = x(isoToDay(r.date));
    out.push(
      `<line class="skip" x1="${px}" x2="${px}" y1="${H - m.bottom}" y2="${H - m.bottom - 10}" stroke="#999"><title>${esc(`${r.date}: skipped (${r.note ?? ""})`)}</title></line>`,
    );
  }
  // LTV line.
  if (revalued.length > 0) {
    const pts = revalued.map((r) => `${x(isoToDay(r.date)).toFixed(1)},${y(Number(r.ltv)).toFixed(1)}`).join(" ");
    out.push(`<polyline class="ltv" points="${pts}" fill="none" stroke="#1b3a5c" stroke-width="2"/>`);
  }
  for (const r of revalued) {
    const px = x(isoToDay(r.date));
    const py = y(Number(r.ltv));
    const tip = `${r.date}: LTV ${pctText(Number(r.ltv))}${r.action && r.action !== "None" ? `, ${r.action} ${r.callCash ?? ""} / ${r.callQuantity ?? ""} units` : ""}`;
    if (r.action === "BorrowerCall" || r.action === "LenderReturn") {
      const colour = r.action === "BorrowerCall" ? "#c0392b" : "#27ae60";
      out.push(
        `<path class="call ${r.action}" d="M ${px} ${py - 9} L ${px - 7} ${py + 5} L ${px + 7} ${py + 5} Z" fill="${colour}"><title>${esc(tip)}</title></path>`,
      );
    } else {
      out.push(`<circle class="point" cx="${px}" cy="${py}" r="3" fill="#1b3a5c"><title>${esc(tip)}</title></circle>`);
    }
  }
  // Legend.
  out.push(`<g transform="translate(${m.left + 8},${m.top - 14})">`);
  out.push(`<line x1="0" x2="18" y1="0" y2="0" stroke="#1b3a5c" stroke-width="2"/><text x="24" y="4">LTV</text>`);
  out.push(`<path d="M 80 -6 L 74 5 L 86 5 Z" fill="#c0392b"/><text x="92" y="4">margin call on the borrower</text>`);
  out.push(`<path d="M 280 -6 L 274 5 L 286 5 Z" fill="#27ae60"/><text x="292" y="4">collateral returned by the lender</text>`);
  out.push(`<line x1="500" x2="500" y1="-6" y2="4" stroke="#999"/><text x="508" y="4">skipped date</text>`);
  out.push(`</g>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
