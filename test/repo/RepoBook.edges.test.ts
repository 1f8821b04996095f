import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { ContractTransactionResponse } from "ethers";
import {
  activeFixture,
  closeDay,
  EQUITY_FEED,
  offChainFixture,
  openDeal,
  proposedFixture,
  pushEquity,
  repoFixture,
  RepoFixture,
  RUB,
  SIDE,
  STATUS,
  WAD,
} from "./fixtures";
import { BOND_ISIN, isin } from "../token/fixtures";
import { propose, REVALUATION_SKIPS, RepoTerms, SIGNATURE_TYPES, signTerms, termsFromChain } from "../../lib/repo";
import { assetFeedId, calendarToBytes4, currencyToBytes3 } from "../../lib/oracle/ids";
import { buildInstrument, issueSecurity } from "../../lib/tokens";
import { dayToIso, toDate, toDay, weekday } from "../../lib/core/dates";
import type { IRepoBook } from "../../typechain-types";

const REF = ethers.encodeBytes32String("ref");
const OBLIGATION = { None: 0n, Open: 1n, Settled: 2n, Cancelled: 3n, Overdue: 4n } as const;
const skip = (name: (typeof REVALUATION_SKIPS)[number]) => REVALUATION_SKIPS.indexOf(name);

/** A deal on the fixture's terms with `overrides`, proposed by the borrower and opened (on or off chain). */
async function dealOn(f: RepoFixture, overrides: Partial<RepoTerms>, onChain: boolean): Promise<bigint> {
  const { id } = await propose(f.book.connect(f.borrower), { ...f.terms, ...overrides });
  await openDeal(f, id, onChain);
  return id;
}

/** A calendar with Saturday and Sunday as weekends and the given years loaded (none: unusable for any date). */
async function newCalendar(f: RepoFixture, code: string, years: number[]): Promise<string> {
  const cal = calendarToBytes4(code);
  await (await f.calendar.configureCalendar(cal, 0x60, code)).wait();
  for (const y of years) await (await f.calendar.loadHolidays(cal, y, [])).wait();
  return cal;
}

/** The closing emitted by a closing-leg transaction. */
async function closingOf(f: RepoFixture, tx: ContractTransactionResponse): Promise<IRepoBook.ClosingStructOutput> {
  const receipt = (await tx.wait())!;
  for (const log of receipt.logs) {
    const parsed = f.book.interface.parseLog(log);
    if (parsed?.name === "RepoClosed") return parsed.args.closing as IRepoBook.ClosingStructOutput;
  }
  throw new Error("no RepoClosed event");
}

/** Both parties agree to terminate deal `id`. */
async function agreeBoth(f: RepoFixture, id: bigint): Promise<void> {
  await (await f.book.connect(f.borrower).agreeTermination(id)).wait();
  await (await f.book.connect(f.lender).agreeTermination(id)).wait();
}

/** The fixture deal defaulted by the borrower (call raised at days[5], marked overdue after its due date). */
async function defaulted(f: RepoFixture & { id: bigint }): Promise<void> {
  await pushEquity(f, f.days[5], 200n * WAD);
  await (await f.book.revalue([f.id], f.days[5])).wait();
  await (await f.book.connect(f.lender).markOverdue(f.id, SIDE.Borrower)).wait();
}

async function defaultedOnChainFixture() {
  const f = await activeFixture();
  await defaulted(f);
  return f;
}

async function defaultedOffChainFixture() {
  const f = await offChainFixture();
  await defaulted(f);
  return f;
}

/** The repo fixture with the tokens fixture's bond priced by the oracle (RUB, XMOS, 950.00 on days[5]). */
async function pricedBondFixture() {
  const f = await repoFixture();
  const feed = assetFeedId(BOND_ISIN);
  await (await f.oracle.configureAsset(feed, RUB, f.terms.calendar, 5n * WAD, 30)).wait();
  await (
    await f.oracle.pushPrices([
      { feedId: feed, date: f.days[5], price: 950n * WAD },
      { feedId: EQUITY_FEED, date: f.days[5], price: 250n * WAD },
    ])
  ).wait();
  await closeDay(f, f.days[5]);
  return { ...f, bondTerms: { ...f.terms, security: await f.bond.getAddress(), couponDayCount: 0 } };
}

