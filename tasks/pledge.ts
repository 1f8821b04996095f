import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { action } from "../lib/core/task";
import { output, printTable, UserError } from "../lib/core/cli";
import { pickSigner } from "../lib/core/suite";
import { registerRevaluer } from "../lib/oracle/revalue";

// The pledge book takes part in the daily cycle: `oracle:push` values active pledges on updated securities.
registerRevaluer("pledge", async (hre, signer, updated) => (await import("../lib/pledge")).revaluePledges(hre, signer, updated));

const LEVELS = ["NORMAL", "WARNING", "LIQUIDATION"];

function pledgeId(value: string): bigint {
  if (!/^\d+$/.test(value) || BigInt(value) < 1n) throw new UserError(`--id "${value}" is not a pledge id (1, 2, …)`);
  return BigInt(value);
}

async function dayOf(value: string | undefined, hre: HardhatRuntimeEnvironment): Promise<number> {
  const { isoToDay, dayOfTimestamp } = await import("../lib/core/dates");
  if (value === undefined || value === "") return dayOfTimestamp((await hre.ethers.provider.getBlock("latest"))!.timestamp);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new UserError(`date "${value}" is not YYYY-MM-DD`);
  return isoToDay(value);
}

function wad(value: string, what: string): bigint {
  if (value === "") return 0n;
  if (!/^\d+(\.\d{1,18})?$/.test(value)) throw new UserError(`--${what} "${value}" is not a decimal (e.g. 1.6 for 160%)`);
  const [i, f = ""] = value.split(".");
  return BigInt(i) * 10n ** 18n + BigInt(f.padEnd(18, "0"));
}

async function book(hre: HardhatRuntimeEnvironment, from?: string) {
  const { pledgeBookAt } = await import("../lib/pledge");
  return pledgeBookAt(hre, await pickSigner(hre, from));
}

async function show(hre: HardhatRuntimeEnvironment, id: bigint, json: boolean, title: string, txHash?: string) {
  const { readPledge, describePledge, pledgeFigures, describeFigures } = await import("../lib/pledge");
  const b = await book(hre);
  const p = await readPledge(b, id);
  if (p.status === "None") throw new UserError(`no pledge ${id}`);
  const row = { ...describePledge(p), ...describeFigures(await pledgeFigures(b, p), p.cashDecimals) };
  output(json, { ...row, txHash }, () => printTable([row], undefined, title + (txHash ? ` (tx ${txHash})` : "")));
}

