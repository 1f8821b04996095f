import { expect } from "chai";
import path from "node:path";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { tokensFixture } from "../token/fixtures";
import { loadVectorFiles } from "../../lib/math";
import {
  RepoCaseJson,
  RepoOutput,
  parseRepoExpected,
  parseRepoInput,
  repoOutputFromContract,
  revalueRepo,
  propose,
  REVALUATION_SKIPS,
} from "../../lib/repo";
import { buildInstrument, issueCash, issueSecurity } from "../../lib/tokens";
import { isinCheckDigit } from "../../lib/core/isin";
import { assetFeedId, calendarToBytes4, currencyToBytes3 } from "../../lib/oracle/ids";
import { toDate } from "../../lib/core/dates";
import type { HolidayCalendar, PriceOracle, RepoBook } from "../../typechain-types";

const files = loadVectorFiles<RepoCaseJson>(path.join(__dirname, "../vectors/repo"));
const XVEC = calendarToBytes4("XVEC");
const WAD = 10n ** 18n;

/** The suite with tokens, the repo book and a calendar without weekends (vector dates may fall on any day). */
async function vectorBookFixture() {
  const f = await tokensFixture();
  const { csd } = f.actors;
  const book = (await ethers.getContractAt("RepoBook", f.contracts.RepoBook, csd)) as unknown as RepoBook;
  const oracle = (await ethers.getContractAt("PriceOracle", f.contracts.PriceOracle, csd)) as unknown as PriceOracle;
  const calendar = (await ethers.getContractAt("HolidayCalendar", f.contracts.HolidayCalendar, csd)) as unknown as HolidayCalendar;
  await (await calendar.configureCalendar(XVEC, 0, "vector calendar, no weekends")).wait();
  return { ...f, book, oracle, calendar };
}

/**
 * Runs a vector case through a real deal: a security with the case's instrument, the case's price and FX rate
 * pushed for the valuation date and the date closed, a deal with the case's terms opened (off chain: no balances are needed), the
 * case's cash margins recorded by the agent, then `revalue`. Returns the emitted output, or "holiday".
 */
