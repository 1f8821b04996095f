import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { activeFixture, closeDay, offChainFixture, proposedFixture, pushEquity, repoFixture, SIDE, STATUS, WAD, XMOS } from "./fixtures";
import { propose, signTerms, revalueInBatches } from "../../lib/repo";
import { toDate } from "../../lib/core/dates";

const REF = ethers.encodeBytes32String("ref");

describe("RepoBook", function () {
  describe("propose", function () {
    it("stores the terms and emits them with their EIP-712 hash", async function () {
      const f = await loadFixture(repoFixture);
      const tx = await f.book.connect(f.borrower).propose(f.terms);
      const hash = await f.book.hashTerms(f.terms);
      await expect(tx).to.emit(f.book, "RepoProposed");
      expect(await f.book.termsHash(1n)).to.equal(hash);
      const t = await f.book.terms(1n);
      expect(t.purchasePrice).to.equal(f.terms.purchasePrice);
      expect(t.upperTrigger).to.equal(f.terms.upperTrigger);
      expect((await f.book.dealState(1n)).status).to.equal(STATUS.Proposed);
    });

    it("refuses a stranger", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.connect(f.stranger).propose(f.terms))
        .to.be.revertedWithCustomError(f.book, "RepoNotAuthorised")
        .withArgs(0n, f.stranger.address);
    });

    it("refuses a start after the repurchase date", async function () {
      const f = await loadFixture(repoFixture);
      const t = { ...f.terms, startDate: f.terms.repurchaseDate + 1 };
      await expect(f.book.connect(f.borrower).propose(t))
        .to.be.revertedWithCustomError(f.book, "RepoDatesInvalid")
        .withArgs(t.tradeDate, t.startDate, t.repurchaseDate);
    });

    it("refuses a corridor not around the initial LTV", async function () {
      const f = await loadFixture(repoFixture);
      const t = { ...f.terms, lowerTrigger: (82n * WAD) / 100n };
      await expect(f.book.connect(f.borrower).propose(t))
        .to.be.revertedWithCustomError(f.book, "RepoCorridorInvalid")
        .withArgs(t.lowerTrigger, t.initialLtv, t.upperTrigger);
    });

    it("refuses a zero quantity, naming the field", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, quantity: 0n }))
        .to.be.revertedWithCustomError(f.book, "RepoTermInvalid")
        .withArgs("quantity", 0n);
    });

    it("refuses a basis other than 360 or 365", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, basis: 366 }))
        .to.be.revertedWithCustomError(f.book, "RepoTermInvalid")
        .withArgs("basis", 366n);
    });

    it("refuses an unknown security", async function () {
      const f = await loadFixture(repoFixture);
      const cash = await f.cash.getAddress();
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, security: cash }))
        .to.be.revertedWithCustomError(f.book, "RepoUnknownSecurity")
        .withArgs(cash);
    });

    it("refuses a security the oracle does not price", async function () {
      const f = await loadFixture(repoFixture);
      const bond = await f.bond.getAddress();
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, security: bond })).to.be.revertedWithCustomError(
        f.book,
        "RepoSecurityNotPriced",
      );
    });

    it("refuses an unknown calendar", async function () {
      const f = await loadFixture(repoFixture);
      const cal = ethers.hexlify(ethers.toUtf8Bytes("XNYS"));
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, calendar: cal }))
        .to.be.revertedWithCustomError(f.book, "RepoUnknownCalendar")
        .withArgs(cal);
    });

    it("refuses an unknown currency", async function () {
      const f = await loadFixture(repoFixture);
      const usd = ethers.hexlify(ethers.toUtf8Bytes("USD"));
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, currency: usd }))
        .to.be.revertedWithCustomError(f.book, "RepoUnknownCurrency")
        .withArgs(usd);
    });

    it("refuses an account that does not act for its party", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, lenderAccount: f.actors.broker.address }))
        .to.be.revertedWithCustomError(f.book, "RepoAccountNotOfParty")
        .withArgs(f.terms.lender, f.actors.broker.address);
    });

    it("refuses the same participant on both sides", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, lender: f.terms.borrower }))
        .to.be.revertedWithCustomError(f.book, "RepoPartyInvalid")
        .withArgs(f.terms.borrower);
    });

    it("refuses a margin deadline of zero business days", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, marginDeadlineDays: 0 }))
        .to.be.revertedWithCustomError(f.book, "RepoTermInvalid")
        .withArgs("marginDeadlineDays", 0n);
    });
  });

  describe("sign", function () {
    it("records both signatures and moves the deal to Signed", async function () {
      const f = await loadFixture(proposedFixture);
      const deadline = BigInt((await time.latest()) + 600);
      const a = await signTerms(f.book, f.actors.bankA2, f.id, deadline);
      await expect(f.book.connect(f.stranger).sign(f.id, a.signer, deadline, a.signature))
        .to.emit(f.book, "RepoSigned")
        .withArgs(f.id, f.terms.borrower, f.actors.bankA2.address, 0n);
      const b = await signTerms(f.book, f.lender, f.id, deadline);
      await f.book.sign(f.id, b.signer, deadline, b.signature);
      const s = await f.book.dealState(f.id);
      expect([s.status, s.borrowerSigned, s.lenderSigned]).to.deep.equal([BigInt(STATUS.Signed), true, true]);
    });

    it("refuses an expired signature", async function () {
      const f = await loadFixture(proposedFixture);
      const deadline = BigInt((await time.latest()) - 1);
      const a = await signTerms(f.book, f.borrower, f.id, deadline);
      await expect(f.book.sign(f.id, a.signer, deadline, a.signature)).to.be.revertedWithCustomError(f.book, "RepoSignatureExpired");
    });

    it("refuses a replayed signature", async function () {
      const f = await loadFixture(proposedFixture);
      const deadline = BigInt((await time.latest()) + 600);
      const a = await signTerms(f.book, f.borrower, f.id, deadline);
      await f.book.sign(f.id, a.signer, deadline, a.signature);
      // The same signature on a second deal: the nonce moved on, so it no longer verifies.
      const { id: second } = await propose(f.book.connect(f.borrower), f.terms);
      await expect(f.book.sign(second, a.signer, deadline, a.signature))
        .to.be.revertedWithCustomError(f.book, "RepoSignatureInvalid")
        .withArgs(f.borrower.address);
    });

    it("refuses a second signature of the same party", async function () {
      const f = await loadFixture(proposedFixture);
      const deadline = BigInt((await time.latest()) + 600);
      const a = await signTerms(f.book, f.borrower, f.id, deadline);
      await f.book.sign(f.id, a.signer, deadline, a.signature);
      const b = await signTerms(f.book, f.actors.bankA2, f.id, deadline);
      await expect(f.book.sign(f.id, b.signer, deadline, b.signature))
        .to.be.revertedWithCustomError(f.book, "RepoAlreadySigned")
        .withArgs(f.id, f.terms.borrower);
    });

    it("refuses a stranger's signature", async function () {
      const f = await loadFixture(proposedFixture);
      const deadline = BigInt((await time.latest()) + 600);
      const a = await signTerms(f.book, f.stranger, f.id, deadline);
      await expect(f.book.sign(f.id, a.signer, deadline, a.signature))
        .to.be.revertedWithCustomError(f.book, "RepoSignerNotParty")
        .withArgs(f.id, f.stranger.address);
    });

    it("refuses a signature by one signer claimed for another", async function () {
      const f = await loadFixture(proposedFixture);
      const deadline = BigInt((await time.latest()) + 600);
      const a = await signTerms(f.book, f.borrower, f.id, deadline);
      await expect(f.book.sign(f.id, f.lender.address, deadline, a.signature))
        .to.be.revertedWithCustomError(f.book, "RepoSignatureInvalid")
        .withArgs(f.lender.address);
    });
  });

  describe("accept", function () {
    it("refuses a deal not signed by both", async function () {
      const f = await loadFixture(proposedFixture);
      await expect(f.book.connect(f.agent).accept(f.id))
        .to.be.revertedWithCustomError(f.book, "RepoWrongStatus")
        .withArgs(f.id, STATUS.Proposed);
    });

    it("refuses a stranger", async function () {
      const f = await loadFixture(proposedFixture);
      await expect(f.book.connect(f.stranger).accept(f.id)).to.be.revertedWithCustomError(f.book, "AccessControlUnauthorizedAccount");
    });
  });

  describe("settleOpening", function () {
    it("moves the securities encumbered to the lender and the cash to the borrower", async function () {
      const f = await loadFixture(activeFixture);
      const book = await f.book.getAddress();
      expect(await f.equity.balanceOf(f.lender.address)).to.equal(1000n);
      expect(await f.equity.encumbered(f.lender.address, book, f.id)).to.equal(1000n);
      expect(await f.equity.freeBalance(f.lender.address)).to.equal(0n);
      expect(await f.cash.balanceOf(f.borrower.address)).to.equal(f.terms.purchasePrice);
      const s = await f.book.dealState(f.id);
      expect([s.status, s.onChain, s.quantity]).to.deep.equal([BigInt(STATUS.Active), true, 1000n]);
    });

    it("refuses a stranger", async function () {
      const f = await loadFixture(proposedFixture);
      await expect(f.book.connect(f.stranger).settleOpening(f.id)).to.be.revertedWithCustomError(
        f.book,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("revalue", function () {
    it("raises a borrower call after a price drop, once per date", async function () {
      const f = await loadFixture(activeFixture);
      const d = f.days[5];
      await pushEquity(f, d, 200n * WAD);
      const tx = await f.book.connect(f.stranger).revalue([f.id], d);
      await expect(tx).to.emit(f.book, "RepoRevalued");
      await expect(tx).to.emit(f.book, "MarginCallRaised");
      const o = await f.book.obligation(f.id, SIDE.Borrower);
      expect(o.status).to.equal(1n);
      expect(o.dueDate).to.equal(BigInt(f.days[7]));
      const again = await f.book.revalue([f.id], d);
      await expect(again).not.to.emit(f.book, "RepoRevalued");
      expect(await f.book.obligation(f.id, SIDE.Borrower)).to.deep.equal(o);
    });

    it("resizes an open call instead of stacking a second one", async function () {
      const f = await loadFixture(activeFixture);
      await pushEquity(f, f.days[5], 200n * WAD);
      await f.book.revalue([f.id], f.days[5]);
      const first = await f.book.obligation(f.id, SIDE.Borrower);
      await pushEquity(f, f.days[6], 190n * WAD);
      await expect(f.book.revalue([f.id], f.days[6])).to.emit(f.book, "MarginCallResized");
      const second = await f.book.obligation(f.id, SIDE.Borrower);
      expect(second.cash).to.be.gt(first.cash);
      expect(second.dueDate).to.equal(first.dueDate);
      expect(second.raisedOn).to.equal(first.raisedOn);
    });

    it("cancels an open call when the LTV returns inside the corridor", async function () {
      const f = await loadFixture(activeFixture);
      await pushEquity(f, f.days[5], 200n * WAD);
      await f.book.revalue([f.id], f.days[5]);
      await pushEquity(f, f.days[6], 250n * WAD);
      await expect(f.book.revalue([f.id], f.days[6]))
        .to.emit(f.book, "MarginCallCancelled")
        .withArgs(f.id, SIDE.Borrower, f.days[6]);
      expect((await f.book.dealState(f.id)).borrowerCallOpen).to.equal(false);
    });

    it("raises a lender return after a price rise", async function () {
      const f = await loadFixture(activeFixture);
      await pushEquity(f, f.days[5], 300n * WAD);
      await f.book.revalue([f.id], f.days[5]);
      expect((await f.book.obligation(f.id, SIDE.Lender)).status).to.equal(1n);
    });

    it("raises nothing below the minimum transfer amount", async function () {
      const f = await loadFixture(repoFixture);
      const { id } = await propose(f.book.connect(f.borrower), { ...f.terms, minimumTransfer: 100_000_00n });
      const { openDeal } = await import("./fixtures");
      await openDeal(f, id);
      await pushEquity(f, f.days[5], 200n * WAD);
      await expect(f.book.revalue([id], f.days[5])).not.to.emit(f.book, "MarginCallRaised");
    });

    it("records a holiday of the deal's calendar as a skip", async function () {
      const f = await loadFixture(activeFixture);
      const d = f.days[5];
      await f.calendar.loadHolidays(XMOS, toDate(d).year, [d]);
      // No price is pushed or closed on a holiday; the next business day's close covers it.
      await pushEquity(f, f.days[6], 250n * WAD);
      await expect(f.book.revalue([f.id], d))
        .to.emit(f.book, "RepoRevaluationSkipped")
        .withArgs(f.id, d, 0);
      expect((await f.book.dealState(f.id)).lastRevaluedDate).to.equal(BigInt(d));
      await expect(f.book.revalue([f.id], d)).not.to.emit(f.book, "RepoRevaluationSkipped");
    });

    it("skips a date not yet closed by the oracle and records nothing", async function () {
      const f = await loadFixture(activeFixture);
      await pushEquity(f, f.days[5], 200n * WAD, false);
      await expect(f.book.connect(f.stranger).revalue([f.id], f.days[5]))
        .to.emit(f.book, "RepoRevaluationSkipped")
        .withArgs(f.id, f.days[5], 7);
      expect((await f.book.dealState(f.id)).lastRevaluedDate).to.equal(0n);
    });

    it("keeps a stale price from pre-empting the day's revaluation", async function () {
      const f = await loadFixture(activeFixture);
      // Day 4 closed at 200; a stranger asks for day 5 before its price is pushed: before close of business,
      // nothing is recorded, so the revaluation after day 5's close uses day 5's price.
      await pushEquity(f, f.days[4], 200n * WAD);
      await f.book.connect(f.stranger).revalue([f.id], f.days[5]);
      await pushEquity(f, f.days[5], 250n * WAD);
      const receipt = (await (await f.book.connect(f.stranger).revalue([f.id], f.days[5])).wait())!;
      const events = receipt.logs.map((l) => f.book.interface.parseLog(l)).filter((e) => e?.name === "RepoRevalued");
      expect(events).to.have.length(1);
      expect(events[0]!.args.inputs.cleanPrice).to.equal(250n * WAD);
      expect(events[0]!.args.inputs.priceDate).to.equal(BigInt(f.days[5]));
      expect((await f.book.dealState(f.id)).borrowerCallOpen).to.equal(false);
    });

    it("skips a deal without a price and keeps it open to a later run", async function () {
      const f = await loadFixture(activeFixture);
      await closeDay(f, f.days[5]);
      await expect(f.book.revalue([f.id], f.days[5]))
        .to.emit(f.book, "RepoRevaluationSkipped")
        .withArgs(f.id, f.days[5], 2);
      expect((await f.book.dealState(f.id)).lastRevaluedDate).to.equal(0n);
    });

    it("the batch loop reports a failed batch and goes on with the next", async function () {
      const f = await loadFixture(activeFixture);
      const run = await revalueInBatches(f.book, [f.id, 99n], f.today + 1, 1);
      expect(run.failed.map((b) => b.dealIds)).to.deep.equal([[f.id], [99n]]);
      expect(run.failed[0].error).to.contain("RepoDateInFuture");
      expect(run.transactions).to.equal(0);
    });

    it("refuses a date after today", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.book.revalue([f.id], f.today + 1))
        .to.be.revertedWithCustomError(f.book, "RepoDateInFuture")
        .withArgs(f.today + 1, f.today);
    });

    it("ignores deals that are not active", async function () {
      const f = await loadFixture(proposedFixture);
      await pushEquity(f, f.days[5], 200n * WAD);
      const run = await revalueInBatches(f.book, [f.id, 99n], f.days[5]);
      expect(run.rows).to.deep.equal([]);
    });
  });

  describe("settleObligation", function () {
    async function called() {
      const f = await activeFixture();
      await pushEquity(f, f.days[5], 200n * WAD);
      await f.book.revalue([f.id], f.days[5]);
      return f;
    }

    it("delivers securities margin under the deal's encumbrance at the lender", async function () {
      const f = await loadFixture(called);
      const o = await f.book.obligation(f.id, SIDE.Borrower);
      await expect(f.book.connect(f.borrower).settleObligation(f.id, SIDE.Borrower, true)).to.emit(f.book, "MarginCallSettled");
      const book = await f.book.getAddress();
      expect(await f.equity.encumbered(f.lender.address, book, f.id)).to.equal(1000n + o.quantity);
      expect((await f.book.dealState(f.id)).quantity).to.equal(1000n + o.quantity);
      expect((await f.book.obligation(f.id, SIDE.Borrower)).status).to.equal(2n);
    });

    it("pays cash margin to the lender and books it with its date", async function () {
      const f = await loadFixture(called);
      const o = await f.book.obligation(f.id, SIDE.Borrower);
      const before = await f.cash.balanceOf(f.lender.address);
      await f.book.connect(f.borrower).settleObligation(f.id, SIDE.Borrower, false);
      expect((await f.cash.balanceOf(f.lender.address)) - before).to.equal(o.cash);
      const margins = await f.book.cashMargins(f.id);
      expect(margins.length).to.equal(1);
      expect(margins[0].amount).to.equal(o.cash);
      expect(margins[0].byLender).to.equal(false);
    });

    it("returns securities from the deal's encumbrance to the borrower when the lender owes", async function () {
      const f = await loadFixture(activeFixture);
      await pushEquity(f, f.days[5], 300n * WAD);
      await f.book.revalue([f.id], f.days[5]);
      const o = await f.book.obligation(f.id, SIDE.Lender);
      expect(o.quantity > 0n).to.equal(true);
      const book = await f.book.getAddress();
      const borrowerFree = await f.equity.freeBalance(f.borrower.address);
      await expect(f.book.connect(f.lender).settleObligation(f.id, SIDE.Lender, true))
        .to.emit(f.book, "MarginCallSettled")
        .and.to.emit(f.equity, "Transfer")
        .withArgs(f.lender.address, f.borrower.address, o.quantity);
      expect(await f.equity.encumbered(f.lender.address, book, f.id)).to.equal(1000n - o.quantity);
      expect((await f.equity.freeBalance(f.borrower.address)) - borrowerFree).to.equal(o.quantity);
      expect((await f.book.dealState(f.id)).quantity).to.equal(1000n - o.quantity);
      expect((await f.book.obligation(f.id, SIDE.Lender)).status).to.equal(2n);
    });

    it("refuses the party that does not owe", async function () {
      const f = await loadFixture(called);
      await expect(f.book.connect(f.lender).settleObligation(f.id, SIDE.Borrower, true))
        .to.be.revertedWithCustomError(f.book, "RepoNotAuthorised")
        .withArgs(f.id, f.lender.address);
    });

    it("refuses a stranger", async function () {
      const f = await loadFixture(called);
      await expect(f.book.connect(f.stranger).settleObligation(f.id, SIDE.Borrower, true)).to.be.revertedWithCustomError(
        f.book,
        "RepoNotAuthorised",
      );
    });

    it("refuses when no call is open", async function () {
      const f = await loadFixture(called);
      await expect(f.book.connect(f.lender).settleObligation(f.id, SIDE.Lender, true))
        .to.be.revertedWithCustomError(f.book, "RepoNoOpenObligation")
        .withArgs(f.id, SIDE.Lender);
    });

    it("returns the LTV to at most the initial one", async function () {
      const f = await loadFixture(called);
      await f.book.connect(f.borrower).settleObligation(f.id, SIDE.Borrower, true);
      await pushEquity(f, f.days[6], 200n * WAD);
      const run = await revalueInBatches(f.book, [f.id], f.days[6]);
      expect(run.rows[0].ltv! <= f.terms.initialLtv + WAD / 1000n).to.equal(true);
      expect(run.rows[0].action).to.equal("None");
    });
  });

  describe("confirmObligation", function () {
    it("books an off-chain settlement confirmed by the agent", async function () {
      const f = await loadFixture(offChainFixture);
      await pushEquity(f, f.days[5], 200n * WAD);
      await f.book.revalue([f.id], f.days[5]);
      await expect(f.book.connect(f.agent).confirmObligation(f.id, SIDE.Borrower, true, REF)).to.emit(f.book, "MarginCallSettled");
      expect((await f.book.dealState(f.id)).borrowerCallOpen).to.equal(false);
    });

    it("refuses an on-chain deal", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.book.connect(f.agent).confirmObligation(f.id, SIDE.Borrower, true, REF))
        .to.be.revertedWithCustomError(f.book, "RepoSettlementModeMismatch")
        .withArgs(f.id, true);
    });

    it("refuses a stranger", async function () {
      const f = await loadFixture(offChainFixture);
      await expect(f.book.connect(f.stranger).confirmObligation(f.id, SIDE.Borrower, true, REF)).to.be.revertedWithCustomError(
        f.book,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("markOverdue", function () {
    it("defaults the deal after the due date; the agent closes it out to the lender", async function () {
      const f = await loadFixture(activeFixture);
      await pushEquity(f, f.days[5], 200n * WAD);
      await f.book.revalue([f.id], f.days[5]);
      await expect(f.book.connect(f.lender).markOverdue(f.id, SIDE.Borrower)).to.emit(f.book, "MarginCallOverdue");
      expect((await f.book.dealState(f.id)).status).to.equal(BigInt(STATUS.Defaulted));
      await f.book.connect(f.agent).closeOutDefault(f.id, false, REF);
      expect(await f.equity.freeBalance(f.lender.address)).to.equal(1000n);
      expect((await f.book.dealState(f.id)).status).to.equal(BigInt(STATUS.ClosedOut));
    });

    it("refuses before the due date", async function () {
      const f = await loadFixture(activeFixture);
      const d = f.days[f.days.length - 1];
      await pushEquity(f, d, 200n * WAD);
      await f.book.revalue([f.id], d);
      const o = await f.book.obligation(f.id, SIDE.Borrower);
      await expect(f.book.connect(f.lender).markOverdue(f.id, SIDE.Borrower))
        .to.be.revertedWithCustomError(f.book, "RepoObligationNotDue")
        .withArgs(f.id, SIDE.Borrower, o.dueDate, f.today);
    });

    it("refuses a stranger", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.book.connect(f.stranger).markOverdue(f.id, SIDE.Borrower)).to.be.revertedWithCustomError(f.book, "RepoNotAuthorised");
    });
  });

  describe("settleRepurchase", function () {
    it("refuses before the repurchase date without an agreed termination", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.book.connect(f.agent).settleRepurchase(f.id))
        .to.be.revertedWithCustomError(f.book, "RepoNotMatured")
        .withArgs(f.id, f.terms.repurchaseDate, f.today);
    });

    it("terminates early once both parties agree: cash back with interest, collateral free", async function () {
      const f = await loadFixture(activeFixture);
      await f.book.connect(f.borrower).agreeTermination(f.id);
      await f.book.connect(f.lender).agreeTermination(f.id);
      await f.cash.mint(f.borrower.address, 10_000_00n, ethers.encodeBytes32String("interest"));
      const lenderBefore = await f.cash.balanceOf(f.lender.address);
      const tx = await f.book.connect(f.agent).settleRepurchase(f.id);
      await expect(tx).to.emit(f.book, "RepoClosed");
      const days = BigInt(f.today - f.days[0]);
      const interest = (f.terms.purchasePrice * 12n * days + 36500n - 1n) / 36500n;
      expect((await f.cash.balanceOf(f.lender.address)) - lenderBefore).to.equal(f.terms.purchasePrice + interest);
      expect(await f.equity.freeBalance(f.borrower.address)).to.equal(10_000n);
      expect((await f.book.dealState(f.id)).status).to.equal(BigInt(STATUS.Terminated));
    });

    it("refuses a stranger", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.book.connect(f.stranger).settleRepurchase(f.id)).to.be.revertedWithCustomError(
        f.book,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("agreeTermination", function () {
    it("refuses a stranger", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.book.connect(f.stranger).agreeTermination(f.id))
        .to.be.revertedWithCustomError(f.book, "RepoNotAuthorised")
        .withArgs(f.id, f.stranger.address);
    });

    it("refuses a second agreement of the same party", async function () {
      const f = await loadFixture(activeFixture);
      await f.book.connect(f.borrower).agreeTermination(f.id);
      await expect(f.book.connect(f.actors.bankA2).agreeTermination(f.id))
        .to.be.revertedWithCustomError(f.book, "RepoAlreadyAgreed")
        .withArgs(f.id, f.terms.borrower);
    });
  });

  describe("cancel", function () {
    it("cancels a proposal", async function () {
      const f = await loadFixture(proposedFixture);
      await expect(f.book.connect(f.lender).cancel(f.id)).to.emit(f.book, "RepoCancelled").withArgs(f.id, f.lender.address);
    });

    it("refuses an active deal", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.book.connect(f.lender).cancel(f.id))
        .to.be.revertedWithCustomError(f.book, "RepoWrongStatus")
        .withArgs(f.id, STATUS.Active);
    });

    it("refuses a stranger", async function () {
      const f = await loadFixture(proposedFixture);
      await expect(f.book.connect(f.stranger).cancel(f.id)).to.be.revertedWithCustomError(f.book, "RepoNotAuthorised");
    });
  });

  describe("attachDocument and postMessage", function () {
    it("emit the hash and URI", async function () {
      const f = await loadFixture(proposedFixture);
      const h = ethers.id("GMRA 2011");
      await expect(f.book.connect(f.borrower).attachDocument(f.id, h, "ipfs://gmra"))
        .to.emit(f.book, "RepoDocumentAttached")
        .withArgs(f.id, h, "ipfs://gmra", f.borrower.address);
      await expect(f.book.connect(f.agent).postMessage(f.id, h, "https://msg")).to.emit(f.book, "RepoMessagePosted");
    });

    it("refuse a stranger", async function () {
      const f = await loadFixture(proposedFixture);
      await expect(f.book.connect(f.stranger).attachDocument(f.id, ethers.id("x"), "u")).to.be.revertedWithCustomError(
        f.book,
        "RepoNotAuthorised",
      );
      await expect(f.book.connect(f.stranger).postMessage(f.id, ethers.id("x"), "u")).to.be.revertedWithCustomError(
        f.book,
        "RepoNotAuthorised",
      );
    });
  });

  describe("recordMarginTransfer", function () {
    it("refuses a stranger", async function () {
      const f = await loadFixture(offChainFixture);
      await expect(
        f.book.connect(f.stranger).recordMarginTransfer(f.id, SIDE.Borrower, false, 100n, f.days[1], REF),
      ).to.be.revertedWithCustomError(f.book, "AccessControlUnauthorizedAccount");
    });

    it("refuses a date after today", async function () {
      const f = await loadFixture(offChainFixture);
      await expect(f.book.connect(f.agent).recordMarginTransfer(f.id, SIDE.Borrower, false, 100n, f.today + 1, REF))
        .to.be.revertedWithCustomError(f.book, "RepoMarginDateInvalid")
        .withArgs(f.id, f.today + 1);
    });
  });
});
