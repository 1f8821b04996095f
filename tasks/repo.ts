import fs from "node:fs";
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { action } from "../lib/core/task";
import { output, printTable, UserError } from "../lib/core/cli";
import { pickSigner } from "../lib/core/suite";
import { registerRevaluer } from "../lib/oracle/revalue";
import { isoToDay } from "../lib/core/dates";

// The daily cycle: `oracle:push` revalues the open repos holding an updated security after every push.
registerRevaluer("repo", async (hre, signer, updated) => {
  const { revalueUpdated } = await import("../lib/repo");
  const r = await revalueUpdated(hre, signer, updated);
  return { revalued: r.revalued, marginCalls: r.marginCalls, note: r.note };
});

function dealId(value: string): bigint {
  if (!/^\d+$/.test(value) || BigInt(value) < 1n) throw new UserError(`--id "${value}" is not a deal id (1, 2, …)`);
  return BigInt(value);
}

function side(value: string): number {
  const v = value.toLowerCase();
  if (v === "borrower") return 0;
  if (v === "lender") return 1;
  throw new UserError(`--side "${value}" is neither borrower nor lender`);
}

function dateArg(value: string, name: string): number {
  try {
    return isoToDay(value);
  } catch {
    throw new UserError(`--${name} "${value}" is not an ISO date (YYYY-MM-DD)`);
  }
}

function reference(value: string | undefined, hre: HardhatRuntimeEnvironment): string {
  if (!value) return hre.ethers.ZeroHash;
  if (/^0x[0-9a-fA-F]{64}$/.test(value)) return value;
  if (value.length > 31) throw new UserError(`--ref "${value}" is longer than 31 characters`);
  return hre.ethers.encodeBytes32String(value);
}

async function sendAndReport(json: boolean | undefined, label: string, tx: Promise<{ wait(): Promise<unknown>; hash: string }>) {
  const t = await tx;
  const receipt = (await t.wait()) as { gasUsed: bigint; blockNumber: number };
  output(json, { action: label, txHash: t.hash, gasUsed: receipt.gasUsed, block: receipt.blockNumber }, () =>
    console.log(`${label} (tx ${t.hash}, ${receipt.gasUsed} gas)`),
  );
}

task("repo:propose", "Proposes a repo deal from a JSON terms file (a party's signer or the agent)")
  .addParam("terms", "JSON file of terms in natural units (see docs/repo.md)", undefined, types.string)
  .addOptionalParam("from", "Proposer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { terms: string; from?: string; json: boolean }, hre) => {
      const r = await import("../lib/repo");
      const terms = await r.readTermsFile(hre, a.terms);
      const book = await r.repoBookAt(hre, await pickSigner(hre, a.from));
      const { id, receipt } = await r.propose(book, terms);
      const termsHash = await book.termsHash(id);
      output(a.json, { dealId: id, termsHash, txHash: receipt.hash, gasUsed: receipt.gasUsed }, () =>
        console.log(`deal ${id} proposed: both parties now sign terms hash ${termsHash} (repo:sign --id ${id}); tx ${receipt.hash}`),
      );
    }),
  );

task("repo:sign", "Signs a deal's terms with EIP-712 as a party's authorised signer; prints or submits the signature")
  .addParam("id", "Deal id", undefined, types.string)
  .addOptionalParam("from", "Signer: account index or address", undefined, types.string)
  .addOptionalParam("ttl", "Seconds the signature stays valid", 3600, types.int)
  .addOptionalParam("signature", "Submit this signature (made elsewhere) instead of signing", undefined, types.string)
  .addOptionalParam("signer", "With --signature: the address that signed", undefined, types.string)
  .addOptionalParam("deadline", "With --signature: its deadline (UNIX seconds)", undefined, types.string)
  .addFlag("submit", "Send the signature to the book (otherwise print it for someone else to submit)")
  .addFlag("json", "Print JSON")
  .setAction(
    action(
      async (
        a: {
          id: string;
          from?: string;
          ttl: number;
          signature?: string;
          signer?: string;
          deadline?: string;
          submit: boolean;
          json: boolean;
        },
        hre,
      ) => {
        const r = await import("../lib/repo");
        const id = dealId(a.id);
        const me = await pickSigner(hre, a.from);
        const book = await r.repoBookAt(hre, me);
        if (a.signature) {
          if (!a.signer || !a.deadline) throw new UserError("--signature needs --signer and --deadline");
          return sendAndReport(
            a.json,
            `signature of ${a.signer} recorded on deal ${id}`,
            book.sign(id, a.signer, BigInt(a.deadline), a.signature),
          );
        }
        const block = await hre.ethers.provider.getBlock("latest");
        const deadline = BigInt(block!.timestamp + a.ttl);
        const sig = await r.signTerms(book, me, id, deadline);
        if (a.submit)
          return sendAndReport(
            a.json,
            `signature of ${sig.signer} recorded on deal ${id}`,
            book.sign(id, sig.signer, deadline, sig.signature),
          );
        output(a.json, { dealId: id, ...sig }, () =>
          printTable([{ deal: id, signer: sig.signer, nonce: sig.nonce, deadline: sig.deadline, signature: sig.signature }]),
        );
      },
    ),
  );

