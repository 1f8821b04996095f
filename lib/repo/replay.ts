/**
 * Repo book replayer: every `RepoRevalued` and `RepoClosed` recomputed with the reference calculator
 * (`lib/repo/calc.ts`) from the deal's history:
 * - terms from `RepoProposed` (or the book's `terms(id)` view when the proposal is not in the history read);
 * - the instrument (bond data: face per token unit, coupon, schedule, day count) from the security token's
 *   `instrument()` and `decimals()`, the cash decimals from the deal currency's cash token;
 * - the cash margins held, with their dates, from `MarginCallSettled` and `MarginTransferRecorded` in cash;
 * - the collateral quantity from `RepoOpened` plus securities margin in and out (checked against the event);
 * - the previous LTV from the deal's previous `RepoRevalued` (checked against the event);
 * - the clean price, FX rate and quantity valued from the event's inputs, whose price and rate dates must lie
 *   on or before the valuation date (the book values a date from the oracle's data as of its close).
 */
import { Contract } from "ethers";
import { DAY_COUNT_CONVENTIONS, type Bond } from "../math/daycount";
import { REPO_ACTIONS, accrueExact, repoCalcTerms, revalueRepo, type CashMargin, type RepoTerms } from "./calc";
import type { SuiteEvent } from "../core/events";
import type { Expected, Replayer, ReplayContext } from "../audit/replay";

/** `ISecurityToken.InstrumentKind.Bond`. */
const BOND_KIND = 2;
/** `RepoStatus` indices of the closing leg. */
const REPURCHASED = 5;
const TERMINATED = 6;
/** `RepoSide.Lender`. */
const LENDER = 1;
/** The book keeps the LTV in state as a uint64, saturated: the next revaluation's `oldLtv` is that value. */
const LTV_STATE_MAX = 2n ** 64n - 1n;
const WAD = 10n ** 18n;

const NO_BOND: Bond = { faceValue: 0n, couponRate: 0n, frequency: 0, issueDate: 0, maturityDate: 0, dayCount: "Thirty360BondBasis" };

const SECURITY_ABI = [
  "function instrument() view returns (tuple(bytes12 isin, uint8 kind, bytes3 currency, uint256 faceValue, uint64 couponRate, uint8 couponFrequency, uint32 issueDate, uint32 maturityDate, uint8 dayCount))",
  "function decimals() view returns (uint8)",
];
const FACTORY_ABI = ["function cashByCurrency(bytes3) view returns (address)"];
const DECIMALS_ABI = ["function decimals() view returns (uint8)"];

/** What the deal's terms say, as read from `RepoProposed` or `terms(id)`. */
interface DealTerms {
  security: string;
  currency: string;
  quantity: bigint;
  purchasePrice: bigint;
  repoRate: bigint;
  basis: number;
  startDate: number;
  repurchaseDate: number;
  initialLtv: bigint;
  lowerTrigger: bigint;
  upperTrigger: bigint;
  minimumTransfer: bigint;
  cashMarginRate: bigint;
  /** Method A margin ratio (0: Method B). */
  marginRatio: bigint;
}

interface Deal {
  terms: DealTerms;
  cashMargins: CashMargin[];
  /** Collateral held per the history (undefined until `RepoOpened` is seen). */
  quantity?: bigint;
  /** LTV in state after the last revaluation (0 before the first). */
  ltv: bigint;
}

/** Market data of a security the calculator needs: bond or not, and the bond in on-chain units. */
interface Instrument {
  isBond: boolean;
  bond: Bond;
  currency: string;
}

function dealTerms(t: Record<string, unknown>): DealTerms {
  return {
    security: t.security as string,
    currency: t.currency as string,
    quantity: BigInt(t.quantity as bigint),
    purchasePrice: BigInt(t.purchasePrice as bigint),
    repoRate: BigInt(t.repoRate as bigint),
    basis: Number(t.basis),
    startDate: Number(t.startDate),
    repurchaseDate: Number(t.repurchaseDate),
    initialLtv: BigInt(t.initialLtv as bigint),
    lowerTrigger: BigInt(t.lowerTrigger as bigint),
    upperTrigger: BigInt(t.upperTrigger as bigint),
    minimumTransfer: BigInt(t.minimumTransfer as bigint),
    cashMarginRate: BigInt(t.cashMarginRate as bigint),
    marginRatio: BigInt((t.marginRatio as bigint | undefined) ?? 0n),
  };
}

