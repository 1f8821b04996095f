import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { readPledge, requestedId, signPledgeRequest, valuationsOf } from "../../lib/pledge";
import { currencyBytes } from "../../lib/tokens";
import { activePledgeFixture, openPledge, pledgeFixture, PledgeFixture, PLEDGED, pushPrice, termsFor } from "./fixtures";

const WAD = 10n ** 18n;
const BOOK = () => ethers.id("DEPOSITORY_ROLE");

async function signedFixture() {
  const f = await pledgeFixture();
  const deadline = BigInt((await time.latest()) + 3600);
  // The initial price: 1,000,000 shares at 25.00 against 10,000,000.00, an initial pledge rate of 40 %.
  await pushPrice(f, f.today - 10, "25");
  const terms = termsFor(f, f.today - 10);
  return { ...f, deadline, terms };
}

describe("PledgeBook", function () {
  describe("authoriseBroker / revokeBroker", function () {
    it("lets an investor authorise a broker that then requests for it", async function () {
      const f = await loadFixture(pledgeFixture);
      await expect(f.book.connect(f.pledger).authoriseBroker(f.ids.broker))
        .to.emit(f.book, "BrokerAuthorised")
        .withArgs(f.ids.investors[0], f.ids.broker, f.pledger.address);
      const receipt = await (await f.book.connect(f.actors.broker).request(termsFor(f, f.today))).wait();
      const p = await readPledge(f.book, requestedId(f.book, receipt));
      expect(p.pledgerConsent).to.equal(true);
      expect(p.pledgeeConsent).to.equal(false);
    });

    it("refuses a broker that is not authorised", async function () {
      const f = await loadFixture(pledgeFixture);
      await expect(f.book.connect(f.actors.broker).request(termsFor(f, f.today)))
        .to.be.revertedWithCustomError(f.book, "PledgeNotPledgerSide")
        .withArgs(f.pledger.address, f.actors.broker.address);
    });

    it("refuses a broker after revocation", async function () {
      const f = await loadFixture(pledgeFixture);
      await (await f.book.connect(f.pledger).authoriseBroker(f.ids.broker)).wait();
      await expect(f.book.connect(f.pledger).revokeBroker()).to.emit(f.book, "BrokerRevoked");
      await expect(f.book.connect(f.actors.broker).request(termsFor(f, f.today))).to.be.revertedWithCustomError(
        f.book,
        "PledgeNotPledgerSide",
      );
    });

    it("refuses a participant that is not a broker", async function () {
      const f = await loadFixture(pledgeFixture);
      await expect(f.book.connect(f.pledger).authoriseBroker(f.ids.bankB))
        .to.be.revertedWithCustomError(f.book, "PledgeNotBroker")
        .withArgs(f.ids.bankB);
    });

    it("refuses a stranger", async function () {
      const f = await loadFixture(pledgeFixture);
      await expect(f.book.connect(f.actors.stranger).authoriseBroker(f.ids.broker))
        .to.be.revertedWithCustomError(f.book, "PledgeNotInvestor")
        .withArgs(f.actors.stranger.address);
      await expect(f.book.connect(f.actors.stranger).revokeBroker()).to.be.revertedWithCustomError(f.book, "PledgeNotInvestor");
    });
  });

  describe("request", function () {
    it("records the terms with the caller's side consenting", async function () {
      const f = await loadFixture(pledgeFixture);
      const terms = termsFor(f, f.today);
      await expect(f.book.connect(f.pledgee).request(terms)).to.emit(f.book, "PledgeConsented").withArgs(1n, false, f.pledgee.address);
      const p = await readPledge(f.book, 1);
      expect(p.status).to.equal("Requested");
      expect(p.shares).to.equal(PLEDGED);
      expect(p.principal).to.equal(terms.principal);
      expect(p.warningLine).to.equal(16n * 10n ** 17n);
      expect(p.liquidationLine).to.equal(14n * 10n ** 17n);
      expect(p.pledger).to.equal(f.pledger.address);
      expect(p.pledgee).to.equal(f.pledgee.address);
      expect(p.cashDecimals).to.equal(2);
    });

    it("refuses a stranger", async function () {
      const f = await loadFixture(pledgeFixture);
      await expect(f.book.connect(f.actors.stranger).request(termsFor(f, f.today)))
        .to.be.revertedWithCustomError(f.book, "PledgeNotPledgerSide")
        .withArgs(f.pledger.address, f.actors.stranger.address);
    });

    it("refuses a pledgee that is not a bank or broker", async function () {
      const f = await loadFixture(pledgeFixture);
      const other = f.actors.investors[1].address;
      await expect(f.book.connect(f.pledger).request(termsFor(f, f.today, { pledgee: other })))
        .to.be.revertedWithCustomError(f.book, "PledgePartyInvalid")
        .withArgs(other, 5, 1);
    });

    it("refuses a liquidation line above the warning line", async function () {
      const f = await loadFixture(pledgeFixture);
      await expect(f.book.connect(f.pledger).request(termsFor(f, f.today, { warningLine: WAD, liquidationLine: 2n * WAD })))
        .to.be.revertedWithCustomError(f.book, "PledgeTermInvalid")
        .withArgs(ethers.encodeBytes32String("liquidationLine"), 2n * WAD);
    });

    it("refuses a maturity not after the start", async function () {
      const f = await loadFixture(pledgeFixture);
      await expect(f.book.connect(f.pledger).request(termsFor(f, f.today, { maturityDate: f.today })))
        .to.be.revertedWithCustomError(f.book, "PledgeTermInvalid")
        .withArgs(ethers.encodeBytes32String("maturityDate"), f.today);
    });

    it("refuses a zero quantity", async function () {
      const f = await loadFixture(pledgeFixture);
      await expect(f.book.connect(f.pledger).request(termsFor(f, f.today, { quantity: 0n })))
        .to.be.revertedWithCustomError(f.book, "PledgeTermInvalid")
        .withArgs(ethers.encodeBytes32String("quantity"), 0);
    });
  });

  describe("requestSigned", function () {
    it("signs in the domain the book was initialised with", async function () {
      const f = await loadFixture(pledgeFixture);
      const [, name, version, , verifyingContract] = await f.book.eip712Domain();
      expect([name, version, verifyingContract]).to.deep.equal(["csd-ledger PledgeBook", "1", f.book.target]);
    });

    it("records a pledge both sides signed and consumes the nonce", async function () {
      const f = await loadFixture(signedFixture);
      const a = await signPledgeRequest(f.book, f.pledger, f.terms, f.deadline);
      const b = await signPledgeRequest(f.book, f.pledgee, f.terms, f.deadline);
      await expect(f.book.connect(f.actors.csd).requestSigned(f.terms, f.deadline, a, b))
        .to.emit(f.book, "PledgeConsented")
        .withArgs(1n, true, f.pledger.address);
      const p = await readPledge(f.book, 1);
      expect(p.pledgerConsent && p.pledgeeConsent).to.equal(true);
      expect(await f.book.nonces(f.pledger.address)).to.equal(1n);
    });

    it("accepts the authorised broker's signature for the pledger", async function () {
      const f = await loadFixture(signedFixture);
      await (await f.book.connect(f.pledger).authoriseBroker(f.ids.broker)).wait();
      const a = await signPledgeRequest(f.book, f.actors.broker, f.terms, f.deadline);
      const b = await signPledgeRequest(f.book, f.pledgee, f.terms, f.deadline);
      await expect(f.book.connect(f.actors.broker).requestSigned(f.terms, f.deadline, a, b)).to.emit(f.book, "PledgeRequested");
    });

    it("refuses a replayed pair of signatures", async function () {
      const f = await loadFixture(signedFixture);
      const a = await signPledgeRequest(f.book, f.pledger, f.terms, f.deadline);
      const b = await signPledgeRequest(f.book, f.pledgee, f.terms, f.deadline);
      await (await f.book.connect(f.actors.csd).requestSigned(f.terms, f.deadline, a, b)).wait();
      await expect(f.book.connect(f.actors.csd).requestSigned(f.terms, f.deadline, a, b)).to.be.revertedWithCustomError(
        f.book,
        "PledgeNotPledgerSide",
      );
    });

    it("refuses an expired signature", async function () {
      const f = await loadFixture(signedFixture);
      const deadline = BigInt(await time.latest()) - 1n;
      const a = await signPledgeRequest(f.book, f.pledger, f.terms, deadline);
      const b = await signPledgeRequest(f.book, f.pledgee, f.terms, deadline);
      await expect(f.book.connect(f.actors.csd).requestSigned(f.terms, deadline, a, b)).to.be.revertedWithCustomError(
        f.book,
        "PledgeSignatureExpired",
      );
    });

    it("refuses a pledgee signature by someone else", async function () {
      const f = await loadFixture(signedFixture);
      const a = await signPledgeRequest(f.book, f.pledger, f.terms, f.deadline);
      const b = await signPledgeRequest(f.book, f.actors.bankB, f.terms, f.deadline);
      await expect(f.book.connect(f.actors.csd).requestSigned(f.terms, f.deadline, a, b))
        .to.be.revertedWithCustomError(f.book, "PledgeNotPledgeeSide")
        .withArgs(f.pledgee.address, f.actors.bankB.address);
    });

    it("refuses a stranger as submitter", async function () {
      const f = await loadFixture(signedFixture);
      const a = await signPledgeRequest(f.book, f.pledger, f.terms, f.deadline);
      const b = await signPledgeRequest(f.book, f.pledgee, f.terms, f.deadline);
      await expect(f.book.connect(f.actors.stranger).requestSigned(f.terms, f.deadline, a, b)).to.be.revertedWithCustomError(
        f.book,
        "PledgeNotPledgerSide",
      );
    });
  });

  describe("registerSigned", function () {
    /** Both sides' signatures of the fixture's terms. */
    async function signaturesOf(f: Awaited<ReturnType<typeof signedFixture>>, terms = f.terms): Promise<[string, string]> {
      return [await signPledgeRequest(f.book, f.pledger, terms, f.deadline), await signPledgeRequest(f.book, f.pledgee, terms, f.deadline)];
    }

    it("requests and registers in one depository transaction", async function () {
      const f = await loadFixture(signedFixture);
      const [a, b] = await signaturesOf(f);
      const tx = f.book.connect(f.actors.csd).registerSigned(f.terms, f.deadline, a, b);
      await expect(tx).to.emit(f.book, "PledgeRequested");
      await expect(tx).to.emit(f.book, "PledgeConsented").withArgs(1n, true, f.pledger.address);
      await expect(tx).to.emit(f.book, "PledgeConsented").withArgs(1n, false, f.pledgee.address);
      await expect(tx)
        .to.emit(f.book, "PledgeRegistered")
        .withArgs(1n, PLEDGED, 25n * 10n ** 17n, 25n * WAD, 4n * 10n ** 17n, f.actors.csd.address);
      const p = await readPledge(f.book, 1);
      expect(p.status).to.equal("Active");
      expect(p.pledgerConsent && p.pledgeeConsent).to.equal(true);
      expect(await f.equity.encumbered(f.pledger.address, f.book.target, 1n)).to.equal(PLEDGED);
      expect(await f.book.nonces(f.pledger.address)).to.equal(1n);
    });

    it("resolves a defaulted restore target at the start date's close", async function () {
      const f = await loadFixture(signedFixture);
      const terms = termsFor(f, f.today - 10, { restoreTarget: 0n });
      const [a, b] = await signaturesOf(f, terms);
      // 1,000,000 shares at 25.00 against 10,000,000.00: 250 %.
      await expect(f.book.registerSigned(terms, f.deadline, a, b))
        .to.emit(f.book, "PledgeRegistered")
        .withArgs(1n, PLEDGED, 25n * 10n ** 17n, 25n * WAD, 4n * 10n ** 17n, f.actors.csd.address);
      expect((await readPledge(f.book, 1)).restoreTarget).to.equal(25n * 10n ** 17n);
    });

    it("registers after the next business day's price was pushed, at that latest price", async function () {
      const f = await loadFixture(signedFixture);
      // The start date's close (25.00) is superseded by the next day's (20.00): the oracle holds the latest only.
      await pushPrice(f, f.today - 9, "20");
      const terms = termsFor(f, f.today - 10, { restoreTarget: 0n });
      const [a, b] = await signaturesOf(f, terms);
      // 1,000,000 shares at 20.00 against 10,000,000.00: 50 %, a defaulted target of 200 %.
      await expect(f.book.registerSigned(terms, f.deadline, a, b))
        .to.emit(f.book, "PledgeRegistered")
        .withArgs(1n, PLEDGED, 2n * WAD, 20n * WAD, 5n * 10n ** 17n, f.actors.csd.address);
      expect((await readPledge(f.book, 1)).status).to.equal("Active");
    });

    it("checks the cap against the latest price when a later price was pushed, leaving nothing", async function () {
      const f = await loadFixture(signedFixture);
      await pushPrice(f, f.today - 9, "16");
      const [a, b] = await signaturesOf(f);
      // 10,000,000.00 against 1,000,000 shares at 16.00: 62.5 %, above the default cap of 60 %.
      await expect(f.book.registerSigned(f.terms, f.deadline, a, b))
        .to.be.revertedWithCustomError(f.book, "PledgeInitialRateAboveCap")
        .withArgs(1n, 625n * 10n ** 15n, 6n * 10n ** 17n);
      expect(await f.book.pledgeCount()).to.equal(0n);
      expect(await f.book.nonces(f.pledger.address)).to.equal(0n);
    });

    it("registers at the latest price when the feed's first price is dated after the start date", async function () {
      const f = await loadFixture(signedFixture);
      const terms = termsFor(f, f.today - 11);
      const [a, b] = await signaturesOf(f, terms);
      await expect(f.book.registerSigned(terms, f.deadline, a, b))
        .to.emit(f.book, "PledgeRegistered")
        .withArgs(1n, PLEDGED, 25n * 10n ** 17n, 25n * WAD, 4n * 10n ** 17n, f.actors.csd.address);
    });

    it("values the shares at the start date's close when registered after the feed's maximum age", async function () {
      const f = await loadFixture(signedFixture);
      // The start date's close is 10 days old at registration: it is still the start date's price.
      await (await f.oracle.configureAsset(f.feed, currencyBytes("RUB"), f.feedCalendar, WAD * 10n, 5)).wait();
      const [a, b] = await signaturesOf(f);
      await expect(f.book.registerSigned(f.terms, f.deadline, a, b))
        .to.emit(f.book, "PledgeRegistered")
        .withArgs(1n, PLEDGED, 25n * 10n ** 17n, 25n * WAD, 4n * 10n ** 17n, f.actors.csd.address);
    });

    it("refuses registration with no price within the maximum age of the start date or of today, leaving nothing", async function () {
      const f = await loadFixture(signedFixture);
      await (await f.oracle.configureAsset(f.feed, currencyBytes("RUB"), f.feedCalendar, WAD * 10n, 5)).wait();
      // The only close is 10 days old: 7 days before the start date, 10 before today.
      const terms = termsFor(f, f.today - 3);
      const [a, b] = await signaturesOf(f, terms);
      await expect(f.book.registerSigned(terms, f.deadline, a, b))
        .to.be.revertedWithCustomError(f.book, "PledgeNoPrice")
        .withArgs(f.equity.target, f.today);
      expect(await f.book.pledgeCount()).to.equal(0n);
      expect(await f.book.nonces(f.pledger.address)).to.equal(0n);
    });

    it("refuses registration before the start date, leaving nothing", async function () {
      const f = await loadFixture(signedFixture);
      const terms = termsFor(f, f.today + 1);
      const [a, b] = await signaturesOf(f, terms);
      await expect(f.book.registerSigned(terms, f.deadline, a, b))
        .to.be.revertedWithCustomError(f.book, "PledgeNoPrice")
        .withArgs(f.equity.target, f.today + 1);
      expect(await f.book.pledgeCount()).to.equal(0n);
      expect(await f.book.nonces(f.pledger.address)).to.equal(0n);
    });

    it("refuses shares the pledger does not hold free, leaving nothing", async function () {
      const f = await loadFixture(signedFixture);
      const terms = termsFor(f, f.today - 10, { quantity: PLEDGED + 1n });
      const [a, b] = await signaturesOf(f, terms);
      await expect(f.book.registerSigned(terms, f.deadline, a, b))
        .to.be.revertedWithCustomError(f.equity, "TokenInsufficientFreeBalance")
        .withArgs(f.pledger.address, PLEDGED, PLEDGED + 1n);
      expect(await f.book.pledgeCount()).to.equal(0n);
      expect(await f.book.nonces(f.pledger.address)).to.equal(0n);
    });

    it("refuses an expired signature", async function () {
      const f = await loadFixture(signedFixture);
      const deadline = BigInt(await time.latest()) - 1n;
      const a = await signPledgeRequest(f.book, f.pledger, f.terms, deadline);
      const b = await signPledgeRequest(f.book, f.pledgee, f.terms, deadline);
      await expect(f.book.registerSigned(f.terms, deadline, a, b)).to.be.revertedWithCustomError(f.book, "PledgeSignatureExpired");
    });

    it("refuses a pledger signature by someone else", async function () {
      const f = await loadFixture(signedFixture);
      const a = await signPledgeRequest(f.book, f.actors.investors[1], f.terms, f.deadline);
      const b = await signPledgeRequest(f.book, f.pledgee, f.terms, f.deadline);
      await expect(f.book.registerSigned(f.terms, f.deadline, a, b))
        .to.be.revertedWithCustomError(f.book, "PledgeNotPledgerSide")
        .withArgs(f.pledger.address, f.actors.investors[1].address);
    });

    it("refuses a replayed pair of signatures", async function () {
      const f = await loadFixture(signedFixture);
      const [a, b] = await signaturesOf(f);
      await (await f.book.registerSigned(f.terms, f.deadline, a, b)).wait();
      await expect(f.book.registerSigned(f.terms, f.deadline, a, b)).to.be.revertedWithCustomError(f.book, "PledgeNotPledgerSide");
      expect(await f.book.pledgeCount()).to.equal(1n);
    });

    it("refuses the parties and a stranger (depository only), leaving nothing", async function () {
      const f = await loadFixture(signedFixture);
      const [a, b] = await signaturesOf(f);
      for (const who of [f.pledger, f.pledgee, f.actors.stranger]) {
        await expect(f.book.connect(who).registerSigned(f.terms, f.deadline, a, b))
          .to.be.revertedWithCustomError(f.book, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, BOOK());
      }
      expect(await f.book.pledgeCount()).to.equal(0n);
      expect(await f.book.nonces(f.pledger.address)).to.equal(0n);
    });
  });

  describe("consent / register / cancel", function () {
    it("registers after both consents and encumbers the shares in the pledger's account", async function () {
      const f = await loadFixture(pledgeFixture);
      await pushPrice(f, f.today, "25");
      const id = await openPledge(f, termsFor(f, f.today));
      expect((await readPledge(f.book, id)).status).to.equal("Active");
      expect(await f.equity.encumbered(f.pledger.address, f.book.target, id)).to.equal(PLEDGED);
      expect(await f.equity.balanceOf(f.pledger.address)).to.equal(PLEDGED);
      expect(await f.equity.freeBalance(f.pledger.address)).to.equal(0n);
    });

    it("refuses registration before the pledgee consents", async function () {
      const f = await loadFixture(pledgeFixture);
      requestedId(f.book, await (await f.book.connect(f.pledger).request(termsFor(f, f.today))).wait());
      await expect(f.book.register(1n)).to.be.revertedWithCustomError(f.book, "PledgeConsentMissing").withArgs(1n, true, false);
    });

    it("refuses a second consent of the same side", async function () {
      const f = await loadFixture(pledgeFixture);
      await (await f.book.connect(f.pledger).request(termsFor(f, f.today))).wait();
      await expect(f.book.connect(f.pledger).consent(1n))
        .to.be.revertedWithCustomError(f.book, "PledgeAlreadyConsented")
        .withArgs(1n, true);
    });

    it("refuses consent and registration by a stranger", async function () {
      const f = await loadFixture(pledgeFixture);
      await (await f.book.connect(f.pledger).request(termsFor(f, f.today))).wait();
      await expect(f.book.connect(f.actors.stranger).consent(1n)).to.be.revertedWithCustomError(f.book, "PledgeNotPledgeeSide");
      await expect(f.book.connect(f.actors.stranger).register(1n)).to.be.revertedWithCustomError(
        f.book,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("registers a consented pledge after a later price was pushed, at the latest price", async function () {
      const f = await loadFixture(pledgeFixture);
      const start = f.today - 3;
      await pushPrice(f, start, "25");
      const id = requestedId(f.book, await (await f.book.connect(f.pledger).request(termsFor(f, start))).wait());
      await (await f.book.connect(f.pledgee).consent(id)).wait();
      await pushPrice(f, start + 1, "25.5");
      await pushPrice(f, start + 2, "40");
      // 10,000,000.00 against 1,000,000 shares at 40.00: 25 %.
      await expect(f.book.register(id))
        .to.emit(f.book, "PledgeRegistered")
        .withArgs(id, PLEDGED, 25n * 10n ** 17n, 40n * WAD, 25n * 10n ** 16n, f.actors.csd.address);
      expect(await f.equity.encumbered(f.pledger.address, f.book.target, id)).to.equal(PLEDGED);
    });

    it("defaults the restore target to the ratio at registration", async function () {
      const f = await loadFixture(pledgeFixture);
      await pushPrice(f, f.today, "30");
      const id = await openPledge(f, termsFor(f, f.today, { restoreTarget: 0n }));
      expect((await readPledge(f.book, id)).restoreTarget).to.equal(3n * WAD);
    });

    it("cancels before registration and refuses registration after", async function () {
      const f = await loadFixture(pledgeFixture);
      await (await f.book.connect(f.pledger).request(termsFor(f, f.today))).wait();
      await expect(f.book.connect(f.pledgee).cancel(1n)).to.emit(f.book, "PledgeCancelled").withArgs(1n, f.pledgee.address);
      await expect(f.book.register(1n)).to.be.revertedWithCustomError(f.book, "PledgeWrongStatus").withArgs(1n, 5, 1);
    });

    it("refuses cancellation by a stranger", async function () {
      const f = await loadFixture(pledgeFixture);
      await (await f.book.connect(f.pledger).request(termsFor(f, f.today))).wait();
      await expect(f.book.connect(f.actors.stranger).cancel(1n)).to.be.revertedWithCustomError(f.book, "PledgeNotPledgerSide");
    });
  });

  describe("value", function () {
    it("emits the valuation and is idempotent per date", async function () {
      const f = await loadFixture(activePledgeFixture);
      await pushPrice(f, f.today, "25");
      const r = await (await f.book.value([f.id], f.today)).wait();
      expect(valuationsOf(f.book, r)).to.have.length(1);
      const again = await (await f.book.value([f.id], f.today)).wait();
      expect(valuationsOf(f.book, again)).to.have.length(0);
      expect((await readPledge(f.book, f.id)).valuedDate).to.equal(f.today);
    });

    it("raises a warning when the ratio falls to the warning line", async function () {
      const f = await loadFixture(activePledgeFixture);
      await pushPrice(f, f.today, "16");
      await expect(f.book.value([f.id], f.today))
        .to.emit(f.book, "PledgeLevelChanged")
        .withArgs(f.id, f.today, 0, 1);
    });

    it("opens a top-up obligation with a due date at the liquidation line", async function () {
      const f = await loadFixture(activePledgeFixture);
      await pushPrice(f, f.today, "13");
      await expect(f.book.value([f.id], f.today)).to.emit(f.book, "PledgeTopUpCalled");
      const p = await readPledge(f.book, f.id);
      expect(p.level).to.equal("Liquidation");
      expect(p.topUpDue).to.equal(f.today + 2);
    });

    it("revalues after a top-up on the same date and clears the obligation", async function () {
      const f = await loadFixture(activePledgeFixture);
      await pushPrice(f, f.today, "13");
      await (await f.book.value([f.id], f.today)).wait();
      await (await f.book.connect(f.pledger).topUp(f.id, 0n, 450_000_000n)).wait();
      await expect(f.book.value([f.id], f.today))
        .to.emit(f.book, "PledgeTopUpCleared")
        .withArgs(f.id, f.today);
      expect((await readPledge(f.book, f.id)).topUpDue).to.equal(0);
    });

    it("skips a pledge without a readable price", async function () {
      const f = await loadFixture(activePledgeFixture);
      await expect(f.book.value([f.id], f.start - 1)).to.not.emit(f.book, "PledgeValued");
    });

    it("refuses a future date", async function () {
      const f = await loadFixture(activePledgeFixture);
      await expect(f.book.value([f.id], f.today + 1))
        .to.be.revertedWithCustomError(f.book, "PledgeDateInvalid")
        .withArgs(f.today + 1, 0, f.today);
    });
  });

  describe("topUp", function () {
    it("encumbers extra shares at the pledger", async function () {
      const f = await loadFixture(activePledgeFixture);
      await (await f.equity.mint(f.pledger.address, 100n, ethers.encodeBytes32String("d"))).wait();
      await expect(f.book.connect(f.pledger).topUp(f.id, 100n, 0n))
        .to.emit(f.book, "PledgeToppedUp")
        .withArgs(f.id, 100n, 0n, PLEDGED + 100n, 0n, f.pledger.address);
      expect(await f.equity.encumbered(f.pledger.address, f.book.target, f.id)).to.equal(PLEDGED + 100n);
    });

    it("refuses a stranger and the pledgee", async function () {
      const f = await loadFixture(activePledgeFixture);
      await expect(f.book.connect(f.actors.stranger).topUp(f.id, 0n, 1n)).to.be.revertedWithCustomError(f.book, "PledgeNotPledgerSide");
      await expect(f.book.connect(f.pledgee).topUp(f.id, 0n, 1n)).to.be.revertedWithCustomError(f.book, "PledgeNotPledgerSide");
    });

    it("refuses a zero top-up", async function () {
      const f = await loadFixture(activePledgeFixture);
      await expect(f.book.connect(f.pledger).topUp(f.id, 0n, 0n)).to.be.revertedWithCustomError(f.book, "PledgeZeroAmount");
    });
  });

  describe("repay", function () {
    it("pays accrued interest first, then principal", async function () {
      const f = await loadFixture(activePledgeFixture);
      // 30 days of 6.5% on 10,000,000.00 = 53,424.657… → 53,424.66 (rounded up)
      await expect(f.book.connect(f.pledgee).repay(f.id, 1_005_342_466n, f.today))
        .to.emit(f.book, "PledgeRepaid")
        .withArgs(f.id, f.today, 1_005_342_466n, 5_342_466n, 1_000_000_000n, 0n, 0n, f.pledgee.address);
    });

    it("refuses more than is owed", async function () {
      const f = await loadFixture(activePledgeFixture);
      await expect(f.book.connect(f.pledgee).repay(f.id, 1_005_342_467n, f.today))
        .to.be.revertedWithCustomError(f.book, "PledgeRepaymentExceedsDebt")
        .withArgs(1_005_342_467n, 1_005_342_466n);
    });

    it("refuses a date before the last accrual", async function () {
      const f = await loadFixture(activePledgeFixture);
      await expect(f.book.connect(f.pledgee).repay(f.id, 1n, f.start - 1))
        .to.be.revertedWithCustomError(f.book, "PledgeDateInvalid")
        .withArgs(f.start - 1, f.start, f.today);
    });

    it("refuses the pledger and a stranger", async function () {
      const f = await loadFixture(activePledgeFixture);
      await expect(f.book.connect(f.pledger).repay(f.id, 1n, f.today)).to.be.revertedWithCustomError(f.book, "PledgeNotPledgeeSide");
      await expect(f.book.connect(f.actors.stranger).repay(f.id, 1n, f.today)).to.be.revertedWithCustomError(
        f.book,
        "PledgeNotPledgeeSide",
      );
    });
  });

  describe("release", function () {
    it("shrinks the encumbrance on a partial release", async function () {
      const f = await loadFixture(activePledgeFixture);
      await (await f.book.connect(f.pledgee).release(f.id, 400_000n, 0n)).wait();
      expect(await f.equity.encumbered(f.pledger.address, f.book.target, f.id)).to.equal(PLEDGED - 400_000n);
      expect((await readPledge(f.book, f.id)).status).to.equal("Active");
    });

    it("ends the pledge on a full release", async function () {
      const f = await loadFixture(activePledgeFixture);
      await expect(f.book.connect(f.pledgee).release(f.id, PLEDGED, 0n))
        .to.emit(f.book, "PledgeReleased")
        .withArgs(f.id, PLEDGED, 0n, 0n, 0n, true, f.pledgee.address);
      expect(await f.equity.freeBalance(f.pledger.address)).to.equal(PLEDGED);
      expect((await readPledge(f.book, f.id)).status).to.equal("Released");
    });

    it("refuses a release without the pledgee (pledger, depository, stranger)", async function () {
      const f = await loadFixture(activePledgeFixture);
      for (const who of [f.pledger, f.actors.csd, f.actors.stranger]) {
        await expect(f.book.connect(who).release(f.id, 1n, 0n)).to.be.revertedWithCustomError(f.book, "PledgeNotPledgeeSide");
      }
    });

    it("refuses more than is pledged", async function () {
      const f = await loadFixture(activePledgeFixture);
      await expect(f.book.connect(f.pledgee).release(f.id, PLEDGED + 1n, 0n))
        .to.be.revertedWithCustomError(f.book, "PledgeReleaseExceedsPledged")
        .withArgs(PLEDGED + 1n, PLEDGED, 0n, 0n);
    });
  });

  describe("enforce", function () {
    async function defaultedFixture() {
      const f = await activePledgeFixture();
      const called = f.today - 5;
      await pushPrice(f, called, "13");
      await (await f.book.value([f.id], called)).wait();
      await pushPrice(f, f.today, "12.5");
      return { ...f, called };
    }

    it("moves the shares covering the debt to the pledgee and releases the rest", async function () {
      const f = await loadFixture(defaultedFixture);
      const r = await (await f.book.enforce(f.id, f.today)).wait();
      const ev = r!.logs.map((l) => f.book.interface.parseLog(l)).find((p) => p?.name === "PledgeEnforced")!;
      const shares = ev.args.sharesTransferred as bigint;
      const payable = ev.args.amountPayable as bigint;
      // 12.50 per share in kopecks: 1,250; enough shares, at most one share of rounding above the debt
      expect(shares * 1250n).to.be.gte(payable);
      expect((shares - 1n) * 1250n).to.be.lt(payable);
      expect(await f.equity.balanceOf(f.pledgee.address)).to.equal(shares);
      expect(await f.equity.balanceOf(f.pledger.address)).to.equal(PLEDGED - shares);
      expect(await f.equity.totalEncumbered(f.pledger.address)).to.equal(0n);
      expect((await readPledge(f.book, f.id)).status).to.equal("Enforced");
    });

    it("refuses while the top-up is not yet overdue", async function () {
      const f = await loadFixture(activePledgeFixture);
      await pushPrice(f, f.today, "13");
      await (await f.book.value([f.id], f.today)).wait();
      await expect(f.book.enforce(f.id, f.today))
        .to.be.revertedWithCustomError(f.book, "PledgeNotInDefault")
        .withArgs(f.id, f.today, f.today + 2, f.start + 365);
    });

    it("refuses after maturity when nothing is owed any more", async function () {
      const f = await loadFixture(pledgeFixture);
      const start = f.today - 30;
      await pushPrice(f, start, "25");
      const id = await openPledge(f, termsFor(f, start, { maturityDate: f.today - 10 }));
      await pushPrice(f, f.today, "25");
      const [owed] = await f.book.preview(id, f.today);
      await (await f.book.connect(f.pledgee).repay(id, owed.amountPayable, f.today)).wait();
      await expect(f.book.enforce(id, f.today))
        .to.be.revertedWithCustomError(f.book, "PledgeNotInDefault")
        .withArgs(id, f.today, 0n, f.today - 10);
    });

    it("refuses a stranger and the pledgee", async function () {
      const f = await loadFixture(defaultedFixture);
      await expect(f.book.connect(f.actors.stranger).enforce(f.id, f.today)).to.be.revertedWithCustomError(
        f.book,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.book.connect(f.pledgee).enforce(f.id, f.today)).to.be.revertedWithCustomError(
        f.book,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("applies pledged cash first", async function () {
      const f = await loadFixture(defaultedFixture);
      await (await f.book.connect(f.pledger).topUp(f.id, 0n, 100_000_000n)).wait();
      await (await f.book.enforce(f.id, f.today)).wait();
      expect(await f.cash.balanceOf(f.pledgee.address)).to.equal(100_000_000n);
      expect(await f.cash.totalEncumbered(f.pledger.address)).to.equal(0n);
    });
  });

  describe("storage layout", function () {
    it("writes three words at registration and leaves the balances and request words zero", async function () {
      const f = await loadFixture(activePledgeFixture);
      const [words, accounts] = await f.book.pledgeWords(f.id);
      expect(words.slice(0, 3).every((w) => BigInt(w) !== 0n)).to.equal(true);
      expect([BigInt(words[3]), BigInt(words[4])]).to.deep.equal([0n, 0n]);
      expect(accounts).to.deep.equal([f.pledger.address, f.pledgee.address, f.cash.target, f.equity.target]);
      const p = await readPledge(f.book, f.id);
      expect([p.accruedTo, p.maturityDate, p.topUpDays, p.interest, p.pledgedCash]).to.deep.equal([f.start, f.start + 365, 2, 0n, 0n]);
      // The start date and the cap are registration inputs: they stay in PledgeRequested, not in the stored pledge.
      expect([p.startDate, p.maxInitialRate]).to.deep.equal([0, 0n]);
    });

    it("writes three words for registerSigned and no request word, whatever the cap", async function () {
      const f = await loadFixture(signedFixture);
      const terms = { ...f.terms, maxInitialRate: 5n * 10n ** 17n };
      const a = await signPledgeRequest(f.book, f.pledger, terms, f.deadline);
      const b = await signPledgeRequest(f.book, f.pledgee, terms, f.deadline);
      await (await f.book.registerSigned(terms, f.deadline, a, b)).wait();
      const [words] = await f.book.pledgeWords(1n);
      expect(words.slice(0, 3).every((w) => BigInt(w) !== 0n)).to.equal(true);
      expect([BigInt(words[3]), BigInt(words[4])]).to.deep.equal([0n, 0n]);
    });

    it("keeps a pledge's own cap in the request word until registration, which applies and clears it", async function () {
      const f = await loadFixture(pledgeFixture);
      await pushPrice(f, f.today, "25");
      // 10,000,000.00 against 25,000,000.00 of shares: 40 %, above a cap of 35 %.
      const low = requestedId(
        f.book,
        await (
          await f.book
            .connect(f.pledger)
            .request(termsFor(f, f.today, { quantity: PLEDGED / 2n, principal: 500_000_000n, maxInitialRate: 35n * 10n ** 16n }))
        ).wait(),
      );
      const requested = await readPledge(f.book, low);
      expect([requested.startDate, requested.maxInitialRate]).to.deep.equal([f.today, 35n * 10n ** 16n]);
      expect(BigInt((await f.book.pledgeWords(low))[0][4])).to.equal(35n * 10n ** 16n);
      await (await f.book.connect(f.pledgee).consent(low)).wait();
      await expect(f.book.register(low))
        .to.be.revertedWithCustomError(f.book, "PledgeInitialRateAboveCap")
        .withArgs(low, 4n * 10n ** 17n, 35n * 10n ** 16n);
      const high = requestedId(
        f.book,
        await (
          await f.book
            .connect(f.pledger)
            .request(termsFor(f, f.today, { quantity: PLEDGED / 2n, principal: 500_000_000n, maxInitialRate: 45n * 10n ** 16n }))
        ).wait(),
      );
      await (await f.book.connect(f.pledgee).consent(high)).wait();
      await expect(f.book.register(high)).to.emit(f.book, "PledgeRegistered");
      const [words] = await f.book.pledgeWords(high);
      expect(BigInt(words[4])).to.equal(0n);
      const p = await readPledge(f.book, high);
      expect([p.status, p.maxInitialRate, p.pledgerConsent && p.pledgeeConsent]).to.deep.equal(["Active", 0n, true]);
      // A request with the default cap writes no request word.
      const plain = requestedId(f.book, await (await f.book.connect(f.pledger).request(termsFor(f, f.today))).wait());
      expect(BigInt((await f.book.pledgeWords(plain))[0][4])).to.equal(0n);
      expect((await readPledge(f.book, plain)).maxInitialRate).to.equal(6n * 10n ** 17n);
    });

    it("names a second pledge's parties, cash token and security by the indexes of the first", async function () {
      const f = await loadFixture(activePledgeFixture);
      const second = requestedId(f.book, await (await f.book.connect(f.pledger).request(termsFor(f, f.start))).wait());
      const head = async (id: bigint) => BigInt((await f.book.pledgeWords(id))[0][0]);
      const indexes = (w: bigint) => [w & 0xffffffffn, w >> 160n];
      expect(indexes(await head(second))).to.deep.equal(indexes(await head(f.id)));
    });

    it("uses the balances word from the first repayment, the interest and principal exact", async function () {
      const f = await loadFixture(activePledgeFixture);
      // 30 days of 6.5% on 10,000,000.00: 53,424.66 accrued; 10,000.00 pays interest only.
      await (await f.book.connect(f.pledgee).repay(f.id, 1_000_000n, f.today)).wait();
      const p = await readPledge(f.book, f.id);
      expect([p.interest, p.principal, p.accruedTo, p.pledgedCash]).to.deep.equal([4_342_466n, 1_000_000_000n, f.today, 0n]);
      await pushPrice(f, f.today, "25");
      const v = valuationsOf(f.book, await (await f.book.value([f.id], f.today)).wait())[0];
      expect([v.out.interestUnpaid, v.pledgedCash]).to.deep.equal([4_342_466n, 0n]);
    });

    it("uses the balances word from the first pledged cash and values it", async function () {
      const f = await loadFixture(activePledgeFixture);
      await (await f.book.connect(f.pledger).topUp(f.id, 0n, 100_000_000n)).wait();
      expect((await readPledge(f.book, f.id)).pledgedCash).to.equal(100_000_000n);
      await pushPrice(f, f.today, "25");
      const v = valuationsOf(f.book, await (await f.book.value([f.id], f.today)).wait())[0];
      expect([v.pledgedCash, v.out.collateralValue - v.out.shareValue]).to.deep.equal([100_000_000n, 100_000_000n]);
    });

    it("keeps an enforced pledge's shares and cash as they were when enforced", async function () {
      const f = await loadFixture(activePledgeFixture);
      await (await f.book.connect(f.pledger).topUp(f.id, 0n, 1_000n)).wait();
      await pushPrice(f, f.today - 5, "13");
      await (await f.book.value([f.id], f.today - 5)).wait();
      await pushPrice(f, f.today, "12.5");
      await (await f.book.enforce(f.id, f.today)).wait();
      const p = await readPledge(f.book, f.id);
      expect([p.status, p.shares, p.pledgedCash]).to.deep.equal(["Enforced", PLEDGED, 1_000n]);
      expect(await f.equity.totalEncumbered(f.pledger.address)).to.equal(0n);
      expect(await f.cash.totalEncumbered(f.pledger.address)).to.equal(0n);
    });

    it("decodes an unknown id as status None with zero accounts", async function () {
      const f = await loadFixture(pledgeFixture);
      const p = await readPledge(f.book, 99);
      expect([p.status, p.pledger, p.cashToken]).to.deep.equal(["None", ethers.ZeroAddress, ethers.ZeroAddress]);
    });
  });

  describe("roles", function () {
    it("gives the depository role to the deployer", async function () {
      const f = await loadFixture(pledgeFixture);
      expect(await f.book.hasRole(BOOK(), f.actors.csd.address)).to.equal(true);
    });

    it("holds LOCK_OPERATOR_ROLE on every token through the factory", async function () {
      const f: PledgeFixture = await loadFixture(pledgeFixture);
      expect(await f.equity.hasRole(ethers.id("LOCK_OPERATOR_ROLE"), f.book.target)).to.equal(true);
      expect(await f.cash.hasRole(ethers.id("LOCK_OPERATOR_ROLE"), f.book.target)).to.equal(true);
    });
  });
});