task(
  "pledge:request",
  "Requests a pledge (pledger, its broker or the pledgee); with both signatures, a signed request, or with --register the depository's one-transaction registration",
)
  .addParam("pledger", "Pledger (investor) account address", undefined, types.string)
  .addParam("pledgee", "Pledgee (bank or broker) account address", undefined, types.string)
  .addParam("security", "Pledged security: ISIN or token address", undefined, types.string)
  .addParam("cash", "Loan currency cash token: currency code or address", undefined, types.string)
  .addParam("quantity", "Shares pledged (token units)", undefined, types.string)
  .addParam("principal", "Loan principal, decimal in the loan currency", undefined, types.string)
  .addParam("rate", "Annual interest rate, decimal (0.065 = 6.5%)", undefined, types.string)
  .addParam("start", "Start date YYYY-MM-DD", undefined, types.string)
  .addParam("maturity", "Maturity date YYYY-MM-DD", undefined, types.string)
  .addOptionalParam("warning", "Warning line, decimal (default 1.6)", "", types.string)
  .addOptionalParam("liquidation", "Liquidation line, decimal (default 1.4)", "", types.string)
  .addOptionalParam("target", "Restore target, decimal (default the ratio at registration)", "", types.string)
  .addOptionalParam("topUpDays", "Business days to top up after a liquidation-level valuation", 2, types.int)
  .addOptionalParam("calendar", "Calendar MIC of those business days (default calendar days)", "", types.string)
  .addOptionalParam("dayCount", "Interest basis (DayCountConvention name)", "Act365Fixed", types.string)
  .addOptionalParam("maxInitialRate", "Cap on the initial pledge rate, decimal (default 0.6)", "", types.string)
  .addFlag("topUpAtWarning", "A top-up is due from the Warning level (default from Liquidation)")
  .addFlag("principalFirst", "Repayments reduce principal first, interest stays owed (default interest first)")
  .addOptionalParam("pledgerSig", "Pledger-side EIP-712 signature (from pledge:sign --offline)", "", types.string)
  .addOptionalParam("pledgeeSig", "Pledgee-side EIP-712 signature (from pledge:sign --offline)", "", types.string)
  .addOptionalParam("deadline", "Signature deadline, unix seconds (with the signatures)", "", types.string)
  .addOptionalParam("from", "Requesting account: index or address", undefined, types.string)
  .addFlag("register", "With both signatures: request and register in one transaction (depository)")
  .addFlag("json", "Print JSON")
  .setAction(
    action(
      async (
        a: Record<string, string> & {
          topUpDays: number;
          register: boolean;
          topUpAtWarning: boolean;
          principalFirst: boolean;
          json: boolean;
        },
        hre,
      ) => {
        const { buildTerms, requestedId } = await import("../lib/pledge");
        const { resolveToken, parseAmount, DAY_COUNTS } = await import("../lib/tokens");
        const b = await book(hre, a.from);
        const security = await resolveToken(hre, a.security);
        const cash = await resolveToken(hre, a.cash);
        const dayCount = DAY_COUNTS.indexOf(a.dayCount as (typeof DAY_COUNTS)[number]);
        if (dayCount < 0) throw new UserError(`--day-count "${a.dayCount}" is not one of ${DAY_COUNTS.join(", ")}`);
        const terms = buildTerms({
          pledger: hre.ethers.getAddress(a.pledger),
          pledgee: hre.ethers.getAddress(a.pledgee),
          security: security.address,
          cashToken: cash.address,
          quantity: parseAmount(a.quantity, security.decimals, "quantity"),
          principal: parseAmount(a.principal, cash.decimals, "principal"),
          interestRate: wad(a.rate, "rate"),
          dayCount,
          startDate: await dayOf(a.start, hre),
          maturityDate: await dayOf(a.maturity, hre),
          warningLine: wad(a.warning, "warning"),
          liquidationLine: wad(a.liquidation, "liquidation"),
          restoreTarget: wad(a.target, "target"),
          topUpDays: a.topUpDays,
          calendarId: a.calendar === "" ? "0x00000000" : hre.ethers.hexlify(hre.ethers.toUtf8Bytes(a.calendar.padEnd(4, "\0").slice(0, 4))),
          maxInitialRate: wad(a.maxInitialRate, "max-initial-rate"),
          topUpAtWarning: a.topUpAtWarning === true,
          principalFirst: a.principalFirst === true,
        });
        const signed = a.pledgerSig !== "" || a.pledgeeSig !== "";
        if (signed && (a.pledgerSig === "" || a.pledgeeSig === "" || a.deadline === "")) {
          throw new UserError("a signed request needs --pledger-sig, --pledgee-sig and --deadline");
        }
        if (a.register === true && !signed) {
          throw new UserError("--register needs both signatures (--pledger-sig, --pledgee-sig, --deadline)");
        }
        const tx = !signed
          ? b.request(terms)
          : a.register === true
            ? b.registerSigned(terms, BigInt(a.deadline), a.pledgerSig, a.pledgeeSig)
            : b.requestSigned(terms, BigInt(a.deadline), a.pledgerSig, a.pledgeeSig);
        const receipt = await (await tx).wait();
        const title = a.register === true ? "pledge requested and registered" : "pledge requested";
        await show(hre, requestedId(b, receipt), a.json === true, title, receipt!.hash);
      },
    ),
  );

task("pledge:sign", "Consents to a requested pledge by call, or prints an EIP-712 signature of given terms")
  .addOptionalParam("id", "Requested pledge id (consent by call)", "", types.string)
  .addOptionalParam("terms", "JSON file of terms (IPledgeBook.Terms) to sign offline", "", types.string)
  .addOptionalParam("deadline", "Signature deadline, unix seconds (offline)", "", types.string)
  .addOptionalParam("from", "Signing account: index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { id: string; terms: string; deadline: string; from?: string; json: boolean }, hre) => {
      const b = await book(hre, a.from);
      if (a.terms !== "") {
        const fs = await import("node:fs");
        const { signPledgeRequest } = await import("../lib/pledge");
        if (a.deadline === "") throw new UserError("--deadline is required with --terms");
        // Terms files written before the pledge's choices existed sign the defaults (60 % cap, Liquidation, interest first).
        const t = { maxInitialRate: "0", topUpAtWarning: false, principalFirst: false, ...JSON.parse(fs.readFileSync(a.terms, "utf8")) };
        const signature = await signPledgeRequest(b, await pickSigner(hre, a.from), t, BigInt(a.deadline));
        output(a.json, { signature }, () => console.log(signature));
        return;
      }
      const id = pledgeId(a.id);
      const receipt = await (await b.consent(id)).wait();
      await show(hre, id, a.json, `pledge ${id}: consent given`, receipt!.hash);
    }),
  );