/** Cached chain reads: instruments, cash decimals, terms of deals proposed before the history read. */
function chainReader(ctx: ReplayContext) {
  const instruments = new Map<string, Promise<Instrument>>();
  const decimals = new Map<string, Promise<number>>();
  const instrument = (security: string): Promise<Instrument> => {
    const key = security.toLowerCase();
    if (!instruments.has(key)) {
      const token = new Contract(security, SECURITY_ABI, ctx.provider);
      instruments.set(
        key,
        (async () => {
          const i = await token.instrument();
          if (Number(i.kind) !== BOND_KIND) return { isBond: false, bond: NO_BOND, currency: i.currency as string };
          // The book values a bond per token unit: the face of one whole token over 10^decimals.
          const scale = 10n ** BigInt(await token.decimals());
          return {
            isBond: true,
            currency: i.currency as string,
            bond: {
              faceValue: (i.faceValue as bigint) / scale,
              couponRate: i.couponRate as bigint,
              frequency: Number(i.couponFrequency),
              issueDate: Number(i.issueDate),
              maturityDate: Number(i.maturityDate),
              dayCount: DAY_COUNT_CONVENTIONS[Number(i.dayCount)],
            },
          };
        })(),
      );
    }
    return instruments.get(key)!;
  };
  const cashDecimals = (currency: string): Promise<number> => {
    if (!decimals.has(currency)) {
      const factoryAddress = ctx.deployment.contracts.TokenFactory;
      if (!factoryAddress) throw new Error("the deployment has no TokenFactory: the cash decimals are unknown");
      const factory = new Contract(factoryAddress, FACTORY_ABI, ctx.provider);
      decimals.set(
        currency,
        (async () => {
          const token = (await factory.cashByCurrency(currency)) as string;
          return Number(await new Contract(token, DECIMALS_ABI, ctx.provider).decimals());
        })(),
      );
    }
    return decimals.get(currency)!;
  };
  const termsOf = async (book: string, id: bigint): Promise<DealTerms | undefined> => {
    if (!ctx.hre) return undefined;
    const c = await ctx.hre.ethers.getContractAt("RepoBook", book);
    // An id the book does not hold reverts (RepoUnknownDeal): no terms.
    const t = await c.terms(id).catch(() => undefined);
    return t === undefined ? undefined : dealTerms(t as unknown as Record<string, unknown>);
  };
  return { instrument, cashDecimals, termsOf };
}

