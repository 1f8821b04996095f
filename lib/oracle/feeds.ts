/**
 * Feed and calendar helpers for tasks, the demo and tests: parsing a feed name, listing configured feeds,
 * deploying Chainlink adapters, describing calendars.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import type { HolidayCalendar, PriceOracle } from "../../typechain-types";
import { UserError } from "../core/cli";
import { dayToIso, isoToDay } from "../core/dates";
import { readDeployment, recordContract, writeDeployment } from "../core/deployments";
import { isinProblem } from "../core/isin";
import { suiteAddress } from "../core/suite";
import { assetFeedId, bytesToText, calendarToBytes4, feedLabel, fxFeedId, isCurrency, weekdaysOfMask } from "./ids";

/** Feed id of "ISIN" or "BASE/QUOTE". */
export function parseFeed(text: string): string {
  const m = /^([A-Z]{3})\/([A-Z]{3})$/.exec(text.trim().toUpperCase());
  if (m) {
    if (!isCurrency(m[1]) || !isCurrency(m[2])) throw new UserError(`"${text}" is not an FX pair BASE/QUOTE`);
    return fxFeedId(m[1], m[2]);
  }
  const problem = isinProblem(text.trim().toUpperCase());
  if (problem) throw new UserError(`"${text}" is neither an ISIN nor an FX pair BASE/QUOTE: ${problem}`);
  return assetFeedId(text.trim().toUpperCase()).toLowerCase();
}

/** Every feed ever configured on the oracle (from its configuration events), in first-seen order. */
export async function configuredFeeds(oracle: PriceOracle, fromBlock = 0): Promise<string[]> {
  const topics = [[oracle.interface.getEvent("AssetConfigured")!.topicHash, oracle.interface.getEvent("FxPairConfigured")!.topicHash]];
  const logs = await oracle.runner!.provider!.getLogs({ address: await oracle.getAddress(), topics, fromBlock, toBlock: "latest" });
  const ids: string[] = [];
  for (const l of logs) {
    const id = oracle.interface.parseLog(l)!.args.feedId.toLowerCase();
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** Deploys (or reuses) the Chainlink adapter of a feed; recorded as `PriceFeedAdapter:<feed>`. */
export async function deployAdapter(
  hre: HardhatRuntimeEnvironment,
  signer: Signer,
  feed: string,
): Promise<{ feed: string; adapter: string; description: string; reused: boolean }> {
  const id = parseFeed(feed);
  const label = feedLabel(id);
  const name = `PriceFeedAdapter:${label}`;
  const oracleAddress = suiteAddress(hre, "PriceOracle");
  const file = readDeployment(hre.network.name)!;
  const existing = file.contracts[name];
  const oracle = (await hre.ethers.getContractAt("PriceOracle", oracleAddress)) as unknown as PriceOracle;
  const info = await oracle.feedInfo(id);
  if (Number(info.kind) === 0) throw new UserError(`${label} is not configured on the oracle (oracle:configure)`);
  const description = Number(info.kind) === 1 ? `${label} / ${bytesToText(info.currency)}` : label;
  if (existing && (await hre.ethers.provider.getCode(existing)) !== "0x")
    return { feed: label, adapter: existing, description, reused: true };
  const c = await hre.ethers.deployContract("PriceFeedAdapter", [oracleAddress, id, description], signer);
  await c.waitForDeployment();
  const adapter = await c.getAddress();
  await recordContract(hre.ethers.provider, file, name, adapter);
  writeDeployment(file);
  return { feed: label, adapter, description, reused: false };
}

/** Rows describing calendars, a year's holidays, or business-day arithmetic around a date. */
export async function showCalendars(
  calendar: HolidayCalendar,
  a: { id?: string; year?: number; date?: string; add?: number },
): Promise<Record<string, unknown>[]> {
  const ids = a.id ? [calendarToBytes4(a.id.toUpperCase())] : await calendar.calendarIds();
  const rows: Record<string, unknown>[] = [];
  for (const id of ids) {
    const mic = bytesToText(id);
    const [exists, mask] = await calendar.calendarInfo(id);
    if (!exists) throw new UserError(`calendar ${mic} is not on chain (calendar:load)`);
    if (a.date) {
      let day: number;
      try {
        day = isoToDay(a.date);
      } catch {
        throw new UserError(`--date "${a.date}" is not a date (YYYY-MM-DD)`);
      }
      const row: Record<string, unknown> = {
        calendar: mic,
        date: a.date,
        businessDay: (await calendar.isBusinessDay(id, day)) ? "yes" : "no",
        next: dayToIso(Number(await calendar.nextBusinessDay(id, day))),
      };
      if (a.add !== undefined) row[`+${a.add} business days`] = dayToIso(Number(await calendar.addBusinessDays(id, day, a.add)));
      rows.push(row);
      continue;
    }
    if (a.year !== undefined) {
      const days = (await calendar.holidaysOf(id, a.year)).map((d) => dayToIso(Number(d)));
      rows.push({ calendar: mic, year: a.year, holidays: days.length, dates: days.join(" ") });
      continue;
    }
    const loaded: number[] = [];
    const thisYear = new Date().getUTCFullYear();
    for (let y = thisYear - 3; y <= thisYear + 3; y++) if (await calendar.isYearLoaded(id, y)) loaded.push(y);
    const names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    rows.push({
      calendar: mic,
      weekend: weekdaysOfMask(Number(mask))
        .map((d) => names[d - 1])
        .join(","),
      loadedYears: loaded.join(", "),
    });
  }
  return rows;
}
