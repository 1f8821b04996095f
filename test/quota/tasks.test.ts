import { expect } from "chai";
import hre, { ethers } from "hardhat";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { suiteFixture } from "../helpers/suite";
import { runJson } from "../helpers/tasks";
import { investorKey, labelBytes } from "../../lib/quota";
import type { QuotaRegistry } from "../../typechain-types";
import { skipUnderCoverage } from "../helpers/runs";

const SALT = ethers.id("task-salt");
const ALICE = investorKey(SALT, "passport 1");

async function taskFixture() {
  const suite = await suiteFixture();
  const deploymentsDir = process.env.DEPLOYMENTS_DIR!;
  const quota = (await ethers.getContractAt("QuotaRegistry", suite.contracts.QuotaRegistry)) as unknown as QuotaRegistry;
  await quota.setQuota(ALICE, 1_000_00n);
  await quota.registerOffering(10_000_00n, 0, labelBytes("seed"));
  const expiry = BigInt(await time.latest()) + 600n;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "csd-quota-batch-")), "ops.json");
  fs.writeFileSync(
    file,
    JSON.stringify([
      { investor: "passport 1", offering: 1, amount: "250.00" },
      { investor: ALICE, offering: 1, amount: "100", expiry: String(expiry) },
      { investor: "passport 1", offering: 1, amount: "5,000" },
    ]),
  );
  return { ...suite, quota, file, expiry, deploymentsDir };
}