export const repoReplayer: Replayer = {
  name: "repo",
  contract: "RepoBook",
  checks: ["RepoRevalued", "RepoClosed"],
  observes: ["RepoProposed", "RepoOpened", "MarginCallSettled", "MarginTransferRecorded"],
  start(ctx) {
    const deals = new Map<bigint, Deal>();
    const chain = chainReader(ctx);
    /** The deal of an event; a deal proposed before the history read takes its terms from the book's view. */
    const deal = async (ev: SuiteEvent): Promise<Deal> => {
      const id = ev.parsed.args.dealId as bigint;
      let d = deals.get(id);
      if (!d) {
        const terms = await chain.termsOf(ev.address, id);
        if (!terms) throw new Error(`deal ${id} has no RepoProposed event before block ${ev.blockNumber}`);
        d = { terms, cashMargins: [], ltv: 0n };
        deals.set(id, d);
      }
      return d;
    };
    const calcTerms = async (t: DealTerms): Promise<RepoTerms> => repoCalcTerms(t, await chain.cashDecimals(t.currency));
    return {
      async observe(ev) {
        const a = ev.parsed.args;
        if (ev.event === "RepoProposed") {
          deals.set(a.dealId as bigint, { terms: dealTerms(a.terms), cashMargins: [], ltv: 0n });
          return;
        }
        // A deal whose terms cannot be found has no history: its checks report that.
        const d = await deal(ev).catch(() => undefined);
        if (!d) return;
        switch (ev.event) {
          case "RepoOpened":
            d.quantity = a.quantity as bigint;
            break;
          case "MarginCallSettled":
          case "MarginTransferRecorded": {
            const byLender = Number(a.side) === LENDER;
            const amount = a.amount as bigint;
            if (!a.inSecurities) d.cashMargins.push({ amount, postedOn: Number(a.postedOn), byLender });
            else if (d.quantity !== undefined) d.quantity = byLender ? d.quantity - amount : d.quantity + amount;
            break;
          }
          case "RepoRevalued": {
            const ltv = a.output.ltv as bigint;
            d.ltv = ltv > LTV_STATE_MAX ? LTV_STATE_MAX : ltv;
            break;
          }
          case "RepoClosed":
            d.quantity = 0n;
            break;
        }
      },
      async replay(ev): Promise<Expected> {
        const a = ev.parsed.args;
        const d = await deal(ev);
        const terms = await calcTerms(d.terms);
        if (ev.event === "RepoClosed") return closing(d, terms, a.closing);

        const inputs = a.inputs;
        const date = Number(a.date);
        const ins = await chain.instrument(d.terms.security);
        const { output } = revalueRepo({
          terms,
          isBond: ins.isBond,
          bond: ins.bond,
          valuationDate: date,
          cleanPrice: inputs.cleanPrice,
          fxRate: inputs.fxRate,
          holiday: false,
          quantity: inputs.quantity,
          cashMargins: d.cashMargins,
        });
        const expected: Expected = { "inputs.oldLtv": d.ltv };
        Object.assign(expected, datedByClose(inputs, date));
        if (d.quantity !== undefined) expected["inputs.quantity"] = d.quantity;
        // Without conversion the book values at 1:1 on the valuation date itself.
        if (ins.currency === d.terms.currency) {
          expected["inputs.fxRate"] = WAD;
          expected["inputs.fxDate"] = date;
        }
        for (const [k, v] of Object.entries(output)) {
          expected[`output.${k}`] = k === "action" ? REPO_ACTIONS.indexOf(v as (typeof REPO_ACTIONS)[number]) : (v as bigint | boolean);
        }
        return expected;
      },
    };
  },
};

/**
 * Market data valued for `date` must be dated on or before it (the book reads the oracle's data as of the
 * date's close): a price or rate dated after the date shows as a mismatch naming the input.
 */
function datedByClose(inputs: { priceDate: bigint; fxDate: bigint }, date: number): Expected {
  const expected: Expected = {};
  for (const k of ["priceDate", "fxDate"] as const) {
    const v = inputs[k];
    expected[`inputs.${k}`] = Number(v) <= date ? v : `on or before ${date}`;
  }
  return expected;
}

/**
 * The closing leg at the event's close date: repurchase price (repo interest up), each cash margin with its
 * interest to the close date (up), the net payment and the collateral returned.
 */
function closing(d: Deal, t: RepoTerms, c: { closeDate: bigint }): Expected {
  const closeDate = Number(c.closeDate);
  const dec = t.cashDecimals;
  const repurchasePrice = accrueExact(t.purchasePrice, t.repoRate, t.startDate, closeDate, t.basis, dec).toUnits(dec, "up");
  let borrowerCashMargin = 0n;
  let lenderCashMargin = 0n;
  for (const m of d.cashMargins) {
    const v = accrueExact(m.amount, t.cashMarginRate, m.postedOn, Math.max(closeDate, m.postedOn), t.basis, dec).toUnits(dec, "up");
    if (m.byLender) lenderCashMargin += v;
    else borrowerCashMargin += v;
  }
  const owed = repurchasePrice + lenderCashMargin;
  const expected: Expected = {
    "closing.status": closeDate < d.terms.repurchaseDate ? TERMINATED : REPURCHASED,
    "closing.repurchasePrice": repurchasePrice,
    "closing.borrowerCashMargin": borrowerCashMargin,
    "closing.lenderCashMargin": lenderCashMargin,
    "closing.borrowerPays": owed > borrowerCashMargin ? owed - borrowerCashMargin : 0n,
    "closing.lenderPays": owed > borrowerCashMargin ? 0n : borrowerCashMargin - owed,
  };
  if (d.quantity !== undefined) expected["closing.quantity"] = d.quantity;
  return expected;
}
