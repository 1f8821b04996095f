import type { BenchSuite } from "../harness";
import type { HolidayCalendar, PriceOracle } from "../../typechain-types";
import { assetFeedId, calendarToBytes4, currencyToBytes3 } from "../../lib/oracle/ids";
import { isinCheckDigit } from "../../lib/core/isin";
import { isoToDay, toDate } from "../../lib/core/dates";
import { BusinessCalendar } from "../../lib/oracle/calendar-model";

const WAD = 10n ** 18n;

/** Price oracle and holiday calendars. */
const bench: BenchSuite = async ({ hre, suite, gasOf }) => {
  const { ethers } = hre;
  const oracle = (await ethers.getContractAt("PriceOracle", suite.contracts.PriceOracle)) as unknown as PriceOracle;
  const calendar = (await ethers.getContractAt("HolidayCalendar", suite.contracts.HolidayCalendar)) as unknown as HolidayCalendar;
  const today = Math.floor(Number((await ethers.provider.getBlock("latest"))!.timestamp) / 86400);

  // A year of XMOS holidays (14 days) on a new calendar; the years around today loaded too, so that the
  // oracle can check business days.
  const xmos = calendarToBytes4("XMOS");
  await calendar.configureCalendar(xmos, 0x60, "Moscow Exchange");
  const holidays = [
    "01-01",
    "01-02",
    "01-05",
    "01-06",
    "01-07",
    "01-08",
    "01-09",
    "02-23",
    "03-09",
    "05-01",
    "05-11",
    "06-12",
    "11-04",
    "12-31",
  ].map((d) => isoToDay(`2026-${d}`));
  const loadYear = await gasOf(calendar.loadHolidays(xmos, 2026, holidays));
  const isBusiness = Number(await calendar.isBusinessDay.estimateGas(xmos, isoToDay("2026-06-15"))) - 21_000;
  const model = new BusinessCalendar(xmos, 0x60);
  model.holidays.set(2026, new Set(holidays));
  const year = toDate(today).year;
  for (const y of [year - 1, year, year + 1]) {
    if (y === 2026) continue;
    await calendar.loadHolidays(xmos, y, []);
    model.holidays.set(y, new Set());
  }
  // The last two business days up to today.
  let day1 = today;
  while (!model.isBusinessDay(day1)) day1--;
  let day0 = day1 - 1;
  while (!model.isBusinessDay(day0)) day0--;

  // 500 securities, each with a price for the previous business day; then a batch of 500 updates.
  const ids: string[] = [];
  for (let i = 0; i < 500; i++) {
    const first11 = `RU000B${String(i).padStart(5, "0")}`;
    ids.push(assetFeedId(first11 + isinCheckDigit(first11)));
  }
  const rub = currencyToBytes3("RUB");
  for (const id of ids) await oracle.configureAsset(id, rub, xmos, WAD / 10n, 7);
  const batch = (date: number, move: bigint) => ids.map((feedId, i) => ({ feedId, date, price: (1000n + BigInt(i)) * WAD + move }));
  const firstPush = await gasOf(oracle.pushPrices(batch(day0, 0n)));
  // One more security, left out of the update, for the quarantine row.
  const lone = assetFeedId("RU000B99999" + isinCheckDigit("RU000B99999"));
  await (await oracle.configureAsset(lone, rub, xmos, WAD / 10n, 7)).wait();
  await (await oracle.pushPrices([{ feedId: lone, date: day0, price: 1000n * WAD }])).wait();
  const close0 = await gasOf(oracle.closeBusinessDate(xmos, day0));
  const update = await gasOf(oracle.pushPrices(batch(day1, WAD / 3n)));
  const quarantine = await gasOf(oracle.pushPrices([{ feedId: lone, date: day1, price: 1n * WAD }]));
  const refusedClose = await oracle.closeBusinessDate.staticCall(xmos, day1).then(
    () => false,
    () => true,
  );
  if (!refusedClose) throw new Error("closing a date with a quarantined value must be refused");
  await (await oracle.rejectPrice(lone, day1, 1n * WAD, ethers.ZeroHash)).wait();
  const close1 = await gasOf(oracle.closeBusinessDate(xmos, day1));
  const closedRead = Number(await oracle.closedPriceAt.estimateGas(ids[1], day1)) - 21_000;

  // A price read from another contract (oracle warm, slot cold), and the first read of a transaction.
  const probe = await ethers.deployContract("OracleProbe");
  const receipt = await (await probe.measure(await oracle.getAddress(), ids[1], ids[2], day1)).wait();
  const ev = probe.interface.parseLog(receipt!.logs[0])!;

  return [
    { domain: "oracle", operation: "push price, first value of a feed", gas: Math.round(firstPush / 500), items: 500 },
    {
      domain: "oracle",
      operation: "push price, day-over-day update",
      gas: Math.round(update / 500),
      items: 500,
      budget: 10_000,
      note: "whole tx incl. 21,000 base; one slot per feed; business day and close checked once per batch",
    },
    {
      domain: "oracle",
      operation: "push price quarantined (single-item tx)",
      gas: quarantine,
      note: "2 fresh slots for the pending value, 1 for the day's quarantine count",
    },
    {
      domain: "oracle",
      operation: "close of business, first close of a calendar",
      gas: close0,
      note: "whole tx; business-day check, quarantine count, fresh slot for the last closed date",
    },
    {
      domain: "oracle",
      operation: "close of business, next date",
      gas: close1,
      note: "whole tx; the last closed date's slot rewritten",
    },
    {
      domain: "oracle",
      operation: "read closedPriceAt (eth_estimateGas − 21,000)",
      gas: closedRead,
      note: "feed word and the calendar's last closed date",
    },
    {
      domain: "oracle",
      operation: "read priceAt from a contract, oracle warm, slot cold",
      gas: Number(ev.args.warmContractColdSlot),
      budget: 5_000,
      note: "one cold SLOAD behind the proxy",
    },
    {
      domain: "oracle",
      operation: "read priceAt from a contract, first call of the tx",
      gas: Number(ev.args.firstCall),
      note: "adds cold proxy, implementation and implementation slot",
    },
    {
      domain: "calendar",
      operation: "load a year of holidays (14 days)",
      gas: loadYear,
      budget: 100_000,
      note: "whole tx; two fresh slots",
    },
    { domain: "calendar", operation: "isBusinessDay (eth_estimateGas − 21,000)", gas: isBusiness },
  ];
};
export default bench;
