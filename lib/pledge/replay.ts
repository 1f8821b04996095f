/**
 * Pledge book replayer: every `PledgeValued`, `PledgeRepaid` and `PledgeEnforced` recomputed with the
 * reference calculator (`lib/pledge/calc.ts`) from the pledge's history: terms from `PledgeRequested`, the
 * restore target in force from `PledgeRegistered`, repayments from `PledgeRepaid` (interest first, or
 * principal first under the terms), pledged shares and cash from registration, top-ups and releases, the
 * security's board lot from `PledgeBoardLotSet`. Registration's initial pledge rate is recomputed from the
 * initial price it publishes.
 */
import { Contract } from "ethers";
import { DAY_COUNT_CONVENTIONS } from "../math/daycount";
import {
  DEFAULT_LIQUIDATION_LINE,
  DEFAULT_WARNING_LINE,
  PLEDGE_LEVELS,
  initialPledgeRate,
  pledgeDebt,
  valuationOutput,
  valuePledge,
  type PledgeTerms,
  type Repayment,
} from "./calc";
import type { SuiteEvent } from "../core/events";
import type { Expected, Replayer } from "../audit/replay";

interface History {
  terms: Omit<PledgeTerms, "cashDecimals">;
  security: string;
  cashToken: string;
  shares: bigint;
  cash: bigint;
  repayments: Repayment[];
}

export const pledgeReplayer: Replayer = {
  name: "pledge",
  contract: "PledgeBook",
  checks: ["PledgeValued", "PledgeRepaid", "PledgeEnforced", "PledgeRegistered"],
  observes: ["PledgeRequested", "PledgeRegistered", "PledgeToppedUp", "PledgeReleased", "PledgeBoardLotSet"],
  start(ctx) {
    const pledges = new Map<bigint, History>();
    const decimals = new Map<string, Promise<number>>();
    const cashDecimals = (token: string) => {
      if (!decimals.has(token)) {
        const c = new Contract(token, ["function decimals() view returns (uint8)"], ctx.provider);
        decimals.set(token, c.decimals().then(Number));
      }
      return decimals.get(token)!;
    };
    const history = (ev: SuiteEvent): History => {
      const h = pledges.get(ev.parsed.args.id as bigint);
      if (!h) throw new Error(`pledge ${ev.parsed.args.id} has no PledgeRequested event before block ${ev.blockNumber}`);
      return h;
    };
    const lots = new Map<string, bigint>();
    const terms = async (h: History): Promise<PledgeTerms> => ({
      ...h.terms,
      boardLot: lots.get(h.security.toLowerCase()) ?? 1n,
      cashDecimals: await cashDecimals(h.cashToken),
    });
    return {
      observe(ev) {
        const a = ev.parsed.args;
        if (ev.event === "PledgeBoardLotSet") {
          lots.set((a.security as string).toLowerCase(), a.boardLot as bigint);
          return;
        }
        // A pledge requested before the suite's first block read has no history: its checks report that.
        if (ev.event !== "PledgeRequested" && !pledges.has(a.id as bigint)) return;
        switch (ev.event) {
          case "PledgeRequested": {
            const t = a.terms;
            pledges.set(a.id as bigint, {
              terms: {
                principal: t.principal,
                interestRate: t.interestRate,
                dayCount: DAY_COUNT_CONVENTIONS[Number(t.dayCount)],
                startDate: Number(t.startDate),
                warningLine: t.warningLine === 0n ? DEFAULT_WARNING_LINE : t.warningLine,
                liquidationLine: t.liquidationLine === 0n ? DEFAULT_LIQUIDATION_LINE : t.liquidationLine,
                restoreTarget: t.restoreTarget,
                topUpAtWarning: t.topUpAtWarning,
                principalFirst: t.principalFirst,
              },
              security: t.security,
              cashToken: t.cashToken,
              shares: 0n,
              cash: 0n,
              repayments: [],
            });
            break;
          }
          case "PledgeRegistered": {
            const h = history(ev);
            h.terms.restoreTarget = a.restoreTarget;
            h.shares = a.shares;
            break;
          }
          case "PledgeToppedUp":
          case "PledgeReleased": {
            const h = history(ev);
            h.shares = a.sharesAfter;
            h.cash = a.cashAfter;
            break;
          }
          case "PledgeRepaid":
            history(ev).repayments.push({ date: Number(a.date), amount: a.amount });
            break;
          case "PledgeEnforced": {
            const h = history(ev);
            h.shares = 0n;
            h.cash = 0n;
            break;
          }
        }
      },
      async replay(ev): Promise<Expected> {
        const a = ev.parsed.args;
        const h = history(ev);
        const t = await terms(h);
        const date = Number(a.date);
        if (ev.event === "PledgeRegistered") {
          // The shares and initial price the event publishes, the principal of the requested terms.
          return { initialRate: initialPledgeRate(t.principal, a.shares, a.initialPrice, t.cashDecimals).rate };
        }
        if (ev.event === "PledgeRepaid") {
          const before = pledgeDebt(t, h.repayments, date);
          const amount = a.amount as bigint;
          const toInterest =
            t.principalFirst === true
              ? amount - (amount < before.principal ? amount : before.principal)
              : amount < before.interest
                ? amount
                : before.interest;
          return {
            toInterest,
            toPrincipal: a.amount - toInterest,
            principalAfter: before.principal - (a.amount - toInterest),
            interestAfter: before.interest - toInterest,
          };
        }
        const { output: o } = valuePledge({
          terms: t,
          valuationDate: date,
          closePrice: a.closePrice,
          shares: h.shares,
          pledgedCash: h.cash,
          repayments: h.repayments,
        });
        if (ev.event === "PledgeEnforced") {
          return {
            amountPayable: o.amountPayable,
            cashTransferred: o.enforcementCash,
            sharesTransferred: o.enforcementShares,
            shortfall: o.enforcementShortfall,
            sharesReleased: h.shares - o.enforcementShares,
            cashReleased: h.cash - o.enforcementCash,
          };
        }
        const expected: Expected = { shares: h.shares, pledgedCash: h.cash };
        // A valuation publishes the outputs but the enforcement amounts (checked on PledgeEnforced).
        for (const [k, v] of Object.entries(valuationOutput(o)))
          expected[`out.${k}`] = k === "level" ? PLEDGE_LEVELS.indexOf(v as (typeof PLEDGE_LEVELS)[number]) : (v as bigint);
        return expected;
      },
    };
  },
};
