import { task, types } from "hardhat/config";
import { action } from "../lib/core/task";
import { output, printTable, UserError } from "../lib/core/cli";
import { pickSigner } from "../lib/core/suite";

task("oracle:push", "Validates price/FX files and pushes what the chain lacks, in batches, resumably (oracle operator)")
  .addOptionalParam("prices", "Prices file: CSV (date,isin,price) or JSON", undefined, types.string)
  .addOptionalParam("fx", "FX rates file: CSV (date,base,quote,rate) or JSON", undefined, types.string)
  .addOptionalParam("calendar", "Calendars JSON: loaded on chain where it differs, used to check business days", undefined, types.string)
  .addOptionalParam("batchSize", "Largest number of values per transaction", 500, types.int)
  .addOptionalParam("gasBudget", "Largest gas per transaction; bigger batches are split", 15_000_000, types.int)
  .addOptionalParam("journal", "Journal file (default <prices file>.journal.json)", undefined, types.string)
  .addOptionalParam(
    "keystore",
    "Encrypted JSON keystore of the operator (password: ORACLE_KEYSTORE_PASSWORD or prompt)",
    undefined,
    types.string,
  )
  .addOptionalParam("from", "Operator: account index or address (when no keystore / ORACLE_PRIVATE_KEY)", undefined, types.string)
  .addOptionalParam("pauseMs", "Pause between transactions in ms, to spare a busy node", 0, types.int)
  .addOptionalParam("rpcTimeout", "Longest wait for one call to the node, ms (default 30000)", undefined, types.int)
  .addOptionalParam("rpcRetries", "Retries of a call while the node is unreachable, then exit 1 (default 8)", undefined, types.int)
  .addOptionalParam("rpcBackoff", "First pause before a retry, ms, doubled each time up to 30 s (default 1000)", undefined, types.int)
  .addOptionalParam("txTimeout", "Longest wait for a pending transaction to be mined, s (default 600)", undefined, types.int)
  .addFlag("dryRun", "Validate and report what would be pushed; send nothing")
  .addFlag("noClose", "Do not close the pushed business dates (revaluation then skips them until oracle:close)")
  .addFlag("skipInvalid", "Push the valid lines even when some are bad (default: push nothing while any line is bad)")
  .addFlag("noRevalue", "Skip the revaluation of repos and pledges holding the updated securities")
  .addFlag("json", "Print the summary as JSON")
  .setAction(
    action(async (a: Record<string, unknown>, hre) => {
      const { runPushCommand } = await import("../lib/oracle/cli");
      const { code } = await runPushCommand(hre, a as never);
      if (code !== 0) process.exitCode = code;
    }),
  );

task("oracle:close", "Closes a business date for an exchange calendar once its prices and FX rates are in (oracle operator)")
  .addParam("calendar", "Calendar id (MIC), e.g. XMOS", undefined, types.string)
  .addParam("date", "Business date (YYYY-MM-DD)", undefined, types.string)
  .addOptionalParam(
    "keystore",
    "Encrypted JSON keystore of the operator (password: ORACLE_KEYSTORE_PASSWORD or prompt)",
    undefined,
    types.string,
  )
  .addOptionalParam("from", "Operator: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { calendar: string; date: string; keystore?: string; from?: string; json: boolean }, hre) => {
      const { runCloseCommand } = await import("../lib/oracle/close-command");
      const r = await runCloseCommand(hre, a);
      output(a.json, r, () => console.log(`closed ${r.calendar} ${r.iso} (tx ${r.txHash}, gas ${r.gasUsed})`));
    }),
  );

