import type { BenchSuite } from "../harness";
import type { HolidayCalendar, PriceOracle } from "../../typechain-types";
import { assetFeedId, calendarToBytes4, currencyToBytes3 } from "../../lib/oracle/ids";
import { isinCheckDigit } from "../../lib/isin";
import { isoToDay } from "../../lib/dates";

const WAD = 10n ** 18n;

/** Price oracle and holiday calendars. */
const bench: BenchSuite = async ({ hre, suite, gasOf }) => {
  const { ethers } = hre;
  const oracle = (await ethers.getContractAt("PriceOracle", suite.contracts.PriceOracle)) as unknown as PriceOracle;
  const calendar = (await ethers.getContractAt("HolidayCalendar", suite.contracts.HolidayCalendar)) as unknown as HolidayCalendar;
  const today = Math.floor(Number((await ethers.provider.getBlock("latest"))!.timestamp) / 86400);

  // 500 securities, each with a price for yesterday; then a batch of 500 day-over-day updates.
  const ids: string[] = [];
  for (let i = 0; i < 500; i++) {
    const first11 = `RU000B${String(i).padStart(5, "0")}`;
    ids.push(assetFeedId(first11 + isinCheckDigit(first11)));
  }
  const rub = currencyToBytes3("RUB");
  const xmos = calendarToBytes4("XMOS");
  for (const id of ids) await oracle.configureAsset(id, rub, xmos, WAD / 10n, 7);
  const batch = (date: number, move: bigint) => ids.map((feedId, i) => ({ feedId, date, price: (1000n + BigInt(i)) * WAD + move }));
  const firstPush = await gasOf(oracle.pushPrices(batch(today - 1, 0n)));
  const update = await gasOf(oracle.pushPrices(batch(today, WAD / 3n)));
  const quarantine = await gasOf(oracle.pushPrices([{ feedId: ids[0], date: today, price: 1n * WAD }].map((x) => ({ ...x, date: today }))));

  // A price read from another contract (oracle warm, slot cold), and the first read of a transaction.
  const probe = await ethers.deployContract("OracleProbe");
  const receipt = await (await probe.measure(await oracle.getAddress(), ids[1], ids[2], today)).wait();
  const ev = probe.interface.parseLog(receipt!.logs[0])!;

  // A year of XMOS holidays (14 days) on a new calendar.
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

  return [
    { domain: "oracle", operation: "push price, first value of a feed", gas: Math.round(firstPush / 500), items: 500 },
    {
      domain: "oracle",
      operation: "push price, day-over-day update",
      gas: Math.round(update / 500),
      items: 500,
      budget: 10_000,
      note: "whole tx incl. 21,000 base; one slot per feed",
    },
    {
      domain: "oracle",
      operation: "push price quarantined (single-item tx)",
      gas: quarantine,
      note: "2 fresh slots for the pending value",
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