for (const [name, help, run] of [
  [
    "register",
    "Registers a requested pledge and encumbers the shares (depository)",
    (b: Awaited<ReturnType<typeof book>>, id: bigint) => b.register(id),
  ],
  [
    "cancel",
    "Cancels a pledge before registration (either side or the depository)",
    (b: Awaited<ReturnType<typeof book>>, id: bigint) => b.cancel(id),
  ],
] as const) {
  task(`pledge:${name}`, help)
    .addParam("id", "Pledge id", undefined, types.string)
    .addOptionalParam("from", "Acting account: index or address", undefined, types.string)
    .addFlag("json", "Print JSON")
    .setAction(
      action(async (a: { id: string; from?: string; json: boolean }, hre) => {
        const id = pledgeId(a.id);
        const receipt = await (await run(await book(hre, a.from), id)).wait();
        await show(hre, id, a.json, `pledge ${id}: ${name} done`, receipt!.hash);
      }),
    );
}

task("pledge:board-lot", "Sets the board lot of a security: extra shares a top-up asks for are whole lots (depository)")
  .addParam("security", "Security: ISIN or token address", undefined, types.string)
  .addParam("lot", "Board lot in shares (100 on SSE/SZSE)", undefined, types.string)
  .addOptionalParam("from", "Depository signer: index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { security: string; lot: string; from?: string; json: boolean }, hre) => {
      const { resolveToken } = await import("../lib/tokens");
      if (!/^\d+$/.test(a.lot) || BigInt(a.lot) < 1n) throw new UserError(`--lot "${a.lot}" is not a whole number of shares (1, 100, …)`);
      const b = await book(hre, a.from);
      const security = await resolveToken(hre, a.security);
      const receipt = await (await b.setBoardLot(security.address, BigInt(a.lot))).wait();
      const row = { security: security.address, boardLot: await b.boardLotOf(security.address) };
      output(a.json, { ...row, txHash: receipt!.hash }, () => printTable([row], undefined, `board lot set (tx ${receipt!.hash})`));
    }),
  );

task("pledge:repay", "Records a repayment the pledgee received: interest first, or principal first when the terms say so (pledgee)")
  .addParam("id", "Pledge id", undefined, types.string)
  .addParam("amount", "Amount repaid, decimal in the loan currency", undefined, types.string)
  .addOptionalParam("date", "Value date YYYY-MM-DD (default today)", "", types.string)
  .addOptionalParam("from", "Pledgee signer: index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { id: string; amount: string; date: string; from?: string; json: boolean }, hre) => {
      const { readPledge } = await import("../lib/pledge");
      const { parseAmount } = await import("../lib/tokens");
      const b = await book(hre, a.from);
      const id = pledgeId(a.id);
      const p = await readPledge(b, id);
      const receipt = await (await b.repay(id, parseAmount(a.amount, p.cashDecimals), await dayOf(a.date, hre))).wait();
      await show(hre, id, a.json, `pledge ${id}: repayment recorded`, receipt!.hash);
    }),
  );

for (const [name, help] of [
  ["release", "Releases shares and/or pledged cash with the pledgee's consent (pledgee)"],
  ["top-up", "Adds shares and/or pledged cash to a pledge (pledger, its broker, or the depository for dividends)"],
] as const) {
  task(`pledge:${name}`, help)
    .addParam("id", "Pledge id", undefined, types.string)
    .addOptionalParam("shares", "Shares (token units)", "0", types.string)
    .addOptionalParam("cash", "Cash, decimal in the loan currency", "0", types.string)
    .addOptionalParam("from", "Acting account: index or address", undefined, types.string)
    .addFlag("json", "Print JSON")
    .setAction(
      action(async (a: { id: string; shares: string; cash: string; from?: string; json: boolean }, hre) => {
        const { readPledge } = await import("../lib/pledge");
        const { parseAmount } = await import("../lib/tokens");
        const b = await book(hre, a.from);
        const id = pledgeId(a.id);
        const p = await readPledge(b, id);
        const shares = parseAmount(a.shares, 0, "shares");
        const cash = parseAmount(a.cash, p.cashDecimals, "cash");
        const tx = name === "release" ? b.release(id, shares, cash) : b.topUp(id, shares, cash);
        const receipt = await (await tx).wait();
        await show(hre, id, a.json, `pledge ${id}: ${name} done`, receipt!.hash);
      }),
    );
}

