/**
 * Generates the sample market data in `data/` (deterministic: same output on every run).
 *   npx ts-node scripts/data/generate-sample-data.ts
 * - data/securities.json: 20 securities (10 bonds, 10 equities) on three exchanges, their FX pairs;
 * - data/calendars.json: XMOS, XLON and XSHG weekends and holidays for 2026 and 2027;
 * - data/prices.csv: 60 business days of clean prices per security (its exchange's calendar), with an
 *   equity drawdown of about 23 % over three weeks (and a milder fall in bonds) then a partial recovery;
 * - data/fx.csv: FX rates of the pairs on their calendar's business days over the same period.
 * Prices and rates fall only on business days of the feed's calendar: the oracle refuses any other date.
 */
import fs from "node:fs";
import path from "node:path";
import { dayToIso, isoToDay, weekday } from "../../lib/core/dates";
import { isinCheckDigit } from "../../lib/core/isin";
import { seededRandom } from "../../lib/core/random";

const OUT = path.resolve(__dirname, "../../data");
/** Last business date of the sample period. */
const END = "2026-11-13";
const DAYS = 60;

const random = seededRandom(20260101);
/** Standard normal (Box–Muller). */
function gauss(): number {
  return Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
}

function isin(prefix: string, body: string): string {
  const first11 = (prefix + body).slice(0, 11);
  return first11 + String(isinCheckDigit(first11));
}

const calendars = {
  XMOS: {
    name: "Moscow Exchange",
    weekend: [6, 7],
    holidays: {
      "2026": ["01-01", "01-02", "01-05", "01-06", "01-07", "01-08", "01-09", "02-23", "03-09", "05-01", "05-11", "06-12", "11-04", "12-31"],
      "2027": ["01-01", "01-04", "01-05", "01-06", "01-07", "01-08", "02-23", "03-08", "05-03", "05-10", "06-14", "11-04", "12-31"],
    },
  },
  XLON: {
    name: "London Stock Exchange",
    weekend: [6, 7],
    holidays: {
      "2026": ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"],
      "2027": ["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"],
    },
  },
  XSHG: {
    name: "Shanghai Stock Exchange",
    weekend: [6, 7],
    holidays: {
      "2026": ["01-01", "01-02", "02-16", "02-17", "02-18", "02-19", "02-20", "02-23", "04-06", "05-01", "05-04", "05-05", "06-19", "09-25", "10-01", "10-02", "10-05", "10-06", "10-07"],
      "2027": ["01-01", "02-08", "02-09", "02-10", "02-11", "02-12", "04-05", "05-03", "05-04", "05-05", "06-09", "09-15", "10-01", "10-04", "10-05", "10-06", "10-07"],
    },
  },
} as const;
type Mic = keyof typeof calendars;

interface Security {
  isin: string;
  name: string;
  kind: "bond" | "equity";
  currency: string;
  calendar: Mic;
  maxDeviation: string;
  maxAgeDays: number;
  bond?: { faceValue: string; couponRate: string; couponsPerYear: number; issueDate: string; maturityDate: string; dayCount: string };
  start: number;
}

const EXCHANGES: { mic: Mic; currency: string; prefix: string; bonds: string[]; equities: string[] }[] = [
  {
    mic: "XMOS",
    currency: "RUB",
    prefix: "RU000A",
    bonds: ["OFZ 26238 (federal loan 2041)", "OFZ 26243 (federal loan 2038)", "Volga Rail 2029 bond", "Ural Power 2028 bond"],
    equities: ["Northern Steel ord.", "Taiga Energy ord.", "Baltic Retail ord.", "Siberian Telecom ord."],
  },
  {
    mic: "XLON",
    currency: "GBP",
    prefix: "GB00B",
    bonds: ["UK Treasury 4.25% 2034", "Thames Water Works 2030 bond", "Albion Housing 2031 bond"],
    equities: ["Lambeth Insurance plc", "Cotswold Foods plc", "Mersey Shipping plc"],
  },
  {
    mic: "XSHG",
    currency: "CNY",
    prefix: "CNE1000",
    bonds: ["China Gov. 2.5% 2033", "Yangtze Power 2030 bond", "Pudong Infra 2029 bond"],
    equities: ["Huangpu Machinery A", "Jiangnan Pharma A", "Lotus Semiconductor A"],
  },
];

function alnum(n: number): string {
  const chars = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  let s = "";
  for (let i = 0; i < n; i++) s += chars[Math.floor(random() * chars.length)];
  return s;
}