task("repo:accept", "Accepts a signed deal (tri-party agent)")
  .addParam("id", "Deal id", undefined, types.string)
  .addOptionalParam("from", "Agent: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { id: string; from?: string; json: boolean }, hre) => {
      const { repoBookAt } = await import("../lib/repo");
      const book = await repoBookAt(hre, await pickSigner(hre, a.from));
      await sendAndReport(a.json, `deal ${a.id} accepted`, book.accept(dealId(a.id)));
    }),
  );

task("repo:settle-opening", "Settles the opening leg through tokens, or confirms an off-chain settlement (agent)")
  .addParam("id", "Deal id", undefined, types.string)
  .addFlag("offChain", "Confirm a settlement made off chain instead of moving tokens")
  .addOptionalParam("ref", "Off-chain settlement reference", undefined, types.string)
  .addOptionalParam("from", "Agent: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { id: string; offChain: boolean; ref?: string; from?: string; json: boolean }, hre) => {
      const { repoBookAt } = await import("../lib/repo");
      const book = await repoBookAt(hre, await pickSigner(hre, a.from));
      const id = dealId(a.id);
      await sendAndReport(
        a.json,
        `deal ${id} opened ${a.offChain ? "(confirmed off chain)" : "(tokens moved)"}`,
        a.offChain ? book.confirmOpening(id, reference(a.ref, hre)) : book.settleOpening(id),
      );
    }),
  );

task("repo:revalue", "Revalues deals for a business date (anyone); lists margin calls raised")
  .addParam("date", "Business date, YYYY-MM-DD", undefined, types.string)
  .addOptionalParam("ids", "Comma-separated deal ids (default: every open deal)", undefined, types.string)
  .addOptionalParam("batchSize", "Deals per transaction", 100, types.int)
  .addOptionalParam("from", "Account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { date: string; ids?: string; batchSize: number; from?: string; json: boolean }, hre) => {
      const r = await import("../lib/repo");
      const { readDeployment } = await import("../lib/core/deployments");
      const { dayToIso } = await import("../lib/core/dates");
      const date = dateArg(a.date, "date");
      const book = await r.repoBookAt(hre, await pickSigner(hre, a.from));
      let ids: bigint[];
      if (a.ids) ids = a.ids.split(",").map((x) => dealId(x.trim()));
      else ids = [...(await r.openDealsBySecurity(book, readDeployment(hre.network.name)?.block ?? 0)).values()].flat();
      if (ids.length === 0) throw new UserError("no open deal to revalue");
      const run = await r.revalueInBatches(book, ids, date, a.batchSize);
      output(a.json, run, () => {
        printTable(
          run.rows.map((x) => ({
            deal: x.dealId,
            outcome: x.outcome,
            reason: x.reason ?? "",
            "old LTV": x.oldLtv !== undefined ? r.pct(x.oldLtv) : "",
            LTV: x.ltv !== undefined ? r.pct(x.ltv) : "",
            action: x.action ?? "",
          })),
          undefined,
          `revaluation ${a.date}: ${run.transactions} transaction(s), ${run.gasUsed} gas`,
        );
        if (run.calls.length > 0)
          printTable(
            run.calls.map((c) => ({
              deal: c.dealId,
              side: c.side,
              event: c.event,
              cash: c.cash ?? "",
              quantity: c.quantity ?? "",
              due: c.dueDate ? dayToIso(c.dueDate) : "",
            })),
            undefined,
            "margin calls",
          );
        if (run.failed.length > 0)
          printTable(
            run.failed.map((f) => ({ deals: f.dealIds.join(","), error: f.error })),
            undefined,
            `failed batches (the other batches ran; revalue these deals again)`,
          );
      });
    }),
  );

task("repo:show", "Shows a deal: terms, LTV against the corridor, obligations and recent history")
  .addParam("id", "Deal id", undefined, types.string)
  .addOptionalParam("last", "History rows to show", 5, types.int)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { id: string; last: number; json: boolean }, hre) => {
      const r = await import("../lib/repo");
      const { view, obligations, history } = await r.describeDeal(hre, await r.repoBookAt(hre), dealId(a.id), a.last);
      const id = view.dealId;
      output(a.json, { ...view, obligations, history }, () => {
        printTable(
          Object.entries(view).map(([k, v]) => ({ term: k, value: v })),
          ["term", "value"],
          `repo deal ${id}`,
        );
        printTable(obligations, ["side", "status", "raised", "due", "cash", "quantity"], "obligations");
        printTable(
          history as unknown as Record<string, unknown>[],
          [
            "date",
            "event",
            "cleanPrice",
            "marketValue",
            "exposure",
            "transactionExposure",
            "oldLtv",
            "ltv",
            "action",
            "callCash",
            "callQuantity",
            "note",
          ],
          "recent history",
        );
      });
    }),
  );