task("oracle:show", "Shows latest prices and FX rates, and the quarantined values awaiting confirmation")
  .addOptionalParam("feeds", "Comma-separated ISINs or BASE/QUOTE pairs (default: every configured feed)", undefined, types.string)
  .addFlag("quarantined", "Only feeds with a quarantined value")
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { feeds?: string; quarantined: boolean; json: boolean }, hre) => {
      const { oracleAt } = await import("../lib/oracle/contracts");
      const { feedRow, feedView } = await import("../lib/oracle/admin");
      const { parseFeed, configuredFeeds } = await import("../lib/oracle/feeds");
      const { readDeployment } = await import("../lib/core/deployments");
      const oracle = await oracleAt(hre);
      const ids = a.feeds
        ? a.feeds.split(",").map((f) => parseFeed(f.trim()))
        : await configuredFeeds(oracle, readDeployment(hre.network.name)?.block ?? 0);
      let views = await Promise.all(ids.map((id) => feedView(oracle, id)));
      if (a.quarantined) views = views.filter((v) => v.pendingDate !== 0);
      output(a.json, views, () =>
        printTable(views.map(feedRow), ["feed", "kind", "currency", "calendar", "price", "date", "quarantined"], `${views.length} feed(s)`),
      );
    }),
  );

task("oracle:confirm", "Confirms a quarantined value pushed by another operator (oracle operator)")
  .addParam("feed", "ISIN or BASE/QUOTE pair", undefined, types.string)
  .addOptionalParam("from", "Operator: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { feed: string; from?: string; json: boolean }, hre) => {
      const { oracleAt } = await import("../lib/oracle/contracts");
      const { feedRow, feedView } = await import("../lib/oracle/admin");
      const { parseFeed } = await import("../lib/oracle/feeds");
      const { operatorSigner } = await import("../lib/oracle/signer");
      const oracle = await oracleAt(hre, await operatorSigner(hre, { from: a.from }));
      const id = parseFeed(a.feed);
      const v = await feedView(oracle, id);
      if (v.pendingDate === 0) throw new UserError(`${a.feed} has no quarantined value`);
      const r = await (await oracle.confirmPrice(id, v.pendingDate, v.pendingPrice)).wait();
      const after = await feedView(oracle, id);
      output(a.json, { ...after, txHash: r!.hash }, () => printTable([feedRow(after)], undefined, `confirmed (tx ${r!.hash})`));
    }),
  );

task("oracle:reject", "Discards a quarantined value (oracle admin)")
  .addParam("feed", "ISIN or BASE/QUOTE pair", undefined, types.string)
  .addOptionalParam("reason", "Reason code (≤ 31 characters)", "rejected", types.string)
  .addOptionalParam("from", "Oracle admin: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { feed: string; reason: string; from?: string; json: boolean }, hre) => {
      const { oracleAt } = await import("../lib/oracle/contracts");
      const { feedRow, feedView } = await import("../lib/oracle/admin");
      const { parseFeed } = await import("../lib/oracle/feeds");
      const { reasonBytes } = await import("../lib/registry");
      const oracle = await oracleAt(hre, await pickSigner(hre, a.from));
      const id = parseFeed(a.feed);
      const v = await feedView(oracle, id);
      if (v.pendingDate === 0) throw new UserError(`${a.feed} has no quarantined value`);
      const r = await (await oracle.rejectPrice(id, v.pendingDate, v.pendingPrice, reasonBytes(a.reason))).wait();
      const after = await feedView(oracle, id);
      output(a.json, { ...after, txHash: r!.hash }, () => printTable([feedRow(after)], undefined, `rejected (tx ${r!.hash})`));
    }),
  );

task("oracle:configure", "Registers securities and FX pairs with the oracle from a securities file (oracle admin)")
  .addParam("securities", "Securities JSON (see data/securities.json)", undefined, types.string)
  .addOptionalParam("from", "Oracle admin: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { securities: string; from?: string; json: boolean }, hre) => {
      const { oracleAt } = await import("../lib/oracle/contracts");
      const { configureFeeds } = await import("../lib/oracle/admin");
      const { readSecurities } = await import("../lib/oracle/files");
      const oracle = await oracleAt(hre, await pickSigner(hre, a.from));
      const { securities, fxPairs } = readSecurities(a.securities);
      const r = await configureFeeds(oracle, securities, fxPairs, a.json ? undefined : (m) => console.log(m));
      output(a.json, r, () => console.log(`${r.configured.length} feed(s) configured, ${r.unchanged.length} unchanged`));
    }),
  );