describe("RepoBook", function () {
  describe("initialize", function () {
    it("cannot be initialised twice", async function () {
      const f = await loadFixture(repoFixture);
      const a = f.agent.address;
      await expect(f.book.initialize(a, a, a, a, a)).to.be.revertedWithCustomError(f.book, "InvalidInitialization");
    });

    for (const [index, name] of ["registry", "factory", "oracle", "calendar"].entries()) {
      it(`refuses a zero ${name} on a fresh proxy`, async function () {
        const { upgrades } = await import("hardhat");
        const f = await loadFixture(repoFixture);
        const libraries: Record<string, string> = {};
        for (const lib of ["RepoRevaluation", "RepoOperations"]) {
          libraries[lib] = await (await ethers.deployContract(lib)).getAddress();
        }
        const factory = await ethers.getContractFactory("RepoBook", { libraries });
        const args = [
          f.agent.address,
          f.contracts.ParticipantRegistry,
          f.contracts.TokenFactory,
          f.contracts.PriceOracle,
          f.contracts.HolidayCalendar,
        ];
        args[index + 1] = ethers.ZeroAddress;
        upgrades.silenceWarnings();
        await expect(upgrades.deployProxy(factory, args, { kind: "uups", unsafeAllow: ["external-library-linking"] }))
          .to.be.revertedWithCustomError(factory, "ConsortiumZeroAddress")
          .withArgs(name);
      });
    }
  });

  describe("propose", function () {
    it("refuses a zero borrower id", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.connect(f.agent).propose({ ...f.terms, borrower: 0 }))
        .to.be.revertedWithCustomError(f.book, "RepoPartyInvalid")
        .withArgs(f.terms.lender);
    });

    it("refuses a borrower account that does not act for the borrower", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, borrowerAccount: f.stranger.address }))
        .to.be.revertedWithCustomError(f.book, "RepoAccountNotOfParty")
        .withArgs(f.terms.borrower, f.stranger.address);
    });

    it("refuses a zero purchase price, naming the field", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, purchasePrice: 0n }))
        .to.be.revertedWithCustomError(f.book, "RepoTermInvalid")
        .withArgs("purchasePrice", 0n);
    });

    it("refuses a zero lower trigger", async function () {
      const f = await loadFixture(repoFixture);
      const t = { ...f.terms, lowerTrigger: 0n };
      await expect(f.book.connect(f.borrower).propose(t))
        .to.be.revertedWithCustomError(f.book, "RepoCorridorInvalid")
        .withArgs(0n, t.initialLtv, t.upperTrigger);
    });

    it("refuses an initial LTV above the upper trigger", async function () {
      const f = await loadFixture(repoFixture);
      const t = { ...f.terms, initialLtv: (90n * WAD) / 100n };
      await expect(f.book.connect(f.borrower).propose(t))
        .to.be.revertedWithCustomError(f.book, "RepoCorridorInvalid")
        .withArgs(t.lowerTrigger, t.initialLtv, t.upperTrigger);
    });

    it("refuses a corridor of zero width", async function () {
      const f = await loadFixture(repoFixture);
      const ltv = f.terms.initialLtv;
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, lowerTrigger: ltv, upperTrigger: ltv }))
        .to.be.revertedWithCustomError(f.book, "RepoCorridorInvalid")
        .withArgs(ltv, ltv, ltv);
    });

    it("refuses a trade date after the start date", async function () {
      const f = await loadFixture(repoFixture);
      const t = { ...f.terms, tradeDate: f.terms.startDate + 1 };
      await expect(f.book.connect(f.borrower).propose(t))
        .to.be.revertedWithCustomError(f.book, "RepoDatesInvalid")
        .withArgs(t.tradeDate, t.startDate, t.repurchaseDate);
    });

    it("refuses a day-count code outside the conventions", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, couponDayCount: 99 }))
        .to.be.revertedWithCustomError(f.book, "RepoTermInvalid")
        .withArgs("couponDayCount", 99n);
    });

    it("refuses a margin deadline above 30 business days", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, marginDeadlineDays: 31 }))
        .to.be.revertedWithCustomError(f.book, "RepoTermInvalid")
        .withArgs("marginDeadlineDays", 31n);
    });

    it("refuses the zero address as security", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, security: ethers.ZeroAddress }))
        .to.be.revertedWithCustomError(f.book, "RepoUnknownSecurity")
        .withArgs(ethers.ZeroAddress);
    });

    it("refuses a bond deal whose coupon day count differs from the bond's", async function () {
      const f = await loadFixture(pricedBondFixture);
      await expect(f.book.connect(f.borrower).propose({ ...f.bondTerms, couponDayCount: 3 }))
        .to.be.revertedWithCustomError(f.book, "RepoDayCountMismatch")
        .withArgs(0n, 3n);
    });

    it("refuses a bond whose face value is not a whole number of units per token unit", async function () {
      const f = await loadFixture(repoFixture);
      const instrument = {
        ...buildInstrument({
          isin: isin("RU000A0ZZZ1"),
          kind: "Bond",
          currency: "RUB",
          faceValue: "1000",
          issueDate: "2021-01-15",
          maturityDate: "2040-01-15",
          dayCount: "Thirty360BondBasis",
        }),
      };
      instrument.faceValue += 5n;
      const { address } = await issueSecurity(f.factory, { name: "odd face", symbol: "ODD", decimals: 2, instrument });
      await expect(f.book.connect(f.borrower).propose({ ...f.terms, security: address }))
        .to.be.revertedWithCustomError(f.book, "RepoFaceValueNotUnitary")
        .withArgs(address, instrument.faceValue, 2n);
    });

    it("numbers deals from one", async function () {
      const f = await loadFixture(proposedFixture);
      await propose(f.book.connect(f.lender), f.terms);
      expect(await f.book.dealCount()).to.equal(2n);
    });
  });

  describe("views", function () {
    it("refuse an unknown deal", async function () {
      const f = await loadFixture(repoFixture);
      await expect(f.book.terms(99n)).to.be.revertedWithCustomError(f.book, "RepoUnknownDeal").withArgs(99n);
    });

    it("signatureDigest is the EIP-712 digest a party's signer signs", async function () {
      const f = await loadFixture(proposedFixture);
      const [, name, version, chainId, verifyingContract] = await f.book.eip712Domain();
      const terms = termsFromChain(await f.book.terms(f.id));
      const expected = ethers.TypedDataEncoder.hash({ name, version, chainId, verifyingContract }, SIGNATURE_TYPES, {
        dealId: f.id,
        terms,
        nonce: 7n,
        deadline: 12345n,
      });
      expect(await f.book.signatureDigest(f.id, 7n, 12345n)).to.equal(expected);
    });
  });

  describe("sign", function () {
    it("refuses a deal that is no longer proposed", async function () {
      const f = await loadFixture(activeFixture);
      const deadline = BigInt((await time.latest()) + 600);
      const a = await signTerms(f.book, f.actors.bankA2, f.id, deadline);
      await expect(f.book.sign(f.id, a.signer, deadline, a.signature))
        .to.be.revertedWithCustomError(f.book, "RepoWrongStatus")
        .withArgs(f.id, STATUS.Active);
    });

    it("refuses the signer of a suspended party", async function () {
      const f = await loadFixture(proposedFixture);
      const deadline = BigInt((await time.latest()) + 600);
      const b = await signTerms(f.book, f.lender, f.id, deadline);
      await (await f.registry.connect(f.actors.csd).suspend(f.terms.lender, ethers.encodeBytes32String("audit"))).wait();
      await expect(f.book.sign(f.id, b.signer, deadline, b.signature))
        .to.be.revertedWithCustomError(f.book, "RepoSignerNotParty")
        .withArgs(f.id, f.lender.address);
    });
  });

  describe("acceptWithSignatures", function () {
    async function signatures(f: RepoFixture & { id: bigint }, signers = [f.borrower, f.lender]) {
      const deadline = BigInt((await time.latest()) + 600);
      const list = [];
      for (const s of signers) {
        const sig = await signTerms(f.book, s, f.id, deadline);
        list.push({ signer: sig.signer, deadline, signature: sig.signature });
      }
      return list;
    }

    it("records both signatures and accepts the deal in one call", async function () {
      const f = await loadFixture(proposedFixture);
      const sigs = await signatures(f);
      await expect(f.book.connect(f.agent).acceptWithSignatures(f.id, sigs))
        .to.emit(f.book, "RepoAccepted")
        .withArgs(f.id, f.agent.address);
      const s = await f.book.dealState(f.id);
      expect([s.status, s.borrowerSigned, s.lenderSigned]).to.deep.equal([BigInt(STATUS.Accepted), true, true]);
    });

    it("refuses when the signatures leave a party unsigned", async function () {
      const f = await loadFixture(proposedFixture);
      const sigs = await signatures(f, [f.borrower]);
      await expect(f.book.connect(f.agent).acceptWithSignatures(f.id, sigs))
        .to.be.revertedWithCustomError(f.book, "RepoWrongStatus")
        .withArgs(f.id, STATUS.Proposed);
      expect((await f.book.dealState(f.id)).borrowerSigned).to.equal(false);
    });

    it("refuses a deal already accepted", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.book.connect(f.agent).acceptWithSignatures(f.id, []))
        .to.be.revertedWithCustomError(f.book, "RepoWrongStatus")
        .withArgs(f.id, STATUS.Active);
    });

    it("refuses a stranger", async function () {
      const f = await loadFixture(proposedFixture);
      await expect(f.book.connect(f.stranger).acceptWithSignatures(f.id, []))
        .to.be.revertedWithCustomError(f.book, "AccessControlUnauthorizedAccount")
        .withArgs(f.stranger.address, await f.book.AGENT_ROLE());
    });
  });

  describe("settleOpening and confirmOpening", function () {
    it("refuse a deal not accepted", async function () {
      const f = await loadFixture(proposedFixture);
      await expect(f.book.connect(f.agent).settleOpening(f.id))
        .to.be.revertedWithCustomError(f.book, "RepoWrongStatus")
        .withArgs(f.id, STATUS.Proposed);
    });

    it("refuse an unknown deal", async function () {
      const f = await loadFixture(proposedFixture);
      await expect(f.book.connect(f.agent).settleOpening(99n)).to.be.revertedWithCustomError(f.book, "RepoUnknownDeal").withArgs(99n);
      await expect(f.book.connect(f.agent).confirmOpening(99n, REF)).to.be.revertedWithCustomError(f.book, "RepoUnknownDeal").withArgs(99n);
    });

    it("confirmOpening refuses a stranger", async function () {
      const f = await loadFixture(proposedFixture);
      await expect(f.book.connect(f.stranger).confirmOpening(f.id, REF)).to.be.revertedWithCustomError(
        f.book,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("settleObligation", function () {
    it("refuses a deal settled off chain", async function () {
      const f = await loadFixture(offChainFixture);
      await expect(f.book.connect(f.borrower).settleObligation(f.id, SIDE.Borrower, false))
        .to.be.revertedWithCustomError(f.book, "RepoSettlementModeMismatch")
        .withArgs(f.id, false);
    });
  });

  describe("attachDocument and postMessage", function () {
    it("attachDocument refuses a zero hash", async function () {
      const f = await loadFixture(proposedFixture);
      await expect(f.book.connect(f.borrower).attachDocument(f.id, ethers.ZeroHash, "u"))
        .to.be.revertedWithCustomError(f.book, "RepoTermInvalid")
        .withArgs("documentHash", 0n);
    });

    it("postMessage refuses a zero hash", async function () {
      const f = await loadFixture(proposedFixture);
      await expect(f.book.connect(f.lender).postMessage(f.id, ethers.ZeroHash, "u"))
        .to.be.revertedWithCustomError(f.book, "RepoTermInvalid")
        .withArgs("contentHash", 0n);
    });
  });

  describe("markOverdue", function () {
    it("refuses a side without an open call", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.book.connect(f.borrower).markOverdue(f.id, SIDE.Lender))
        .to.be.revertedWithCustomError(f.book, "RepoNoOpenObligation")
        .withArgs(f.id, SIDE.Lender);
    });
  });

  describe("agreeTermination", function () {
    it("refuses a deal that is not active", async function () {
      const f = await loadFixture(proposedFixture);
      await expect(f.book.connect(f.borrower).agreeTermination(f.id))
        .to.be.revertedWithCustomError(f.book, "RepoWrongStatus")
        .withArgs(f.id, STATUS.Proposed);
    });
  });

  describe("recordMarginTransfer", function () {
    it("refuses a deal settled on chain", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.book.connect(f.agent).recordMarginTransfer(f.id, SIDE.Borrower, false, 100n, f.days[1], REF))
        .to.be.revertedWithCustomError(f.book, "RepoSettlementModeMismatch")
        .withArgs(f.id, true);
    });

    it("refuses a date before the start date", async function () {
      const f = await loadFixture(offChainFixture);
      const d = f.terms.startDate - 1;
      await expect(f.book.connect(f.agent).recordMarginTransfer(f.id, SIDE.Borrower, false, 100n, d, REF))
        .to.be.revertedWithCustomError(f.book, "RepoMarginDateInvalid")
        .withArgs(f.id, d);
    });

    it("refuses a date before the last revaluation", async function () {
      const f = await loadFixture(offChainFixture);
      await pushEquity(f, f.days[5], 250n * WAD);
      await (await f.book.revalue([f.id], f.days[5])).wait();
      await expect(f.book.connect(f.agent).recordMarginTransfer(f.id, SIDE.Borrower, false, 100n, f.days[4], REF))
        .to.be.revertedWithCustomError(f.book, "RepoMarginDateInvalid")
        .withArgs(f.id, f.days[4]);
    });

    it("refuses a zero amount", async function () {
      const f = await loadFixture(offChainFixture);
      await expect(f.book.connect(f.agent).recordMarginTransfer(f.id, SIDE.Borrower, false, 0n, f.days[1], REF))
        .to.be.revertedWithCustomError(f.book, "RepoMarginAmountInvalid")
        .withArgs(f.id, 0n, 1000n);
    });

    it("refuses a securities amount beyond 96 bits", async function () {
      const f = await loadFixture(offChainFixture);
      await expect(f.book.connect(f.agent).recordMarginTransfer(f.id, SIDE.Borrower, true, 2n ** 96n, f.days[1], REF))
        .to.be.revertedWithCustomError(f.book, "RepoMarginAmountInvalid")
        .withArgs(f.id, 2n ** 96n, 1000n);
    });

    it("refuses a lender return of the whole collateral", async function () {
      const f = await loadFixture(offChainFixture);
      await expect(f.book.connect(f.agent).recordMarginTransfer(f.id, SIDE.Lender, true, 1000n, f.days[1], REF))
        .to.be.revertedWithCustomError(f.book, "RepoMarginAmountInvalid")
        .withArgs(f.id, 1000n, 1000n);
    });

    it("refuses a cash amount beyond 128 bits", async function () {
      const f = await loadFixture(offChainFixture);
      await expect(f.book.connect(f.agent).recordMarginTransfer(f.id, SIDE.Lender, false, 2n ** 128n, f.days[1], REF))
        .to.be.revertedWithCustomError(f.book, "RepoMarginAmountInvalid")
        .withArgs(f.id, 2n ** 128n, 1000n);
    });

    it("books a lender's return of securities as less collateral", async function () {
      const f = await loadFixture(offChainFixture);
      await expect(f.book.connect(f.agent).recordMarginTransfer(f.id, SIDE.Lender, true, 100n, f.days[1], REF))
        .to.emit(f.book, "MarginTransferRecorded")
        .withArgs(f.id, SIDE.Lender, true, 100n, f.days[1], REF);
      expect((await f.book.dealState(f.id)).quantity).to.equal(900n);
    });

    it("refuses a cash margin beyond the deal's sixteen", async function () {
      const f = await loadFixture(offChainFixture);
      for (let i = 0; i < 16; i++) {
        await (await f.book.connect(f.agent).recordMarginTransfer(f.id, SIDE.Borrower, false, 100n, f.days[1], REF)).wait();
      }
      await expect(f.book.connect(f.agent).recordMarginTransfer(f.id, SIDE.Borrower, false, 100n, f.days[1], REF))
        .to.be.revertedWithCustomError(f.book, "RepoTooManyCashMargins")
        .withArgs(f.id, 16n);
    });
  });

  describe("settleRepurchase and confirmRepurchase", function () {
    it("settleRepurchase refuses a deal that is not active", async function () {
      const f = await loadFixture(proposedFixture);
      await expect(f.book.connect(f.agent).settleRepurchase(f.id))
        .to.be.revertedWithCustomError(f.book, "RepoWrongStatus")
        .withArgs(f.id, STATUS.Proposed);
    });

    it("confirmRepurchase refuses a deal settled on chain", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.book.connect(f.agent).confirmRepurchase(f.id))
        .to.be.revertedWithCustomError(f.book, "RepoSettlementModeMismatch")
        .withArgs(f.id, true);
    });

    it("confirmRepurchase refuses a stranger", async function () {
      const f = await loadFixture(offChainFixture);
      await expect(f.book.connect(f.stranger).confirmRepurchase(f.id)).to.be.revertedWithCustomError(
        f.book,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("repurchases on the repurchase date: the collateral returns free to the borrower", async function () {
      const f = await loadFixture(repoFixture);
      const id = await dealOn(f, { repurchaseDate: f.today }, true);
      await (await f.cash.mint(f.borrower.address, 100_000_00n, ethers.encodeBytes32String("interest"))).wait();
      const c = await closingOf(f, await f.book.connect(f.agent).settleRepurchase(id));
      expect([c.status, c.closeDate, c.lenderPays]).to.deep.equal([BigInt(STATUS.Repurchased), BigInt(f.today), 0n]);
      expect(await f.equity.freeBalance(f.borrower.address)).to.equal(10_000n);
    });

    it("cancels an open margin call at the closing leg", async function () {
      const f = await loadFixture(activeFixture);
      await pushEquity(f, f.days[5], 200n * WAD);
      await (await f.book.revalue([f.id], f.days[5])).wait();
      await agreeBoth(f, f.id);
      await (await f.cash.mint(f.borrower.address, 100_000_00n, ethers.encodeBytes32String("interest"))).wait();
      await expect(f.book.connect(f.agent).settleRepurchase(f.id))
        .to.emit(f.book, "MarginCallCancelled")
        .withArgs(f.id, SIDE.Borrower, f.today);
      expect((await f.book.obligation(f.id, SIDE.Borrower)).status).to.equal(OBLIGATION.Cancelled);
    });

    it("books the lender's payment when the borrower's cash margin exceeds what it owes", async function () {
      const f = await loadFixture(offChainFixture);
      await (await f.book.connect(f.agent).recordMarginTransfer(f.id, SIDE.Lender, false, 1_000_00n, f.days[3], REF)).wait();
      await (await f.book.connect(f.agent).recordMarginTransfer(f.id, SIDE.Borrower, false, 300_000_00n, f.today, REF)).wait();
      await agreeBoth(f, f.id);
      const c = await closingOf(f, await f.book.connect(f.agent).confirmRepurchase(f.id));
      expect(c.status).to.equal(BigInt(STATUS.Terminated));
      // Posted on the closing date: no interest on the borrower's margin; the lender's earns from days[3].
      expect(c.borrowerCashMargin).to.equal(300_000_00n);
      expect(c.lenderCashMargin).to.be.gt(1_000_00n);
      expect(c.borrowerPays).to.equal(0n);
      expect(c.lenderPays).to.equal(c.borrowerCashMargin - c.repurchasePrice - c.lenderCashMargin);
    });

    it("pays back on chain a borrower cash margin that outgrew what the borrower owes", async function () {
      const f = await loadFixture(repoFixture);
      // Cash margin remunerated at 200 % a year against a 1 % repo rate: ten days turn the margin into a claim.
      const id = await dealOn(f, { repoRate: WAD / 100n, cashMarginRate: 2n * WAD }, true);
      await pushEquity(f, f.days[1], WAD);
      await (await f.book.revalue([id], f.days[1])).wait();
      await (await f.book.connect(f.borrower).settleObligation(id, SIDE.Borrower, false)).wait();
      await time.increaseTo(f.terms.repurchaseDate * 86400 + 3600);
      const before = await f.cash.balanceOf(f.borrower.address);
      const c = await closingOf(f, await f.book.connect(f.agent).settleRepurchase(id));
      expect([c.status, c.borrowerPays]).to.deep.equal([BigInt(STATUS.Repurchased), 0n]);
      expect(c.lenderPays).to.equal(c.borrowerCashMargin - c.repurchasePrice);
      expect(c.lenderPays).to.be.gt(0n);
      expect((await f.cash.balanceOf(f.borrower.address)) - before).to.equal(c.lenderPays);
    });

    it("closes an early termination agreed before the start date at the start date, without interest", async function () {
      const f = await loadFixture(repoFixture);
      const start = f.today + 3;
      const id = await dealOn(f, { tradeDate: f.today, startDate: start }, false);
      await agreeBoth(f, id);
      const c = await closingOf(f, await f.book.connect(f.agent).confirmRepurchase(id));
      expect([c.status, c.closeDate, c.repurchasePrice]).to.deep.equal([BigInt(STATUS.Terminated), BigInt(start), f.terms.purchasePrice]);
    });
  });

  describe("closeOutDefault", function () {
    it("refuses a stranger", async function () {
      const f = await loadFixture(defaultedOnChainFixture);
      await expect(f.book.connect(f.stranger).closeOutDefault(f.id, false, REF)).to.be.revertedWithCustomError(
        f.book,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("refuses a deal that has not defaulted", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.book.connect(f.agent).closeOutDefault(f.id, false, REF))
        .to.be.revertedWithCustomError(f.book, "RepoWrongStatus")
        .withArgs(f.id, STATUS.Active);
    });

    it("returns the collateral free to the borrower when the lender defaulted", async function () {
      const f = await loadFixture(defaultedOnChainFixture);
      await expect(f.book.connect(f.agent).closeOutDefault(f.id, true, REF))
        .to.emit(f.book, "RepoClosedOut")
        .withArgs(f.id, true, 1000n, REF);
      expect(await f.equity.freeBalance(f.borrower.address)).to.equal(10_000n);
      expect(await f.equity.balanceOf(f.lender.address)).to.equal(0n);
    });

    it("closes out a deal settled off chain without moving tokens", async function () {
      const f = await loadFixture(defaultedOffChainFixture);
      await expect(f.book.connect(f.agent).closeOutDefault(f.id, false, REF))
        .to.emit(f.book, "RepoClosedOut")
        .withArgs(f.id, false, 1000n, REF);
      expect((await f.book.dealState(f.id)).status).to.equal(BigInt(STATUS.ClosedOut));
      expect(await f.equity.balanceOf(f.lender.address)).to.equal(0n);
    });
  });

  describe("revalue", function () {
    it("skips a deal before its start date", async function () {
      const f = await loadFixture(repoFixture);
      const id = await dealOn(f, { tradeDate: f.today, startDate: f.today + 3 }, false);
      await expect(f.book.revalue([id], f.today))
        .to.emit(f.book, "RepoRevaluationSkipped")
        .withArgs(id, f.today, skip("BeforeStart"));
    });

    it("skips a deal whose calendar has no year loaded for the date: the oracle cannot close it", async function () {
      const f = await loadFixture(repoFixture);
      const cal = await newCalendar(f, "XEMP", []);
      const id = await dealOn(f, { calendar: cal }, false);
      await pushEquity(f, f.days[5], 200n * WAD);
      await expect(f.oracle.closeBusinessDate(cal, f.days[5])).to.be.reverted;
      await expect(f.book.revalue([id], f.days[5]))
        .to.emit(f.book, "RepoRevaluationSkipped")
        .withArgs(id, f.days[5], skip("DateNotClosed"));
      expect((await f.book.dealState(id)).lastRevaluedDate).to.equal(0n);
    });

    it("skips, raising nothing, when a new call's due date falls in a calendar year not loaded", async function () {
      const f = await loadFixture(repoFixture);
      const year = toDate(f.today).year - 1;
      let d = toDay(year, 12, 20);
      while (weekday(d) > 5) d--;
      const cal = await newCalendar(f, "XEND", [year]);
      const id = await dealOn(f, { tradeDate: d - 10, startDate: d - 10, calendar: cal, marginDeadlineDays: 30 }, false);
      await pushEquity(f, d, 200n * WAD);
      await closeDay(f, d, [cal]);
      const tx = await f.book.revalue([id], d);
      await expect(tx).to.emit(f.book, "RepoRevaluationSkipped").withArgs(id, d, skip("CalendarNotLoaded"));
      await expect(tx).not.to.emit(f.book, "MarginCallRaised");
      expect((await f.book.dealState(id)).lastRevaluedDate).to.equal(0n);
    });

    it("answers deals on more calendars than the batch caches", async function () {
      const f = await loadFixture(repoFixture);
      const ids: bigint[] = [];
      for (const code of ["XCAA", "XCAB", "XCAC", "XCAD", "XCAE"]) {
        ids.push(await dealOn(f, { calendar: await newCalendar(f, code, []) }, false));
      }
      const tx = await f.book.revalue(ids, f.days[5]);
      for (const id of ids) {
        await expect(tx).to.emit(f.book, "RepoRevaluationSkipped").withArgs(id, f.days[5], skip("DateNotClosed"));
      }
    });

    it("revalues deals on more securities than the batch caches", async function () {
      const f = await loadFixture(repoFixture);
      const ids: bigint[] = [];
      const prices = [];
      for (let i = 0; i < 17; i++) {
        const code = isin(`XS${String(i).padStart(9, "0")}`);
        const instrument = buildInstrument({ isin: code, kind: "Equity", currency: "RUB" });
        const { address } = await issueSecurity(f.factory, { name: `share ${i}`, symbol: `S${i}`, decimals: 0, instrument });
        await (await f.oracle.configureAsset(assetFeedId(code), RUB, f.terms.calendar, 5n * WAD, 30)).wait();
        prices.push({ feedId: assetFeedId(code), date: f.days[5], price: 250n * WAD });
        const { id } = await propose(f.book.connect(f.borrower), { ...f.terms, security: address });
        const deadline = BigInt((await time.latest()) + 600);
        const sigs = [];
        for (const signer of [f.borrower, f.lender]) {
          const sig = await signTerms(f.book, signer, id, deadline);
          sigs.push({ signer: sig.signer, deadline, signature: sig.signature });
        }
        await (await f.book.connect(f.agent).acceptWithSignatures(id, sigs)).wait();
        await (await f.book.connect(f.agent).confirmOpening(id, REF)).wait();
        ids.push(id);
      }
      await (await f.oracle.pushPrices(prices)).wait();
      await closeDay(f, f.days[5]);
      expect(await f.book.revalue.staticCall(ids, f.days[5])).to.deep.equal([17n, 0n]);
    });

    it("skips a deal whose security is priced in another currency without an FX rate", async function () {
      const f = await loadFixture(repoFixture);
      const code = isin("US000A0ZZZ4");
      const instrument = buildInstrument({ isin: code, kind: "Equity", currency: "USD" });
      const { address } = await issueSecurity(f.factory, { name: "dollar share", symbol: "USDS", decimals: 0, instrument });
      await (await f.oracle.configureAsset(assetFeedId(code), currencyToBytes3("USD"), f.terms.calendar, 5n * WAD, 30)).wait();
      await (await f.oracle.pushPrices([{ feedId: assetFeedId(code), date: f.days[5], price: 3n * WAD }])).wait();
      await closeDay(f, f.days[5]);
      const id = await dealOn(f, { security: address }, false);
      await expect(f.book.revalue([id], f.days[5]))
        .to.emit(f.book, "RepoRevaluationSkipped")
        .withArgs(id, f.days[5], skip("NoFxRate"));
      expect((await f.book.dealState(id)).lastRevaluedDate).to.equal(0n);
    });

    it("values a batch holding a worthless-collateral deal: the worthless deal gets the whole exposure called in cash", async function () {
      const f = await loadFixture(activeFixture);
      const code = isin("RU000A0ZZZ5");
      const instrument = buildInstrument({ isin: code, kind: "Equity", currency: "RUB" });
      const { address } = await issueSecurity(f.factory, { name: "penny share", symbol: "PNY", decimals: 0, instrument });
      await (await f.oracle.configureAsset(assetFeedId(code), RUB, f.terms.calendar, 5n * WAD, 30)).wait();
      const second = await dealOn(f, {}, false);
      const worthless = await dealOn(f, { security: address }, false);
      // 1,000 shares at 10^-18 RUB: worth far less than one kopeck, so the collateral value rounds to zero.
      await (await f.oracle.pushPrices([{ feedId: assetFeedId(code), date: f.days[5], price: 1n }])).wait();
      await pushEquity(f, f.days[5], 250n * WAD);
      const receipt = (await (await f.book.connect(f.stranger).revalue([f.id, worthless, second], f.days[5])).wait())!;
      const revalued = receipt.logs.map((l) => f.book.interface.parseLog(l)).filter((e) => e?.name === "RepoRevalued");
      expect(revalued.map((e) => e!.args.dealId)).to.deep.equal([f.id, worthless, second]);
      const out = revalued[1]!.args.output;
      expect(out.marketValue).to.equal(0n);
      expect(out.ltv).to.equal(ethers.MaxUint256);
      const o = await f.book.obligation(worthless, SIDE.Borrower);
      expect([o.status, o.cash, o.quantity]).to.deep.equal([1n, out.exposure, 0n]);
      expect((await f.book.dealState(worthless)).ltv).to.equal(2n ** 64n - 1n);
    });

    it("skips a deal priced beyond the range it values, and values the rest of the batch", async function () {
      const f = await loadFixture(activeFixture);
      const code = isin("RU000A0ZZZ6");
      const instrument = buildInstrument({ isin: code, kind: "Equity", currency: "RUB" });
      const { address } = await issueSecurity(f.factory, { name: "giant share", symbol: "GNT", decimals: 0, instrument });
      await (await f.oracle.configureAsset(assetFeedId(code), RUB, f.terms.calendar, 5n * WAD, 30)).wait();
      const giant = await dealOn(f, { security: address }, false);
      // 10^12 RUB per share: dirty price x FX (36 decimals) of 10^48, above 2^155.
      await (await f.oracle.pushPrices([{ feedId: assetFeedId(code), date: f.days[5], price: 10n ** 30n }])).wait();
      await pushEquity(f, f.days[5], 250n * WAD);
      const tx = await f.book.revalue([giant, f.id], f.days[5]);
      await expect(tx).to.emit(f.book, "RepoRevaluationSkipped").withArgs(giant, f.days[5], skip("ValueOutOfRange"));
      await expect(tx).to.emit(f.book, "RepoRevalued").withArgs(f.id, f.days[5], anyValue, anyValue);
      expect((await f.book.dealState(giant)).lastRevaluedDate).to.equal(0n);
    });

    it("records an LTV beyond 64 bits as the largest one", async function () {
      const f = await loadFixture(offChainFixture);
      await pushEquity(f, f.days[5], 10n ** 13n);
      await (await f.book.revalue([f.id], f.days[5])).wait();
      expect((await f.book.dealState(f.id)).ltv).to.equal(2n ** 64n - 1n);
    });

    it("revalues two deals on one security and calendar in one batch", async function () {
      const f = await loadFixture(activeFixture);
      const second = await dealOn(f, {}, false);
      await pushEquity(f, f.days[5], 200n * WAD);
      expect(await f.book.revalue.staticCall([f.id, second], f.days[5])).to.deep.equal([2n, 2n]);
    });

    it("revalues deals on different securities and calendars in one batch", async function () {
      const f = await loadFixture(pricedBondFixture);
      const equityDeal = await dealOn(f, {}, false);
      const year = toDate(f.today).year;
      const cal = await newCalendar(f, "XBND", [year - 1, year, year + 1]);
      const bondDeal = await dealOn(f, { ...f.bondTerms, calendar: cal }, false);
      await closeDay(f, f.days[5], [cal]);
      const tx = await f.book.revalue([equityDeal, bondDeal], f.days[5]);
      await expect(tx).to.emit(f.book, "RepoRevalued").withArgs(equityDeal, f.days[5], anyValue, anyValue);
      await expect(tx).to.emit(f.book, "RepoRevalued").withArgs(bondDeal, f.days[5], anyValue, anyValue);
    });

    it("values a bond at its dirty price, with the coupon accrued on the date", async function () {
      const f = await loadFixture(pricedBondFixture);
      const id = await dealOn(f, f.bondTerms, false);
      const receipt = (await (await f.book.revalue([id], f.days[5])).wait())!;
      const parsed = receipt.logs.map((l) => f.book.interface.parseLog(l)).find((p) => p?.name === "RepoRevalued")!;
      expect(parsed.args.inputs.cleanPrice).to.equal(950n * WAD);
      expect(parsed.args.output.accruedCoupon).to.be.gt(0n);
    });

    it("skips a bond deal on a date before the bond's issue", async function () {
      const f = await loadFixture(repoFixture);
      const code = isin("RU000A0ZZZ2");
      const instrument = buildInstrument({
        isin: code,
        kind: "Bond",
        currency: "RUB",
        faceValue: "1000",
        couponPercent: "8",
        issueDate: dayToIso(f.days[10]),
        maturityDate: dayToIso(f.today + 3650),
        dayCount: "Thirty360BondBasis",
      });
      const { address } = await issueSecurity(f.factory, { name: "new bond", symbol: "NEW", decimals: 0, instrument });
      await (await f.oracle.configureAsset(assetFeedId(code), RUB, f.terms.calendar, 5n * WAD, 30)).wait();
      await (await f.oracle.pushPrices([{ feedId: assetFeedId(code), date: f.days[5], price: 990n * WAD }])).wait();
      await closeDay(f, f.days[5]);
      const id = await dealOn(f, { security: address }, false);
      await expect(f.book.revalue([id], f.days[5]))
        .to.emit(f.book, "RepoRevaluationSkipped")
        .withArgs(id, f.days[5], skip("OutsideBondLife"));
    });

    it("skips a bond deal on a date after the bond's maturity", async function () {
      const f = await loadFixture(repoFixture);
      const code = isin("RU000A0ZZZ3");
      const instrument = buildInstrument({
        isin: code,
        kind: "Bond",
        currency: "RUB",
        faceValue: "1000",
        couponPercent: "8",
        issueDate: dayToIso(f.today - 3650),
        maturityDate: dayToIso(f.days[3]),
        dayCount: "Thirty360BondBasis",
      });
      const { address } = await issueSecurity(f.factory, { name: "matured bond", symbol: "OLD", decimals: 0, instrument });
      await (await f.oracle.configureAsset(assetFeedId(code), RUB, f.terms.calendar, 5n * WAD, 30)).wait();
      await (await f.oracle.pushPrices([{ feedId: assetFeedId(code), date: f.days[5], price: 990n * WAD }])).wait();
      await closeDay(f, f.days[5]);
      const id = await dealOn(f, { security: address }, false);
      await expect(f.book.revalue([id], f.days[5]))
        .to.emit(f.book, "RepoRevaluationSkipped")
        .withArgs(id, f.days[5], skip("OutsideBondLife"));
    });
  });
});
