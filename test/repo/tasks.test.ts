import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { pushEquity, repoFixture, WAD } from "./fixtures";
import { dayToIso } from "../../lib/dates";
import { runJson } from "../helpers/tasks";

describe("repo tasks", function () {
  it("take a deal from a terms file to a margin call, shown and exported as CSV", async function () {
    const f = await loadFixture(repoFixture);
    process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repo-tasks-"));
    const file = path.join(dir, "deal.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        borrower: f.ids.bankA,
        lender: f.ids.bankB,
        borrowerAccount: f.borrower.address,
        lenderAccount: f.lender.address,
        security: await f.equity.getAddress(),
        quantity: "1000",
        currency: "RUB",
        purchasePrice: "200000.00",
        repoRate: "0.12",
        basis: 365,
        tradeDate: dayToIso(f.days[0]),
        startDate: dayToIso(f.days[0]),
        repurchaseDate: dayToIso(f.today + 10),
        initialLtv: "0.8",
        lowerTrigger: "0.75",
        upperTrigger: "0.85",
        marginDeadlineDays: 2,
        minimumTransfer: "1000.00",
        cashMarginRate: "0.08",
        calendar: "XMOS",
      }),
    );
    const proposed = await runJson("repo:propose", { terms: file, from: "2" });
    const id = String(proposed.dealId);
    await runJson("repo:sign", { id, from: "2", ttl: 600, submit: true });
    await runJson("repo:sign", { id, from: "4", ttl: 600, submit: true });
    await runJson("repo:accept", { id, from: "0" });
    await runJson("repo:settle-opening", { id, offChain: false, from: "0" });
    await pushEquity(f, f.days[5], 200n * WAD);
    const run = await runJson("repo:revalue", { date: dayToIso(f.days[5]), batchSize: 100 });
    expect((run.calls as { event: string }[])[0].event).to.equal("raised");
    const shown = await runJson("repo:show", { id, last: 5 });
    expect(shown.status).to.equal("Active");
    expect(shown.position).to.equal("above the upper trigger");
    expect((shown.obligations as { status: string }[])[0].status).to.equal("Open");
    const csv = path.join(dir, "history.csv");
    await runJson("repo:history", { id, csv });
    const lines = fs.readFileSync(csv, "utf8").trim().split("\n");
    expect(lines).to.have.length(2);
    expect(lines[1]).to.contain("BorrowerCall");
  });

  it("names a bad terms file's problem", async function () {
    const f = await loadFixture(repoFixture);
    process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "repo-tasks-")), "bad.json");
    fs.writeFileSync(file, JSON.stringify({ currency: "RUB", borrower: 2 }));
    await expect(hre.run("repo:propose", { terms: file, json: true })).to.be.rejectedWith(/"lender" is missing/);
  });
});