task("pledge:value", "Values active pledges at a business date (permissionless, idempotent per date)")
  .addOptionalParam("ids", "Comma-separated pledge ids, or all (default)", "all", types.string)
  .addOptionalParam("date", "Business date YYYY-MM-DD (default today)", "", types.string)
  .addOptionalParam("from", "Sending account: index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { ids: string; date: string; from?: string; json: boolean }, hre) => {
      const { readAllPledges, valueInBatches, describeValuation } = await import("../lib/pledge");
      const b = await book(hre, a.from);
      const all = await readAllPledges(b);
      const ids =
        a.ids === "all" ? all.filter((p) => p.status === "Active").map((p) => p.id) : a.ids.split(",").map((s) => pledgeId(s.trim()));
      if (ids.length === 0) throw new UserError("no active pledge to value");
      const r = await valueInBatches(b, ids, await dayOf(a.date, hre));
      const dec = (id: bigint) => all.find((p) => p.id === id)?.cashDecimals ?? 2;
      const rows = r.valued.map((v) => describeValuation(v, dec(v.id)));
      output(a.json, { valued: r.valued, topUps: r.topUps, gasUsed: r.gasUsed, failed: r.failed }, () => {
        printTable(rows, undefined, `${rows.length} pledge(s) valued, ${r.topUps} top-up obligation(s) opened, gas ${r.gasUsed}`);
        if (r.failed.length > 0)
          printTable(
            r.failed.map((f) => ({ pledges: f.ids.join(","), error: f.error })),
            undefined,
            "failed batches (the other batches ran; value these pledges again)",
          );
      });
      if (r.failed.length > 0) process.exitCode = 1;
    }),
  );

task("pledge:enforce", "Enforces a pledge in default: the shares covering the debt go to the pledgee (depository)")
  .addParam("id", "Pledge id", undefined, types.string)
  .addOptionalParam("date", "Valuation date YYYY-MM-DD (default today)", "", types.string)
  .addOptionalParam("from", "Depository signer: index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { id: string; date: string; from?: string; json: boolean }, hre) => {
      const id = pledgeId(a.id);
      const b = await book(hre, a.from);
      const receipt = await (await b.enforce(id, await dayOf(a.date, hre))).wait();
      const ev = receipt!.logs.map((l) => b.interface.parseLog(l)).find((p) => p?.name === "PledgeEnforced");
      const row = {
        id,
        amountPayable: ev?.args.amountPayable,
        cashTransferred: ev?.args.cashTransferred,
        sharesTransferred: ev?.args.sharesTransferred,
        shortfall: ev?.args.shortfall,
        sharesReleased: ev?.args.sharesReleased,
      };
      output(a.json, { ...row, txHash: receipt!.hash }, () => printTable([row], undefined, `pledge ${id} enforced (tx ${receipt!.hash})`));
    }),
  );

task("pledge:show", "Shows a pledge")
  .addParam("id", "Pledge id", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(action(async (a: { id: string; json: boolean }, hre) => show(hre, pledgeId(a.id), a.json, `pledge ${a.id}`)));

task("pledge:list", "Lists pledges, optionally by level or status")
  .addOptionalParam("level", "NORMAL, WARNING or LIQUIDATION (level of the last valuation)", "", types.string)
  .addOptionalParam("status", "Requested, Active, Released, Enforced or Cancelled", "", types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { level: string; status: string; json: boolean }, hre) => {
      const { readAllPledges, describePledge } = await import("../lib/pledge");
      const level = a.level.toUpperCase();
      if (level !== "" && !LEVELS.includes(level)) throw new UserError(`--level "${a.level}" is not one of ${LEVELS.join(", ")}`);
      const rows = (await readAllPledges(await book(hre)))
        .filter((p) => level === "" || (p.status === "Active" && p.level.toUpperCase() === level))
        .filter((p) => a.status === "" || p.status.toLowerCase() === a.status.toLowerCase())
        .map(describePledge);
      output(a.json, rows, () =>
        printTable(
          rows,
          ["id", "status", "level", "pledger", "pledgee", "shares", "principal", "lines", "valued", "topUpDue"],
          `${rows.length} pledge(s)`,
        ),
      );
    }),
  );
