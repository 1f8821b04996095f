import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  readPledge,
  requestedId,
  valuationsOf,
  type PledgeTerms,
  initialPledgeRate,
  valuePledge,
  type PledgeInput,
} from "../../lib/pledge";
import { openPledge, pledgeFixture, type PledgeFixture, PLEDGED, pushPrice, termsFor } from "./fixtures";

const WAD = 10n ** 18n;
const U64 = (1n << 64n) - 1n;
const field = (name: string) => ethers.encodeBytes32String(name);
const BOOK = () => ethers.keccak256(ethers.toUtf8Bytes("DEPOSITORY_ROLE"));

/** The pledge fixture with the initial price 25.00 pushed 30 days ago. */
async function pricedFixture() {
  const f = await pledgeFixture();
  const start = f.today - 30;
  await pushPrice(f, start, "25");
  return { ...f, start };
}

/** Requests (pledger) and consents (pledgee) a pledge; returns its id, still Requested. */
async function consented(f: PledgeFixture, terms: PledgeTerms): Promise<bigint> {
  const id = requestedId(f.book, await (await f.book.connect(f.pledger).request(terms)).wait());
  await (await f.book.connect(f.pledgee).consent(id)).wait();
  return id;
}

/** The calculator's valuation of a stored pledge without repayments or pledged cash. */
function calculated(terms: PledgeTerms, date: number, close: string, boardLot = 1n, restoreTarget = terms.restoreTarget) {
  const input: PledgeInput = {
    terms: {
      principal: terms.principal,
      interestRate: terms.interestRate,
      dayCount: "Act365Fixed",
      startDate: terms.startDate,
      warningLine: 16n * 10n ** 17n,
      liquidationLine: 14n * 10n ** 17n,
      restoreTarget,
      cashDecimals: 2,
      topUpAtWarning: terms.topUpAtWarning,
      principalFirst: terms.principalFirst,
      boardLot,
    },
    valuationDate: date,
    closePrice: ethers.parseUnits(close, 18),
    shares: terms.quantity,
    pledgedCash: 0n,
    repayments: [],
  };
  return valuePledge(input).output;
}