describe("quota tasks", function () {
  before(function () {
    skipUnderCoverage(this);
  });

  describe("quota:batch", function () {
    it("commits a batch, reports each item's result, and recognises a retry", async function () {
      const f = await loadFixture(taskFixture);
      process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
      const args = { file: f.file, firstRef: "40", atomic: false, salt: SALT, from: f.actors.platformA.address };
      const out = await runJson("quota:batch", args);
      expect(out.replay).to.equal(false);
      expect(out.items.map((r: { seqRef: string; op: string; result: string }) => [r.seqRef, r.op, r.result])).to.deep.equal([
        ["40", "consume", "Ok"],
        ["41", "reserve", "Ok"],
        ["42", "consume", "InvestorLimitExceeded"],
      ]);
      const again = await runJson("quota:batch", args);
      expect(again.replay).to.equal(true);
      expect(again.items.map((r: { result: string }) => r.result)).to.deep.equal(["Ok", "Ok", "InvestorLimitExceeded"]);
      expect(await f.quota.usageOf(ALICE, await f.quota.currentPeriod())).to.deep.equal([250_00n, 100_00n]);
    });

    it("refuses a conflicting reuse with one clear line and a bad file with its item", async function () {
      const f = await loadFixture(taskFixture);
      process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
      await runJson("quota:batch", { file: f.file, firstRef: "0", atomic: false, salt: SALT, from: f.actors.platformA.address });
      await expect(
        hre.run("quota:batch", { file: f.file, firstRef: "1", atomic: false, salt: SALT, from: f.actors.platformA.address, json: true }),
      ).to.be.rejectedWith(/QuotaSequenceConflict\(\d+, 1\)/);
      const bad = path.join(path.dirname(f.file), "bad.json");
      fs.writeFileSync(bad, JSON.stringify([{ investor: "passport 1", offering: 0, amount: "1" }]));
      await expect(
        hre.run("quota:batch", { file: bad, firstRef: "9", atomic: false, salt: SALT, from: f.actors.platformA.address, json: true }),
      ).to.be.rejectedWith(/item 0: "offering" is not an offering id/);
    });
  });

  describe("reservation lifetime", function () {
    it("quota:reserve refuses a --ttl past the lifetime before sending anything", async function () {
      const f = await loadFixture(taskFixture);
      process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
      const from = f.actors.platformA.address;
      const args = { ref: "cart-1", investor: ALICE, offering: "1", amount: "10", from, json: true };
      const before = await ethers.provider.getTransactionCount(from);
      await expect(hre.run("quota:reserve", { ...args, ttl: String(8 * 86_400) })).to.be.rejectedWith(
        /--ttl 691200 would run the reservation past \d+ .*reservations live at most 604800 s and end with their period/,
      );
      expect(await ethers.provider.getTransactionCount(from)).to.equal(before);
      const out = await runJson("quota:reserve", { ...args, ttl: "900" });
      expect(out.reserved).to.equal("10.00");
    });

    it("quota:batch refuses an item reserving past the lifetime before sending anything", async function () {
      const f = await loadFixture(taskFixture);
      process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
      const from = f.actors.platformA.address;
      const far = BigInt(await time.latest()) + 30n * 86_400n;
      const file = path.join(path.dirname(f.file), "far.json");
      fs.writeFileSync(file, JSON.stringify([{ investor: ALICE, offering: 1, amount: "1", expiry: String(far) }]));
      const before = await ethers.provider.getTransactionCount(from);
      await expect(hre.run("quota:batch", { file, firstRef: "5", atomic: false, salt: SALT, from, json: true })).to.be.rejectedWith(
        new RegExp(`item 0: expiry ${far} is past the latest allowed now`),
      );
      expect(await ethers.provider.getTransactionCount(from)).to.equal(before);
    });
  });

  describe("quota:seq", function () {
    it("shows, confirms and refunds an item with its proof; anyone expires after the expiry", async function () {
      const f = await loadFixture(taskFixture);
      process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
      const from = f.actors.platformA.address;
      await runJson("quota:batch", { file: f.file, firstRef: "7", atomic: false, salt: SALT, from });
      await runJson("quota:batch", { file: f.file, firstRef: "70", atomic: false, salt: SALT, from });
      const shown = await runJson("quota:seq", { seq: "9", action: "show", from });
      expect([shown.status, shown.batch, shown.op]).to.deep.equal(["Refused (InvestorLimitExceeded)", "7", "consume"]);
      expect((await runJson("quota:seq", { seq: "8", action: "confirm", from })).status).to.equal("Confirmed");
      expect((await runJson("quota:seq", { seq: "7", action: "refund", batchFirst: "7", from })).status).to.equal("Refunded");
      await time.increaseTo(f.expiry);
      const expired = await runJson("quota:seq", {
        seq: "71",
        action: "expire",
        platform: String(f.ids.platformA),
        from: f.actors.stranger.address,
      });
      expect(expired.status).to.equal("Expired");
      await expect(hre.run("quota:seq", { seq: "500", action: "show", from, json: true })).to.be.rejectedWith(/no committed batch/);
      const bulk = await runJson("quota:seq-batch", { batchFirst: "70", action: "refund", seqs: "70-71,72", from });
      expect(bulk.items.map((r: { outcome: string }) => r.outcome)).to.deep.equal([
        "refund",
        "refused: InvalidState",
        "refused: InvalidState",
      ]);
      expect(bulk.applied).to.equal(1);
      await expect(hre.run("quota:seq-batch", { batchFirst: "70", action: "refund", seqs: "69", from, json: true })).to.be.rejectedWith(
        /69 is not in batch 70/,
      );
      await expect(hre.run("quota:seq", { seq: "8", action: "burn", from, json: true })).to.be.rejectedWith(/--action "burn"/);
    });
  });

  describe("Reg CF", function () {
    it("registers a Reg CF offering, marks an investor accredited, sets the issuer cap and shows the windows", async function () {
      const f = await loadFixture(taskFixture);
      process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
      const admin = f.actors.csd.address;
      const offering = await runJson("quota:offering", { cap: "1,000,000", perInvestor: "0", name: "farm", issuer: "41", from: admin });
      expect([offering.offering, offering.regime, offering.issuer]).to.deep.equal([2 ** 31 + 2, "Reg CF", 41]);
      const cf = String(offering.offering);
      const consumed = await runJson("quota:consume", {
        ref: "o-1",
        investor: ALICE,
        offering: cf,
        amount: "600",
        ttl: "900",
        from: f.actors.platformA.address,
      });
      expect([consumed.used, consumed.available, consumed.days, consumed.result]).to.deep.equal(["600.00", "400.00", 1, "consume"]);
      const from = f.actors.platformB.address;
      const before = await ethers.provider.getTransactionCount(from);
      await expect(
        hre.run("quota:consume", { ref: "o-2", investor: ALICE, offering: cf, amount: "500", ttl: "900", from, json: true }),
      ).to.be.rejectedWith(/the contract refused: QuotaInvestorLimitExceeded\(0x[0-9a-f]+, 50000, 40000\)/);
      expect(await ethers.provider.getTransactionCount(from)).to.equal(before);
      const marked = await runJson("quota:accredited", { investor: ALICE, unmark: false, from: admin });
      expect([marked.accredited, marked.limit, marked.available]).to.deep.equal([true, "unlimited", "unlimited"]);
      await expect(hre.run("quota:accredited", { investor: ALICE, unmark: false, from: admin, json: true })).to.be.rejectedWith(
        /QuotaAccreditedUnchanged/,
      );
      expect((await runJson("quota:issuer-cap", {})).issuerCap).to.equal("5,000,000.00");
      expect((await runJson("quota:issuer-cap", { cap: "700", from: admin })).issuerCap).to.equal("700.00");
      await expect(hre.run("quota:issuer-cap", { cap: "700", from: admin, json: true })).to.be.rejectedWith(
        /QuotaIssuerCapUnchanged\(70000\)/,
      );
      const issuer = await runJson("quota:window", { issuer: "41" });
      expect([issuer.used, issuer.cap, issuer.available, issuer.days]).to.deep.equal(["600.00", "700.00", "100.00", 1]);
      const shown = await runJson("quota:window", { investor: ALICE });
      expect(shown.used).to.equal("600.00");
    });
  });
});