async function throughBook(c: RepoCaseJson, index: number): Promise<RepoOutput | "holiday"> {
  const f = await loadFixture(vectorBookFixture);
  const { csd, bankA, bankB } = f.actors;
  const j = c.input;
  const input = parseRepoInput(j);
  const d = j.cashDecimals;
  const dealCurrency = d === 2 ? "RUB" : `X${String.fromCharCode(65 + d)}C`;
  if (d !== 2) await issueCash(f.factory, { name: `cash ${d}`, symbol: `C${d}`, decimals: d, currency: dealCurrency });
  const securityCurrency = input.fxRate === WAD ? dealCurrency : "USD";
  const first11 = `XS${String(index).padStart(9, "0")}`;
  const isin = first11 + isinCheckDigit(first11);
  const s = j.security;
  const instrument =
    s.kind === "Bond"
      ? {
          ...buildInstrument({
            isin,
            kind: "Bond",
            currency: securityCurrency,
            faceValue: s.faceValue,
            couponFrequency: s.frequency,
            issueDate: s.issueDate,
            maturityDate: s.maturityDate,
            dayCount: s.dayCount,
          }),
          couponRate: input.bond.couponRate,
        }
      : buildInstrument({ isin, kind: "Equity", currency: securityCurrency });
  const security = await issueSecurity(f.factory, { name: `vector ${index}`, symbol: `V${index}`, decimals: 0, instrument });

  const date = input.valuationDate;
  const year = toDate(date).year;
  await (await f.calendar.loadHolidays(XVEC, year, input.holiday ? [date] : [])).wait();
  await (await f.calendar.loadHolidays(XVEC, year + 1, [])).wait();
  await (await f.oracle.configureAsset(assetFeedId(isin), currencyToBytes3(securityCurrency), XVEC, WAD, 30)).wait();
  const items = [{ feedId: assetFeedId(isin), date, price: input.cleanPrice }];
  if (securityCurrency !== dealCurrency) {
    await (await f.oracle.configureFxPair(currencyToBytes3(securityCurrency), currencyToBytes3(dealCurrency), XVEC, WAD, 30)).wait();
    items.push({
      feedId: await f.oracle.fxFeedId(currencyToBytes3(securityCurrency), currencyToBytes3(dealCurrency)),
      date,
      price: input.fxRate,
    });
  }
  // Nothing is priced on a holiday: the next day's close covers it. Otherwise the day's prices, then its close.
  if (!input.holiday) await (await f.oracle.pushPrices(items)).wait();
  await (await f.oracle.closeBusinessDate(XVEC, input.holiday ? date + 1 : date)).wait();

  const t = input.terms;
  const { id } = await propose(f.book, {
    borrower: f.ids.bankA,
    lender: f.ids.bankB,
    borrowerAccount: bankA.address,
    lenderAccount: bankB.address,
    security: security.address,
    quantity: input.quantity,
    currency: currencyToBytes3(dealCurrency),
    purchasePrice: t.purchasePrice,
    repoRate: t.repoRate,
    basis: t.basis,
    tradeDate: t.startDate,
    startDate: t.startDate,
    repurchaseDate: date + 30,
    initialLtv: t.initialLtv,
    lowerTrigger: t.lowerTrigger,
    upperTrigger: t.upperTrigger,
    marginDeadlineDays: 2,
    minimumTransfer: t.minimumTransfer,
    cashMarginRate: t.cashMarginRate,
    calendar: XVEC,
    couponDayCount: s.kind === "Bond" ? Number(instrument.dayCount) : 0,
    marginMethod: t.marginRatio !== 0n ? 1 : 0,
    marginRatio: t.marginRatio,
  });
  const { openDeal } = await import("./fixtures");
  await openDeal({ ...f, borrower: bankA, lender: bankB, agent: csd } as never, id, false);
  for (const m of input.cashMargins) {
    await (await f.book.recordMarginTransfer(id, m.byLender ? 1 : 0, false, m.amount, m.postedOn, ethers.ZeroHash)).wait();
  }
  const receipt = (await (await f.book.revalue([id], date)).wait())!;
  for (const log of receipt.logs) {
    const parsed = f.book.interface.parseLog(log);
    if (parsed?.name === "RepoRevalued") return repoOutputFromContract(parsed.args.output);
    if (parsed?.name === "RepoRevaluationSkipped") {
      if (REVALUATION_SKIPS[Number(parsed.args.reason)] === "Holiday") return "holiday";
      throw new Error(`skipped: ${REVALUATION_SKIPS[Number(parsed.args.reason)]}`);
    }
  }
  throw new Error("revalue emitted nothing");
}

describe("RepoBook vectors (test/vectors/repo through real deals)", function () {
  let index = 0;
  for (const file of files) {
    describe(file.file, function () {
      for (const c of file.cases) {
        const n = ++index;
        it(c.name, async function () {
          const expected = parseRepoExpected(c);
          const { output } = revalueRepo(parseRepoInput(c.input));
          // The oracle refuses a zero price or rate: such cases run through the math alone (test/vectors).
          if (parseRepoInput(c.input).cleanPrice === 0n || parseRepoInput(c.input).fxRate === 0n) this.skip();
          const emitted = await throughBook(c, n);
          if (expected.skippedHoliday) {
            expect(emitted).to.equal("holiday");
            expect(output.skippedHoliday).to.equal(true);
            return;
          }
          expect(emitted).to.not.equal("holiday");
          const out = emitted as RepoOutput;
          for (const [key, value] of Object.entries(expected)) {
            expect(out[key as keyof RepoOutput], `book: ${key}`).to.equal(value);
          }
          expect(out, "book equals calculator in every field").to.deep.equal(output);
        });
      }
    });
  }
});
