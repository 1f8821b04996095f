/**
 * Pledge vector files (test/vectors/pledge/, format in test/vectors/README.md): a case turned into the on-chain
 * input and the expected on-chain output, each expected value rounded in its documented direction.
 */
import { isoToDay } from "../core/dates";
import type { DayCountName } from "../math/daycount";
import { decimalToUnits, type Rounding } from "../math/rational";
import { expectedUnits, need } from "../math/vectors";
import { PLEDGE_LEVELS, PledgeInput, PledgeLevel, PledgeOutput } from "./calc";

export interface PledgeCaseJson {
  name: string;
  note?: string;
  input: {
    cashDecimals: number;
    principal: string;
    interestRate: string;
    dayCount?: DayCountName;
    startDate: string;
    warningLine?: string;
    liquidationLine?: string;
    restoreTarget: string;
    valuationDate: string;
    closePrice: string;
    shares: string;
    pledgedCash?: string;
    repayments?: { date: string; amount: string }[];
    initialPrice: string;
    maxInitialRate?: string;
    topUpAtWarning?: boolean;
    principalFirst?: boolean;
    boardLot?: string;
  };
  /** The outputs, the initial pledge rate and, for a pledge refused at registration, `refused: true` alone with it. */
  expected: Partial<Record<keyof PledgeOutput | "initialRate", string>> & { refused?: boolean };
}

export function parsePledgeInput(j: PledgeCaseJson["input"]): PledgeInput {
  const d = need(j.cashDecimals, "cashDecimals");
  return {
    terms: {
      principal: decimalToUnits(j.principal, d),
      interestRate: decimalToUnits(j.interestRate, 18),
      dayCount: j.dayCount ?? "Act365Fixed",
      startDate: isoToDay(j.startDate),
      warningLine: decimalToUnits(j.warningLine ?? "1.6", 18),
      liquidationLine: decimalToUnits(j.liquidationLine ?? "1.4", 18),
      restoreTarget: decimalToUnits(need(j.restoreTarget, "restoreTarget"), 18),
      cashDecimals: d,
      topUpAtWarning: j.topUpAtWarning ?? false,
      principalFirst: j.principalFirst ?? false,
      boardLot: decimalToUnits(j.boardLot ?? "1", 0),
    },
    valuationDate: isoToDay(j.valuationDate),
    closePrice: decimalToUnits(j.closePrice, 18),
    shares: decimalToUnits(j.shares, 0),
    pledgedCash: decimalToUnits(j.pledgedCash ?? "0", d),
    repayments: (j.repayments ?? []).map((r) => ({ date: isoToDay(r.date), amount: decimalToUnits(r.amount, d) })),
    initialPrice: decimalToUnits(need(j.initialPrice, "initialPrice"), 18),
    maxInitialRate: decimalToUnits(j.maxInitialRate ?? "0.6", 18),
  };
}

/** Rounding of each pledge output (scale and direction) when converting expected values to on-chain units. */
export const PLEDGE_ROUNDING: Record<Exclude<keyof PledgeOutput, "level">, ["cash" | "ratio" | "price" | "quantity", Rounding]> = {
  principalOutstanding: ["cash", "up"],
  interestUnpaid: ["cash", "up"],
  amountPayable: ["cash", "up"],
  shareValue: ["cash", "down"],
  collateralValue: ["cash", "down"],
  ratio: ["ratio", "down"],
  topUpShares: ["quantity", "up"],
  topUpCash: ["cash", "up"],
  topUpRepayment: ["cash", "up"],
  warningPrice: ["price", "down"],
  liquidationPrice: ["price", "down"],
  enforcementCash: ["cash", "down"],
  enforcementShares: ["quantity", "up"],
  enforcementShortfall: ["cash", "up"],
};

export function parsePledgeExpected(c: PledgeCaseJson): PledgeOutput {
  const e = c.expected;
  const level = need(e.level, "expected.level") as PledgeLevel;
  if (!PLEDGE_LEVELS.includes(level)) throw new Error(`${c.name}: unknown level "${level}"`);
  const d = c.input.cashDecimals;
  const out: Record<string, unknown> = { level };
  for (const [key, [scale, direction]] of Object.entries(PLEDGE_ROUNDING)) {
    const v = need(e[key as keyof PledgeOutput], `expected.${key}`);
    out[key] =
      key === "ratio" && v === "max"
        ? (1n << 256n) - 1n
        : expectedUnits(v, { cash: d, ratio: 18, price: 18, quantity: 0 }[scale], direction);
  }
  return out as unknown as PledgeOutput;
}

/** The expected initial pledge rate (WAD, rounded up) and whether registration is refused above the cap. */
export function parsePledgeInitial(c: PledgeCaseJson): { initialRate: bigint; refused: boolean } {
  return {
    initialRate: expectedUnits(need(c.expected.initialRate, "expected.initialRate"), 18, "up"),
    refused: c.expected.refused === true,
  };
}