task(
  "repo:history",
  "Writes a deal's recalculation history (every revaluation's inputs and outputs) to CSV, and a chart of LTV against the corridor",
)
  .addParam("id", "Deal id", undefined, types.string)
  .addParam("csv", "Output CSV file", undefined, types.string)
  .addOptionalParam("chart", "Output SVG chart of LTV against the corridor, margin calls marked", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { id: string; csv: string; chart?: string; json: boolean }, hre) => {
      const r = await import("../lib/repo");
      const { readDeployment } = await import("../lib/core/deployments");
      const book = await r.repoBookAt(hre);
      const id = dealId(a.id);
      const t = await book.terms(id);
      const rows = await r.repoHistory(book, id, await r.cashDecimalsOf(hre, t.currency), readDeployment(hre.network.name)?.block ?? 0);
      fs.writeFileSync(a.csv, r.historyCsv(rows));
      if (a.chart) {
        const { ltvChartSvg } = await import("../lib/repo/chart");
        fs.writeFileSync(
          a.chart,
          ltvChartSvg(rows, {
            title: `Repo deal ${id}: LTV against its corridor`,
            initialLtv: Number(hre.ethers.formatUnits(t.initialLtv, 18)),
          }),
        );
      }
      output(a.json, { dealId: id, file: a.csv, chart: a.chart, rows: rows.length }, () =>
        console.log(`${rows.length} history row(s) of deal ${id} written to ${a.csv}${a.chart ? `, chart to ${a.chart}` : ""}`),
      );
    }),
  );

task("repo:settle-obligation", "Settles an open margin call: through tokens by the party that owes, or confirmed by the agent")
  .addParam("id", "Deal id", undefined, types.string)
  .addParam("side", "Party that owes: borrower or lender", undefined, types.string)
  .addOptionalParam("in", "securities or cash", "securities", types.string)
  .addFlag("offChain", "Agent confirms a settlement made off chain")
  .addOptionalParam("ref", "Off-chain settlement reference", undefined, types.string)
  .addOptionalParam("from", "Account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { id: string; side: string; in: string; offChain: boolean; ref?: string; from?: string; json: boolean }, hre) => {
      const { repoBookAt } = await import("../lib/repo");
      if (!["securities", "cash"].includes(a.in)) throw new UserError(`--in "${a.in}" is neither securities nor cash`);
      const book = await repoBookAt(hre, await pickSigner(hre, a.from));
      const id = dealId(a.id);
      const inSecurities = a.in === "securities";
      await sendAndReport(
        a.json,
        `${a.side} call on deal ${id} settled in ${a.in}${a.offChain ? " (confirmed off chain)" : ""}`,
        a.offChain
          ? book.confirmObligation(id, side(a.side), inSecurities, reference(a.ref, hre))
          : book.settleObligation(id, side(a.side), inSecurities),
      );
    }),
  );

task("repo:mark-overdue", "Marks a margin call past its due date overdue: the deal defaults (a party or the agent)")
  .addParam("id", "Deal id", undefined, types.string)
  .addParam("side", "Party that owes: borrower or lender", undefined, types.string)
  .addOptionalParam("from", "Account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { id: string; side: string; from?: string; json: boolean }, hre) => {
      const { repoBookAt } = await import("../lib/repo");
      const book = await repoBookAt(hre, await pickSigner(hre, a.from));
      await sendAndReport(a.json, `deal ${a.id} defaulted: ${a.side} call overdue`, book.markOverdue(dealId(a.id), side(a.side)));
    }),
  );

task("repo:repurchase", "Settles the closing leg at the repurchase date (or after an agreed termination) (agent)")
  .addParam("id", "Deal id", undefined, types.string)
  .addFlag("offChain", "Confirm a closing leg settled off chain")
  .addOptionalParam("from", "Agent: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { id: string; offChain: boolean; from?: string; json: boolean }, hre) => {
      const { repoBookAt } = await import("../lib/repo");
      const book = await repoBookAt(hre, await pickSigner(hre, a.from));
      const id = dealId(a.id);
      await sendAndReport(a.json, `deal ${id} closed`, a.offChain ? book.confirmRepurchase(id) : book.settleRepurchase(id));
    }),
  );

task("repo:terminate", "Records a party's agreement to terminate early; with both, the agent settles the closing leg")
  .addParam("id", "Deal id", undefined, types.string)
  .addOptionalParam("from", "Party signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { id: string; from?: string; json: boolean }, hre) => {
      const { repoBookAt } = await import("../lib/repo");
      const book = await repoBookAt(hre, await pickSigner(hre, a.from));
      await sendAndReport(a.json, `termination of deal ${a.id} agreed`, book.agreeTermination(dealId(a.id)));
    }),
  );
