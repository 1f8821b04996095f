import fs from "node:fs";
import path from "node:path";
import type { Chapter, Story } from "./story";
import type { RepoBook } from "../../typechain-types";
import { historyCsv, repoHistory } from "../../lib/repo";
import { ltvChartSvg } from "../../lib/repo/chart";
import { auditReplay } from "../../lib/audit/replay";
import { deploymentContracts, fetchEvents, flattenArgs } from "../../lib/core/events";
import { participantsOf, registryLookup } from "../../lib/notify/parties";
import { emailOf } from "../../lib/notify/watcher";
import { deploymentPath } from "../../lib/core/deployments";
import { dayToIso } from "../../lib/core/dates";

const ROLE_LABELS: Record<string, string> = {
  csd: "depository",
  bankA: "bank A",
  bankB: "bank B",
  broker: "broker",
  platformA: "platform A",
  platformB: "platform B",
  oracle: "market-data vendor",
  regulator: "regulator",
};

/** Participant id → short name, from the ids the onboarding chapter recorded. */
function participantNames(story: Story): (id: number) => string {
  const names = new Map<number, string>();
  for (const [role, v] of Object.entries(story.ids)) {
    if (Array.isArray(v)) v.forEach((id, i) => names.set(id, `investor ${i + 1}`));
    else names.set(v, ROLE_LABELS[role] ?? role);
  }
  return (id) => `${names.get(id) ?? "participant"} (${id})`;
}

/** The notices the watcher sends for the repo's margin call and the pledge's warning, with their recipients. */
async function printNotices(story: Story): Promise<void> {
  const { hre, deployment } = story;
  const provider = hre.ethers.provider;
  const followed = await deploymentContracts(hre, deployment, ["RepoBook", "PledgeBook"]);
  const events = await fetchEvents(provider, followed, deployment.block, await provider.getBlockNumber());
  const wanted = events.filter(
    (e) => e.event === "MarginCallRaised" || e.event === "MarginCallSettled" || (e.event === "PledgeLevelChanged" && e.args.to === "1"),
  );
  const ctx = { provider, deployment, participantOf: registryLookup(provider, deployment.contracts.ParticipantRegistry) };
  const name = participantNames(story);
  const rows: Record<string, unknown>[] = [];
  for (const ev of wanted) {
    const participants = await participantsOf(ev, ctx);
    const a = flattenArgs(ev.args);
    const what =
      ev.event === "MarginCallRaised"
        ? `deal ${a.dealId}: call on ${a.side === "0" ? "the borrower" : "the lender"}, due ${dayToIso(Number(a.dueDate))}`
        : ev.event === "MarginCallSettled"
          ? `deal ${a.dealId}: settled in ${a.inSecurities === "true" ? `${a.amount} securities` : "cash"}`
          : `pledge #${a.id}: Normal → Warning on ${dayToIso(Number(a.date))}`;
    rows.push({ "e-mail subject": emailOf(ev, participants).subject, what, block: ev.blockNumber, to: participants.map(name).join(", ") });
  }
  story.table(
    rows,
    ["e-mail subject", "what", "block", "to"],
    "What `npx hardhat watch` sends (e-mail and signed webhook to each participant concerned)",
  );
}

const chapter: Chapter = {
  title: "Reports: notifications, the repo's history and chart, the auditor's replay",
  async run(story) {
    const { hre, actors, deployment, outDir } = story;
    const { ethers } = hre;

    await printNotices(story);

    const files: { file: string; what: string }[] = [];
    const write = (name: string, text: string, what: string) => {
      fs.writeFileSync(path.join(outDir, name), text);
      files.push({ file: name, what });
    };

    const { book: bookAddress, dealId } = story.state.repo as { book: string; dealId: string };
    const book = (await ethers.getContractAt("RepoBook", bookAddress, actors.csd)) as unknown as RepoBook;
    const id = BigInt(dealId);
    const t = await book.terms(id);
    const factory = await ethers.getContractAt("TokenFactory", deployment.contracts.TokenFactory);
    const cash = await ethers.getContractAt("CashToken", await factory.cashByCurrency(t.currency));
    const rows = await repoHistory(book, id, Number(await cash.decimals()), deployment.block);
    write(`repo-${id}-history.csv`, historyCsv(rows), `repo deal ${id}: ${rows.length} history rows, every input and output`);
    write(
      `repo-${id}-ltv.svg`,
      ltvChartSvg(rows, { title: `Repo deal ${id}: LTV against its corridor`, initialLtv: Number(ethers.formatUnits(t.initialLtv, 18)) }),
      `repo deal ${id}: LTV chart, margin calls marked`,
    );

    const report = await auditReplay(hre, { deployment });
    write("audit-replay.json", JSON.stringify(report, null, 2) + "\n", `audit replay: ${report.mismatches.length} mismatches`);
    files.push({ file: path.basename(deploymentPath(hre.network.name)), what: "deployments: contract addresses" });

    story.say("\nThe auditor's replay rebuilds every revaluation and valuation with the reference calculator:");
    story.table(
      report.counts.map((c) => ({ contract: c.contract, event: c.event, replayed: c.replayed, mismatched: c.mismatched })),
      ["contract", "event", "replayed", "mismatched"],
      `npx hardhat audit:replay (blocks ${report.fromBlock}..${report.toBlock}, replayers: ${report.replayers.join(", ")})`,
    );
    if (report.mismatches.length > 0) {
      story.table(
        report.mismatches as unknown as Record<string, unknown>[],
        ["event", "blockNumber", "field", "onChain", "expected"],
        "Mismatches",
      );
      throw new Error(`the audit replay found ${report.mismatches.length} mismatch(es)`);
    }
    story.say("no mismatch: every replayed event equals the reference calculator\n");

    story.table(
      files.map((f) => ({ ...f, bytes: fs.statSync(path.join(outDir, f.file)).size.toLocaleString("en-US") })),
      ["file", "what", "bytes"],
      `Files in ${path.relative(process.cwd(), outDir) || "."}/`,
    );
  },
};
export default chapter;