task("oracle:grant", "Grants ORACLE_ROLE (or --role ORACLE_ADMIN_ROLE) on the oracle to an account (consortium admin)")
  .addParam("account", "Address of the operator", undefined, types.string)
  .addOptionalParam("role", "ORACLE_ROLE or ORACLE_ADMIN_ROLE", "ORACLE_ROLE", types.string)
  .addOptionalParam("from", "Consortium admin: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { account: string; role: string; from?: string; json: boolean }, hre) => {
      const { oracleAt } = await import("../lib/oracle/contracts");
      if (!["ORACLE_ROLE", "ORACLE_ADMIN_ROLE"].includes(a.role))
        throw new UserError(`--role ${a.role}: use ORACLE_ROLE or ORACLE_ADMIN_ROLE`);
      if (!hre.ethers.isAddress(a.account)) throw new UserError(`--account ${a.account} is not an address`);
      const oracle = await oracleAt(hre, await pickSigner(hre, a.from));
      const role = hre.ethers.id(a.role);
      let txHash = "";
      if (!(await oracle.hasRole(role, a.account))) txHash = (await (await oracle.grantRole(role, a.account)).wait())!.hash;
      output(a.json, { account: a.account, role: a.role, txHash }, () =>
        console.log(txHash ? `${a.role} granted to ${a.account} (tx ${txHash})` : `${a.account} already holds ${a.role}`),
      );
    }),
  );

task("oracle:adapter", "Deploys a Chainlink AggregatorV3Interface adapter for one feed and records it in the deployment")
  .addParam("feed", "ISIN or BASE/QUOTE pair", undefined, types.string)
  .addOptionalParam("from", "Deployer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { feed: string; from?: string; json: boolean }, hre) => {
      const { deployAdapter } = await import("../lib/oracle/feeds");
      const r = await deployAdapter(hre, await pickSigner(hre, a.from), a.feed);
      output(a.json, r, () => printTable([r as unknown as Record<string, unknown>]));
    }),
  );

task("calendar:load", "Loads exchange calendars (weekends, holidays per year) from a JSON file; only what differs is sent")
  .addParam("file", "Calendars JSON (see data/calendars.json)", undefined, types.string)
  .addOptionalParam("from", "Calendar operator: account index or address", undefined, types.string)
  .addFlag("dryRun", "Report what would be loaded; send nothing")
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { file: string; from?: string; dryRun: boolean; json: boolean }, hre) => {
      const { calendarAt } = await import("../lib/oracle/contracts");
      const { loadCalendars } = await import("../lib/oracle/admin");
      const { readCalendars } = await import("../lib/oracle/files");
      const calendar = await calendarAt(hre, await pickSigner(hre, a.from));
      const r = await loadCalendars(calendar, readCalendars(a.file), { dryRun: a.dryRun, log: a.json ? undefined : (m) => console.log(m) });
      output(a.json, r, () =>
        console.log(
          `${a.dryRun ? "would load" : "loaded"}: ${r.loaded.join(", ") || "nothing"}; unchanged: ${r.unchanged.join(", ") || "none"}; gas ${r.gasUsed}`,
        ),
      );
    }),
  );

task("calendar:show", "Shows calendars: weekends, loaded years and holidays, or business-day arithmetic")
  .addOptionalParam("id", "Calendar id (MIC), e.g. XLON (default: all)", undefined, types.string)
  .addOptionalParam("year", "Year whose holidays to list", undefined, types.int)
  .addOptionalParam("date", "A date (YYYY-MM-DD): say if it is a business day and give the next one", undefined, types.string)
  .addOptionalParam("add", "With --date: add this many business days", undefined, types.int)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { id?: string; year?: number; date?: string; add?: number; json: boolean }, hre) => {
      const { calendarAt } = await import("../lib/oracle/contracts");
      const { showCalendars } = await import("../lib/oracle/feeds");
      const rows = await showCalendars(await calendarAt(hre), a);
      output(a.json, rows, () => printTable(rows));
    }),
  );