describe("PledgeBook figures", function () {
  describe("initial pledge rate", function () {
    it("publishes the initial price and rate at registration", async function () {
      const f = await loadFixture(pricedFixture);
      const terms = termsFor(f, f.start);
      const id = await consented(f, terms);
      const rate = initialPledgeRate(terms.principal, PLEDGED, 25n * WAD, 2).rate;
      await expect(f.book.register(id))
        .to.emit(f.book, "PledgeRegistered")
        .withArgs(id, PLEDGED, terms.restoreTarget, 25n * WAD, rate, f.actors.csd.address);
      expect(rate).to.equal(4n * 10n ** 17n);
    });

    it("refuses registration above the default 60 % cap, leaving the pledge requested and no share encumbered", async function () {
      const f = await loadFixture(pricedFixture);
      // 15,000,000.01 against 25,000,000.00 of shares.
      const terms = termsFor(f, f.start, { principal: 1_500_000_001n, restoreTarget: 17n * 10n ** 17n });
      const id = await consented(f, terms);
      const rate = initialPledgeRate(terms.principal, PLEDGED, 25n * WAD, 2).rate;
      await expect(f.book.register(id))
        .to.be.revertedWithCustomError(f.book, "PledgeInitialRateAboveCap")
        .withArgs(id, rate, 6n * 10n ** 17n);
      expect((await readPledge(f.book, id)).status).to.equal("Requested");
      expect(await f.equity.encumbered(f.pledger.address, f.book.target, id)).to.equal(0n);
    });

    it("keeps the pledge's own cap until registration and accepts a rate equal to it", async function () {
      const f = await loadFixture(pricedFixture);
      const terms = termsFor(f, f.start, { principal: 1_250_000_000n, maxInitialRate: 5n * 10n ** 17n, restoreTarget: 2n * WAD });
      const id = await consented(f, terms);
      expect((await readPledge(f.book, id)).maxInitialRate).to.equal(5n * 10n ** 17n);
      // 12,500,000.00 against 25,000,000.00 of shares: 50 %, the cap itself.
      await expect(f.book.register(id))
        .to.emit(f.book, "PledgeRegistered")
        .withArgs(id, PLEDGED, 2n * WAD, 25n * WAD, 5n * 10n ** 17n, f.actors.csd.address);
      expect((await readPledge(f.book, id)).status).to.equal("Active");
    });

    it("keeps the default cap of 60 % when the terms leave it zero", async function () {
      const f = await loadFixture(pricedFixture);
      const id = requestedId(f.book, await (await f.book.connect(f.pledger).request(termsFor(f, f.start))).wait());
      expect((await readPledge(f.book, id)).maxInitialRate).to.equal(await f.book.DEFAULT_MAX_INITIAL_RATE());
    });

    it("refuses a cap beyond 64 bits at request", async function () {
      const f = await loadFixture(pricedFixture);
      await expect(f.book.connect(f.pledger).request(termsFor(f, f.start, { maxInitialRate: U64 + 1n })))
        .to.be.revertedWithCustomError(f.book, "PledgeTermInvalid")
        .withArgs(field("maxInitialRate"), U64 + 1n);
    });
  });

  describe("line prices", function () {
    it("publishes with each valuation the closes at which the warning and liquidation lines are hit, as the calculator", async function () {
      const f = await loadFixture(pricedFixture);
      const terms = termsFor(f, f.start);
      const id = await openPledge(f, terms);
      await pushPrice(f, f.today - 1, "20");
      const [v] = valuationsOf(f.book, await (await f.book.value([id], f.today - 1)).wait());
      const out = calculated(terms, f.today - 1, "20");
      expect([v.out.warningPrice, v.out.liquidationPrice]).to.deep.equal([out.warningPrice, out.liquidationPrice]);
      expect(v.out.liquidationPrice).to.be.lessThan(v.out.warningPrice);
    });

    it("hits the liquidation line at the published price, and a cent above it does not", async function () {
      const f = await loadFixture(pricedFixture);
      const terms = termsFor(f, f.start);
      const id = await openPledge(f, terms);
      const date = f.today - 1;
      const price = calculated(terms, date, "20").liquidationPrice;
      await pushPrice(f, date, ethers.formatUnits(price, 18));
      const [at] = valuationsOf(f.book, await (await f.book.value([id], date)).wait());
      expect([at.out.level, at.out.liquidationPrice]).to.deep.equal(["Liquidation", price]);
      expect(calculated(terms, date, ethers.formatUnits(price + 10n ** 16n, 18)).level).to.equal("Warning");
    });
  });

  describe("top-up due from Warning", function () {
    it("calls a top-up sized to the target at the Warning level when the terms ask for it", async function () {
      const f = await loadFixture(pricedFixture);
      const terms = termsFor(f, f.start, { topUpAtWarning: true });
      const id = await openPledge(f, terms);
      const date = f.today - 1;
      await pushPrice(f, date, "15.5");
      const out = calculated(terms, date, "15.5");
      expect(out.level).to.equal("Warning");
      await expect(f.book.value([id], date))
        .to.emit(f.book, "PledgeTopUpCalled")
        .withArgs(id, date, out.topUpShares, out.topUpCash, out.topUpRepayment, date + terms.topUpDays);
      expect(out.topUpShares).to.be.greaterThan(0n);
    });

    it("calls no top-up at Warning under the default terms (from Liquidation)", async function () {
      const f = await loadFixture(pricedFixture);
      const id = await openPledge(f, termsFor(f, f.start));
      await pushPrice(f, f.today - 1, "15.5");
      await expect(f.book.value([id], f.today - 1)).to.not.emit(f.book, "PledgeTopUpCalled");
      expect((await readPledge(f.book, id)).topUpDue).to.equal(0);
    });

    it("enforces a pledge still at Warning after the top-up deadline when the terms call top-ups from Warning", async function () {
      const f = await loadFixture(pricedFixture);
      const id = await openPledge(f, termsFor(f, f.start, { topUpAtWarning: true }));
      await pushPrice(f, f.today - 5, "15.5");
      await (await f.book.value([id], f.today - 5)).wait();
      await pushPrice(f, f.today, "15.5");
      await expect(f.book.enforce(id, f.today)).to.emit(f.book, "PledgeEnforced");
    });

    it("clears the obligation when a valuation finds the level Normal again", async function () {
      const f = await loadFixture(pricedFixture);
      const id = await openPledge(f, termsFor(f, f.start, { topUpAtWarning: true }));
      await pushPrice(f, f.today - 5, "15.5");
      await (await f.book.value([id], f.today - 5)).wait();
      await pushPrice(f, f.today - 4, "20");
      await expect(f.book.value([id], f.today - 4))
        .to.emit(f.book, "PledgeTopUpCleared")
        .withArgs(id, f.today - 4);
    });
  });

  describe("board lot", function () {
    it("is 1 until the depository sets it, then rounds the extra shares up to whole lots", async function () {
      const f = await loadFixture(pricedFixture);
      expect(await f.book.boardLotOf(f.equity.target)).to.equal(1n);
      await expect(f.book.setBoardLot(f.equity.target, 100n))
        .to.emit(f.book, "PledgeBoardLotSet")
        .withArgs(f.equity.target, 100n, f.actors.csd.address);
      expect(await f.book.boardLotOf(f.equity.target)).to.equal(100n);
      const terms = termsFor(f, f.start, { quantity: PLEDGED - 17n });
      const id = await openPledge(f, terms);
      await pushPrice(f, f.today - 1, "14");
      const [v] = valuationsOf(f.book, await (await f.book.value([id], f.today - 1)).wait());
      const out = calculated(terms, f.today - 1, "14", 100n);
      expect(v.out.topUpShares).to.equal(out.topUpShares);
      expect(v.out.topUpShares % 100n).to.equal(0n);
      expect(v.out.topUpShares).to.be.greaterThanOrEqual(calculated(terms, f.today - 1, "14").topUpShares);
    });

    it("refuses a stranger and the parties (depository only)", async function () {
      const f = await loadFixture(pricedFixture);
      for (const who of [f.pledger, f.pledgee, f.actors.stranger]) {
        await expect(f.book.connect(who).setBoardLot(f.equity.target, 100n))
          .to.be.revertedWithCustomError(f.book, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, BOOK());
      }
      expect(await f.book.boardLotOf(f.equity.target)).to.equal(1n);
    });

    it("refuses a zero lot and a lot beyond 32 bits", async function () {
      const f = await loadFixture(pricedFixture);
      await expect(f.book.setBoardLot(f.equity.target, 0n))
        .to.be.revertedWithCustomError(f.book, "PledgeTermInvalid")
        .withArgs(field("boardLot"), 0n);
      await expect(f.book.setBoardLot(f.equity.target, 1n << 32n))
        .to.be.revertedWithCustomError(f.book, "PledgeTermInvalid")
        .withArgs(field("boardLot"), 1n << 32n);
    });

    it("refuses a token that is not a security of the token factory", async function () {
      const f = await loadFixture(pricedFixture);
      await expect(f.book.setBoardLot(f.cash.target, 100n))
        .to.be.revertedWithCustomError(f.book, "PledgeNotSecurityToken")
        .withArgs(f.cash.target);
    });
  });

  describe("repayments principal first", function () {
    it("reduces the principal and leaves the accrued interest owed", async function () {
      const f = await loadFixture(pricedFixture);
      const id = await openPledge(f, termsFor(f, f.start, { principalFirst: true }));
      const date = f.today - 10;
      await expect(f.book.connect(f.pledgee).repay(id, 200_000_000n, date)).to.emit(f.book, "PledgeRepaid");
      const p = await readPledge(f.book, id);
      // 20 days at 6.5 % on 10,000,000.00, ACT/365, rounded up: 35,616.44 stays owed.
      expect([p.principal, p.interest, p.principalFirst]).to.deep.equal([800_000_000n, 3_561_644n, true]);
    });

    it("pays interest first under the default terms", async function () {
      const f = await loadFixture(pricedFixture);
      const id = await openPledge(f, termsFor(f, f.start));
      await (await f.book.connect(f.pledgee).repay(id, 200_000_000n, f.today - 10)).wait();
      const p = await readPledge(f.book, id);
      expect([p.principal, p.interest, p.principalFirst]).to.deep.equal([800_000_000n + 3_561_644n, 0n, false]);
    });
  });
});
