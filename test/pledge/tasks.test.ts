import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { pledgeFixture, pushPrice, PLEDGED } from "./fixtures";
import { EQUITY_ISIN } from "../token/fixtures";
import { dayToIso } from "../../lib/core/dates";
import { runJson } from "../helpers/tasks";
import { buildTerms } from "../../lib/pledge";
import { skipUnderCoverage } from "../helpers/runs";

/** pledge:request arguments: `quantity` shares against `principal`, over a year from `start`. */
function requestArgs(
  f: { pledger: { address: string }; pledgee: { address: string } },
  start: number,
  quantity: string,
  principal: string,
  from: string,
) {
  return {
    pledger: f.pledger.address,
    pledgee: f.pledgee.address,
    security: EQUITY_ISIN,
    cash: "RUB",
    quantity,
    principal,
    rate: "0.065",
    start: dayToIso(start),
    maturity: dayToIso(start + 365),
    warning: "",
    liquidation: "",
    target: "",
    topUpDays: 2,
    calendar: "",
    dayCount: "Act365Fixed",
    pledgerSig: "",
    pledgeeSig: "",
    deadline: "",
    register: false,
    from,
  };
}

async function pledgeTaskFixture() {
  const f = await pledgeFixture();
  const start = f.today - 30;
  await pushPrice(f, start, "25");
  return { ...f, start };
}

describe("pledge tasks", function () {
  before(function () {
    skipUnderCoverage(this);
  });

  it("take a pledge from request to a warning-level valuation, a repayment and a partial release", async function () {
    const f = await loadFixture(pledgeTaskFixture);
    process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
    const signers = await hre.ethers.getSigners();
    const index = (addr: string) => String(signers.findIndex((s) => s.address === addr));

    // 1,000,000 shares at 25.00 against 10,000,000.00: 250 % at the start.
    const requested = await runJson("pledge:request", requestArgs(f, f.start, PLEDGED.toString(), "10000000.00", index(f.pledger.address)));
    expect(requested.status).to.equal("Requested");
    const id = String(requested.id);

    await runJson("pledge:sign", { id, terms: "", deadline: "", from: index(f.pledgee.address) });
    const registered = await runJson("pledge:register", { id, from: "0" });
    expect(registered.status).to.equal("Active");
    expect(await f.equity.encumbered(f.pledger.address, f.book.target as string, BigInt(id))).to.equal(PLEDGED);

    // The close falls to 15.00: about 150 % — at or below the 160 % warning line, above 140 %.
    const day = f.today - 5;
    await pushPrice(f, day, "15");
    await runJson("pledge:value", { ids: id, date: dayToIso(day), from: "0" });
    const warned = await runJson("pledge:list", { level: "WARNING", status: "" });
    expect(warned.map((p: { id: unknown }) => String(p.id))).to.deep.equal([id]);
    expect(await runJson("pledge:list", { level: "LIQUIDATION", status: "" })).to.deep.equal([]);
    // The figures: 10,000,000.00 against 25,000,000.00 of shares at the start (40 %); 25 days of interest make
    // 10,044,520.55 payable, so the warning line is hit at 1.6 x 10,044,520.55 / 1,000,000 = 16.07123288 and
    // the liquidation line at 1.4 x 10,044,520.55 / 1,000,000 = 14.06232877.
    const shown = await runJson("pledge:show", { id });
    expect([shown.initialPrice, shown.initialRate, shown.boardLot]).to.deep.equal(["25.0", "40.00%", "1"]);
    expect([shown.warningPrice, shown.liquidationPrice]).to.deep.equal(["16.07123288", "14.06232877"]);
    expect([shown.topUpShares, shown.topUpCash]).to.deep.equal(["0", "0.00"]);

    const repaid = await runJson("pledge:repay", { id, amount: "1000000.00", date: dayToIso(day), from: index(f.pledgee.address) });
    // 25 days of interest at 6.5 % on 10,000,000.00 (ACT/365, rounded up) = 44,520.55 is paid first.
    expect(repaid.principal).to.equal("9044520.55");
    expect(repaid.interestToAccruedTo).to.equal("0.00");

    const released = await runJson("pledge:release", { id, shares: "100000", cash: "0", from: index(f.pledgee.address) });
    expect(released.shares).to.equal(PLEDGED - 100_000n);
    expect(await f.equity.encumbered(f.pledger.address, f.book.target as string, BigInt(id))).to.equal(PLEDGED - 100_000n);
  });

  it("refuses a release by the pledger with the contract's error named", async function () {
    const f = await loadFixture(pledgeTaskFixture);
    process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
    const signers = await hre.ethers.getSigners();
    const index = (addr: string) => String(signers.findIndex((s) => s.address === addr));
    const requested = await runJson("pledge:request", requestArgs(f, f.start, "1000", "10000.00", index(f.pledger.address)));
    const id = String(requested.id);
    await runJson("pledge:sign", { id, terms: "", deadline: "", from: index(f.pledgee.address) });
    await runJson("pledge:register", { id, from: "0" });
    await expect(runJson("pledge:release", { id, shares: "1", cash: "0", from: index(f.pledger.address) })).to.be.rejectedWith(
      /PledgeNotPledgeeSide/,
    );
  });

  it("requests and registers a pledge in one depository transaction from both sides' signature files", async function () {
    const f = await loadFixture(pledgeTaskFixture);
    process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
    const signers = await hre.ethers.getSigners();
    const index = (addr: string) => String(signers.findIndex((s) => s.address === addr));
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    // The terms pledge:request builds from the same arguments: 1,000 shares against 10,000.00 at 6.5 %.
    const terms = buildTerms({
      pledger: f.pledger.address,
      pledgee: f.pledgee.address,
      security: f.equity.target as string,
      cashToken: f.cash.target as string,
      quantity: 1000n,
      principal: 1_000_000n,
      interestRate: 65n * 10n ** 15n,
      startDate: f.start,
      maturityDate: f.start + 365,
    });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pledge-")), "terms.json");
    fs.writeFileSync(
      file,
      JSON.stringify(terms, (_, v) => (typeof v === "bigint" ? v.toString() : v)),
    );
    const deadline = String((await hre.ethers.provider.getBlock("latest"))!.timestamp + 3600);
    const a = await runJson("pledge:sign", { id: "", terms: file, deadline, from: index(f.pledger.address) });
    const b = await runJson("pledge:sign", { id: "", terms: file, deadline, from: index(f.pledgee.address) });
    const args = { ...requestArgs(f, f.start, "1000", "10000.00", "0"), pledgerSig: a.signature, pledgeeSig: b.signature, deadline };
    await expect(runJson("pledge:request", { ...args, pledgerSig: "", pledgeeSig: "", register: true })).to.be.rejectedWith(
      /--register needs both signatures/,
    );
    const registered = await runJson("pledge:request", { ...args, register: true });
    expect(registered.status).to.equal("Active");
    expect(await f.equity.encumbered(f.pledger.address, f.book.target as string, BigInt(registered.id))).to.equal(1000n);
  });

  it("refuses an unknown level in pledge:list", async function () {
    const f = await loadFixture(pledgeTaskFixture);
    process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
    await expect(runJson("pledge:list", { level: "PANIC", status: "" })).to.be.rejectedWith(/--level "PANIC" is not one of/);
  });
});
