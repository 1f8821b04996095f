import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { pushEquity, repoFixture, WAD } from "./fixtures";
import { dayToIso } from "../../lib/core/dates";
import { runJson } from "../helpers/tasks";
import { RepoTermsJson, termsFromJson } from "../../lib/repo";
import { skipUnderCoverage } from "../helpers/runs";

describe("repo tasks", function () {
  before(function () {
    skipUnderCoverage(this);
  });

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

  describe("terms file margin method", function () {
    const ADDRESS = "0x000000000000000000000000000000000000dEaD";
    const base: RepoTermsJson = {
      borrower: 2,
      lender: 3,
      borrowerAccount: ADDRESS,
      lenderAccount: ADDRESS,
      security: ADDRESS,
      quantity: "1000",
      currency: "RUB",
      purchasePrice: "200000.00",
      repoRate: "0.12",
      basis: 365,
      tradeDate: "2026-11-09",
      startDate: "2026-11-09",
      repurchaseDate: "2026-11-20",
      initialLtv: "0.8",
      lowerTrigger: "0.75",
      upperTrigger: "0.85",
      marginDeadlineDays: 2,
      minimumTransfer: "1000.00",
      cashMarginRate: "0.08",
      calendar: "XMOS",
    };

    it("reads a deal without a method as Method B", function () {
      const t = termsFromJson(base, 2);
      expect([t.marginMethod, t.marginRatio]).to.deep.equal([0, 0n]);
    });

    it("reads a Method A deal with its margin ratio and no corridor", function () {
      const { initialLtv, lowerTrigger, upperTrigger, ...rest } = base;
      void [initialLtv, lowerTrigger, upperTrigger];
      const t = termsFromJson({ ...rest, marginMethod: "A", marginRatio: "1.25" } as RepoTermsJson, 2);
      expect([t.marginMethod, t.marginRatio, t.initialLtv, t.upperTrigger]).to.deep.equal([1, (125n * WAD) / 100n, 0n, 0n]);
    });

    it("names a missing margin ratio and an unknown method", function () {
      expect(() => termsFromJson({ ...base, marginMethod: "A" }, 2)).to.throw(/"marginRatio" is missing/);
      expect(() => termsFromJson({ ...base, marginMethod: "C" }, 2)).to.throw(/marginMethod "C" is not one of B, A/);
    });
  });

  it("names a bad terms file's problem", async function () {
    const f = await loadFixture(repoFixture);
    process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "repo-tasks-")), "bad.json");
    fs.writeFileSync(file, JSON.stringify({ currency: "RUB", borrower: 2 }));
    await expect(hre.run("repo:propose", { terms: file, json: true })).to.be.rejectedWith(/"lender" is missing/);
  });
});
