import fs from "node:fs";
import path from "node:path";
import type { Chapter } from "./story";
import type { HolidayCalendar, PriceOracle } from "../../typechain-types";
import { configureFeeds, feedRow, feedView, loadCalendars } from "../../lib/oracle/admin";
import { readCalendars, readSecurities } from "../../lib/oracle/files";
import { assetFeedId, formatPrice, fxFeedId } from "../../lib/oracle/ids";
import { pushPrices } from "../../lib/oracle/push";
import { closeBusinessDate, closeSummaryRows } from "../../lib/oracle/close";
import { deployAdapter } from "../../lib/oracle/feeds";
import { dayToIso, isoToDay } from "../../lib/core/dates";
import { describeError } from "../../lib/core/task";

const DATA = path.resolve(__dirname, "../../data");

const chapter: Chapter = {
  title: "Market data: calendars, prices, FX, a quarantined move and the close of business",
  async run(story) {
    const { hre, actors } = story;
    const oracle = (await hre.ethers.getContractAt(
      "PriceOracle",
      story.deployment.contracts.PriceOracle,
      actors.csd,
    )) as unknown as PriceOracle;
    const calendar = (await hre.ethers.getContractAt(
      "HolidayCalendar",
      story.deployment.contracts.HolidayCalendar,
      actors.csd,
    )) as unknown as HolidayCalendar;
    const role = await oracle.ORACLE_ROLE();
    for (const op of [actors.oracle1, actors.oracle2])
      if (!(await oracle.hasRole(role, op.address))) await (await oracle.grantRole(role, op.address)).wait();

    story.say("The depository loads the exchange calendars for 2026–2027 (one transaction per year, two storage");
    story.say("slots whatever the number of holidays) and registers the securities and FX pairs the oracle accepts:\n");
    const cals = await loadCalendars(calendar, readCalendars(path.join(DATA, "calendars.json")));
    const { securities, fxPairs } = readSecurities(path.join(DATA, "securities.json"));
    await configureFeeds(oracle, securities, fxPairs);
    story.table(
      ["XMOS", "XLON", "XSHG"].map((mic) => ({
        calendar: mic,
        "holidays 2026": readCalendars(path.join(DATA, "calendars.json"))
          .find((c) => c.id === mic)!
          .holidays.get(2026)!.length,
        "holidays 2027": readCalendars(path.join(DATA, "calendars.json"))
          .find((c) => c.id === mic)!
          .holidays.get(2027)!.length,
      })),
    );
    story.say(
      `(${cals.loaded.length} calendar items loaded, ${cals.gasUsed.toLocaleString("en-US")} gas; ${securities.length} securities and ${fxPairs.length} FX pairs registered)`,
    );

    // Sixty business days of history, pushed by operator 1 with the same library as `oracle:push`: push, then
    // close each calendar's dates.
    const lines = fs.readFileSync(path.join(DATA, "prices.csv"), "utf8").trim().split("\n");
    const fxLines = fs.readFileSync(path.join(DATA, "fx.csv"), "utf8").trim().split("\n");
    const lastDate = lines[lines.length - 1].split(",")[0];
    const history = path.join(story.outDir, "prices-history.csv");
    fs.writeFileSync(history, [lines[0], ...lines.slice(1).filter((l) => !l.startsWith(lastDate))].join("\n") + "\n");
    const fxHistory = path.join(story.outDir, "fx-history.csv");
    fs.writeFileSync(fxHistory, [fxLines[0], ...fxLines.slice(1).filter((l) => !l.startsWith(lastDate))].join("\n") + "\n");
    const fxDay = path.join(story.outDir, `fx-${lastDate}.csv`);
    fs.writeFileSync(fxDay, [fxLines[0], ...fxLines.slice(1).filter((l) => l.startsWith(lastDate))].join("\n") + "\n");
    const h = await pushPrices({
      oracle: oracle.connect(actors.oracle1),
      calendar,
      prices: history,
      fx: fxHistory,
      journal: path.join(story.outDir, "push-history.journal.json"),
      progress: false,
    });
    story.say(`\nOperator 1 pushes the history up to the day before ${lastDate}: ${h.accepted} values in ${h.transactions} transactions,`);
    story.say(
      `${h.gasUsed.toLocaleString("en-US")} gas (${Math.round(Number(h.gasUsed) / h.pushed).toLocaleString("en-US")} per value). Equities fell by about a quarter over three weeks.`,
    );
    story.say("As its last step the push closes the business dates of each calendar: nothing dated on or before them can be");
    story.say("pushed or confirmed any more, and revaluations read them as of their close:\n");
    story.table(closeSummaryRows(h.closed).map(([item, value]) => ({ item, value })));

    // The last day: one equity is printed 18 % lower than the day before — beyond its 15 % guard rail.
    const lastLines = lines.slice(1).filter((l) => l.startsWith(lastDate));
    const victim = securities.filter((s) => s.kind === "equity")[0];
    const before = await feedView(oracle, assetFeedId(victim.isin));
    const crashed = (before.price * 82n) / 100n;
    const day = path.join(story.outDir, `prices-${lastDate}.csv`);
    fs.writeFileSync(
      day,
      [lines[0], ...lastLines.map((l) => (l.includes(victim.isin) ? `${lastDate},${victim.isin},${formatPrice(crashed, 18)}` : l))].join(
        "\n",
      ) + "\n",
    );
    const d = await pushPrices({
      oracle: oracle.connect(actors.oracle1),
      calendar,
      prices: day,
      fx: fxDay,
      journal: path.join(story.outDir, "push-day.journal.json"),
      progress: false,
    });
    story.say(`\nOn ${lastDate} operator 1 pushes ${d.pushed} prices: ${d.accepted} accepted, ${d.quarantined} quarantined —`);
    story.say(`${victim.name} (${victim.isin}) moved −18 % against a 15 % limit, so readers still see the previous price:\n`);
    story.table([feedRow(await feedView(oracle, assetFeedId(victim.isin)))]);
    story.say(`\nThe push closes ${lastDate} where it can; ${victim.calendar} waits for the quarantined value:\n`);
    story.table(closeSummaryRows(d.closed).map(([item, value]) => ({ item, value })));

    const v = await feedView(oracle, assetFeedId(victim.isin));
    try {
      await oracle.connect(actors.oracle1).confirmPrice.staticCall(assetFeedId(victim.isin), v.pendingDate, v.pendingPrice);
    } catch (err) {
      const data = (err as { data?: string }).data;
      const parsed = data ? oracle.interface.parseError(data) : null;
      story.say(
        `\nOperator 1 may not confirm its own value: ${parsed ? `${parsed.name}(${parsed.args.join(", ")})` : await describeError(story.hre, err)}`,
      );
    }
    await (await oracle.connect(actors.oracle2).confirmPrice(assetFeedId(victim.isin), v.pendingDate, v.pendingPrice)).wait();
    story.say("Operator 2 checks the exchange's closing print and confirms it; it becomes the latest price.");
    const closed = await closeBusinessDate(oracle.connect(actors.oracle2), victim.calendar, isoToDay(lastDate));
    story.say(
      `Operator 2 then closes ${victim.calendar} for ${lastDate} (oracle:close, ${closed.gasUsed!.toLocaleString("en-US")} gas).\n`,
    );

    const rows = [];
    for (const s of securities) {
      const f = await feedView(oracle, assetFeedId(s.isin));
      rows.push({
        isin: s.isin,
        security: s.name,
        kind: s.kind,
        price: formatPrice(f.price, 4),
        currency: f.currency,
        date: dayToIso(f.date),
      });
    }
    for (const p of fxPairs) {
      const f = await feedView(oracle, fxFeedId(p.base, p.quote));
      rows.push({
        isin: `${p.base}/${p.quote}`,
        security: "FX rate",
        kind: "fx",
        price: formatPrice(f.price, 4),
        currency: p.quote,
        date: dayToIso(f.date),
      });
    }
    story.table(rows, ["isin", "security", "kind", "price", "currency", "date"], "Latest prices on chain");

    const adapter = await deployAdapter(hre, actors.csd, victim.isin);
    const feed = await hre.ethers.getContractAt("PriceFeedAdapter", adapter.adapter);
    const round = await feed.latestRoundData();
    story.say(`\nAny Chainlink consumer reads the same price through the adapter at ${adapter.adapter.slice(0, 10)}…:`);
    story.say(
      `latestRoundData() → round ${round.roundId} (${dayToIso(Number(round.roundId))}), answer ${formatPrice(round.answer, 4)} (${await feed.decimals()} decimals)`,
    );

    story.state.oracle = await oracle.getAddress();
    story.state.calendar = await calendar.getAddress();
    story.state.pricesThrough = isoToDay(lastDate);
    story.state.crashedSecurity = victim.isin;
  },
};
export default chapter;
