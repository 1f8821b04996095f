import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { tokensFixture, EQUITY_ISIN } from "./fixtures";
import { runJson } from "../helpers/tasks";
import { skipUnderCoverage } from "../helpers/runs";

async function taskFixture() {
  const f = await tokensFixture();
  return f;
}

describe("token tasks", function () {
  before(function () {
    skipUnderCoverage(this);
  });

  describe("token:show", function () {
    it("lists holders and encumbrances by purpose", async function () {
      const f = await loadFixture(taskFixture);
      process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
      await f.equity.connect(f.locker).encumber(f.actors.investors[0].address, 3n, 40n);
      const out = await runJson("token:show", { token: EQUITY_ISIN });
      expect(out.isin).to.equal(EQUITY_ISIN);
      expect(out.holders).to.have.length(3);
      expect(out.encumbrances).to.deep.equal([
        { holder: f.actors.investors[0].address, locker: f.locker.address, dealId: "3", amount: "40" },
      ]);
    });
  });

  describe("token:mint", function () {
    it("credits the holder and reports the new balance", async function () {
      const f = await loadFixture(taskFixture);
      process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
      const out = await runJson("token:mint", { token: "RUB", to: f.actors.bankA.address, amount: "12.34", reason: "deposit" });
      expect(out.balance).to.equal("12.34");
    });

    it("refuses an amount finer than the token's decimals with one clear line", async function () {
      const f = await loadFixture(taskFixture);
      process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
      await expect(
        hre.run("token:mint", { token: "RUB", to: f.actors.bankA.address, amount: "1.234", reason: "", json: true }),
      ).to.be.rejectedWith(/at most 2 decimals/);
    });
  });
});