function buildSecurities(): Security[] {
  const out: Security[] = [];
  for (const ex of EXCHANGES) {
    ex.bonds.forEach((name, i) => {
      const coupon = (3 + random() * 9).toFixed(2);
      const face = ex.currency === "RUB" ? "1000" : "100";
      out.push({
        isin: isin(ex.prefix, alnum(11 - ex.prefix.length)),
        name,
        kind: "bond",
        currency: ex.currency,
        calendar: ex.mic,
        maxDeviation: "0.05",
        maxAgeDays: 7,
        bond: {
          faceValue: face,
          couponRate: coupon,
          couponsPerYear: ex.currency === "GBP" ? 2 : ex.currency === "RUB" ? 2 : 1,
          issueDate: `202${i % 4}-0${(i % 9) + 1}-15`,
          maturityDate: `20${29 + i * 3}-0${(i % 9) + 1}-15`,
          dayCount: ex.currency === "RUB" ? "Act365Fixed" : ex.currency === "GBP" ? "ActActIcma" : "Thirty360BondBasis",
        },
        start: Number(face) * (0.94 + random() * 0.08),
      });
    });
    ex.equities.forEach((name) => {
      out.push({
        isin: isin(ex.prefix, alnum(11 - ex.prefix.length)),
        name,
        kind: "equity",
        currency: ex.currency,
        calendar: ex.mic,
        maxDeviation: "0.15",
        maxAgeDays: 7,
        start: ex.currency === "RUB" ? 80 + random() * 3000 : ex.currency === "GBP" ? 1 + random() * 40 : 5 + random() * 120,
      });
    });
  }
  return out;
}

function holidaySet(mic: Mic): Set<number> {
  const s = new Set<number>();
  for (const [year, days] of Object.entries(calendars[mic].holidays)) for (const d of days) s.add(isoToDay(`${year}-${d}`));
  return s;
}

/** The last `DAYS` business days of `mic` up to END. */
function businessDays(mic: Mic): number[] {
  const hol = holidaySet(mic);
  const days: number[] = [];
  for (let d = isoToDay(END); days.length < DAYS; d--) {
    if (weekday(d) < 6 && !hol.has(d)) days.unshift(d);
  }
  return days;
}

/** Daily drift of the market move on business day index i (0..59): calm, fall over 16 days, partial recovery. */
function marketDrift(i: number, depth: number): number {
  if (i >= 24 && i < 40) return Math.log(1 - depth) / 16;
  if (i >= 44) return Math.log(1 + depth * 0.4) / 16;
  return 0;
}

function fixed(x: number, decimals: number): string {
  return x.toFixed(decimals);
}

function main(): void {
  fs.mkdirSync(OUT, { recursive: true });
  const securities = buildSecurities();
  const priceLines = ["date,isin,price"];
  const rows: { date: number; line: string }[] = [];
  for (const s of securities) {
    const days = businessDays(s.calendar);
    let p = s.start;
    days.forEach((d, i) => {
      if (i > 0) {
        const vol = s.kind === "equity" ? 0.011 : 0.0012;
        const drift = marketDrift(i, s.kind === "equity" ? 0.23 : 0.03);
        p *= Math.exp(drift + vol * gauss());
      }
      rows.push({ date: d, line: `${dayToIso(d)},${s.isin},${fixed(p, s.kind === "bond" ? 2 : 4)}` });
    });
  }
  rows.sort((a, b) => a.date - b.date || a.line.localeCompare(b.line));
  priceLines.push(...rows.map((r) => r.line));

  const pairs = [
    { base: "CNY", quote: "RUB", calendar: "XMOS" as Mic, start: 11.2, maxDeviation: "0.05", maxAgeDays: 7 },
    { base: "GBP", quote: "RUB", calendar: "XMOS" as Mic, start: 106.5, maxDeviation: "0.05", maxAgeDays: 7 },
    { base: "GBP", quote: "CNY", calendar: "XLON" as Mic, start: 9.52, maxDeviation: "0.05", maxAgeDays: 7 },
  ];
  const fxRows: { date: number; line: string }[] = [];
  for (const pair of pairs) {
    let r = pair.start;
    businessDays(pair.calendar).forEach((d, i) => {
      if (i > 0) r *= Math.exp((pair.quote === "RUB" ? -marketDrift(i, 0.06) : 0) + 0.004 * gauss());
      fxRows.push({ date: d, line: `${dayToIso(d)},${pair.base},${pair.quote},${fixed(r, 6)}` });
    });
  }
  fxRows.sort((a, b) => a.date - b.date || a.line.localeCompare(b.line));

  const calendarsOut: Record<string, { name: string; weekend: number[]; holidays: Record<string, string[]> }> = {};
  for (const [mic, c] of Object.entries(calendars)) {
    calendarsOut[mic] = {
      name: c.name,
      weekend: [...c.weekend],
      holidays: Object.fromEntries(Object.entries(c.holidays).map(([y, days]) => [y, (days as readonly string[]).map((d: string) => `${y}-${d}`)])),
    };
  }

  const securitiesOut = {
    description: "csd-ledger sample securities: clean prices per unit in the security's currency; bonds quoted per bond",
    securities: securities.map(({ start: _start, ...s }) => s),
    fxPairs: pairs.map(({ start: _start, ...p }) => p),
  };
  fs.writeFileSync(path.join(OUT, "securities.json"), JSON.stringify(securitiesOut, null, 2) + "\n");
  fs.writeFileSync(path.join(OUT, "calendars.json"), JSON.stringify(calendarsOut, null, 2) + "\n");
  fs.writeFileSync(path.join(OUT, "prices.csv"), priceLines.join("\n") + "\n");
  fs.writeFileSync(path.join(OUT, "fx.csv"), ["date,base,quote,rate", ...fxRows.map((r) => r.line)].join("\n") + "\n");
  console.log(`written ${securities.length} securities, ${rows.length} prices, ${fxRows.length} FX rates, 3 calendars to data/`);
}

main();
