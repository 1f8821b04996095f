import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { readPledge, requestedId, valuationsOf, type PledgeTerms } from "../../lib/pledge";
import { currencyBytes, isinBytes, issueCash } from "../../lib/tokens";
import { toDate, weekday } from "../../lib/core/dates";
import { BOND_ISIN, EQUITY_ISIN, REASON } from "../token/fixtures";
import { activePledgeFixture, CASH, closeDate, openPledge, pledgeFixture, PLEDGED, pushPrice, SKIP, termsFor } from "./fixtures";
import type { HolidayCalendar } from "../../typechain-types";
import { upgradeSingleton } from "../../lib/deploy/upgrade";

const WAD = 10n ** 18n;
const U64 = 2n ** 64n - 1n;
const U112 = 2n ** 112n - 1n;
const U32 = 2n ** 32n - 1n;
const U24 = 2n ** 24n - 1n;
const SUSPENDED = ethers.encodeBytes32String("suspended");
const field = (name: string) => ethers.encodeBytes32String(name);
const XMOS = ethers.hexlify(ethers.toUtf8Bytes("XMOS"));

/** Kind and status codes of the participant registry (IParticipantRegistry). */
const KIND = { Bank: 2, Investor: 5 };
const STATUS = { Active: 1, Suspended: 2 };

/** An active pledge already valued at the liquidation level five days ago (top-up due three days ago). */
async function calledFixture() {
  const f = await activePledgeFixture();
  const called = f.today - 5;
  await pushPrice(f, called, "13");
  await (await f.book.value([f.id], called)).wait();
  return { ...f, called };
}

/** An active pledge carrying 1,000,000.00 RUB of pledged cash besides its shares. */
async function cashPledgeFixture() {
  const f = await activePledgeFixture();
  await (await f.book.connect(f.pledger).topUp(f.id, 0n, 100_000_000n)).wait();
  return f;
}

/** Two equity pledges and a bond pledge of the same pledger, both securities priced at the first start. */
async function twoSecuritiesFixture() {
  const f = await activePledgeFixture();
  const bondFeed = isinBytes(BOND_ISIN);
  await (await f.oracle.configureAsset(bondFeed, currencyBytes("RUB"), f.feedCalendar, WAD * 10n, 65000)).wait();
  await (await f.oracle.pushPrices([{ feedId: bondFeed, date: f.start + 1, price: ethers.parseUnits("1000", 18) }])).wait();
  await closeDate(f, f.today);
  await (await f.bond.mint(f.pledger.address, 1000n, REASON)).wait();
  // Started the day of the bond's first price (its initial price).
  const bondId = await openPledge(
    f,
    termsFor(f, f.start + 1, { security: f.bond.target as string, quantity: 1000n, principal: 50_000_000n }),
  );
  await (await f.equity.mint(f.pledger.address, 1000n, REASON)).wait();
  const secondId = await openPledge(f, termsFor(f, f.start, { quantity: 1000n, principal: 1_000_000n }));
  return { ...f, bondId, secondId };
}

/** The pledge fixture with the XMOS calendar (weekends only) loaded around today. */
async function calendarFixture() {
  const f = await pledgeFixture();
  const calendar = (await ethers.getContractAt("HolidayCalendar", f.contracts.HolidayCalendar, f.actors.csd)) as unknown as HolidayCalendar;
  await (await calendar.configureCalendar(XMOS, 0x60, "Moscow Exchange")).wait();
  const y = toDate(f.today).year;
  for (const year of [y - 1, y, y + 1]) await (await calendar.loadHolidays(XMOS, year, [])).wait();
  const start = f.today - 30;
  await pushPrice(f, start, "25");
  const id = await openPledge(f, termsFor(f, start, { calendarId: XMOS }));
  return { ...f, calendar, start, id };
}

describe("PledgeBook", function () {
  describe("initialize", function () {
    it("cannot be initialised twice", async function () {
      const f = await loadFixture(pledgeFixture);
      const { ParticipantRegistry, PriceOracle, HolidayCalendar } = f.contracts;
      await expect(
        f.book.initialize(f.actors.stranger.address, ParticipantRegistry, PriceOracle, HolidayCalendar, f.contracts.TokenFactory),
      ).to.be.revertedWithCustomError(f.book, "InvalidInitialization");
    });

    for (const missing of ["registry", "oracle", "calendar", "factory"] as const) {
      it(`refuses a zero ${missing} on a fresh proxy`, async function () {
        const f = await loadFixture(pledgeFixture);
        const args = {
          registry: f.contracts.ParticipantRegistry,
          oracle: f.contracts.PriceOracle,
          calendar: f.contracts.HolidayCalendar,
          factory: f.contracts.TokenFactory,
        };
        args[missing] = ethers.ZeroAddress;
        const factory = await ethers.getContractFactory("PledgeBook", {
          libraries: { PledgeOperations: f.contracts.PledgeOperations, PledgeValuation: f.contracts.PledgeValuation },
        });
        hre.upgrades.silenceWarnings();
        await expect(
          hre.upgrades.deployProxy(factory, [f.actors.csd.address, args.registry, args.oracle, args.calendar, args.factory], {
            kind: "uups",
            unsafeAllow: ["external-library-linking"],
          }),
        )
          .to.be.revertedWithCustomError(factory, "ConsortiumZeroAddress")
          .withArgs(missing);
      });
    }
  });

  describe("upgrade", function () {
    it("upgrades with a freshly deployed linked library and keeps the pledges", async function () {
      const f = await loadFixture(activePledgeFixture);
      const before = await readPledge(f.book, f.id);
      const result = await upgradeSingleton(hre, {
        name: "PledgeBook",
        proxy: f.book.target as string,
        implementation: "PledgeBook",
        signer: f.actors.csd,
      });
      expect(result.status).to.equal("upgraded");
      expect(result.libraries!.PledgeOperations).to.not.equal(f.contracts.PledgeOperations);
      expect(await readPledge(f.book, f.id)).to.deep.equal(before);
      // The occasional operations run in the new library.
      await expect(f.book.connect(f.pledgee).release(f.id, 1n, 0n)).to.emit(f.book, "PledgeReleased");
    });
  });

  describe("authoriseBroker / revokeBroker", function () {
    it("refuses a suspended broker", async function () {
      const f = await loadFixture(pledgeFixture);
      await (await f.registry.connect(f.actors.csd).suspend(f.ids.broker, SUSPENDED)).wait();
      await expect(f.book.connect(f.pledger).authoriseBroker(f.ids.broker))
        .to.be.revertedWithCustomError(f.book, "PledgeNotBroker")
        .withArgs(f.ids.broker);
    });

    it("refuses a signer of a suspended investor", async function () {
      const f = await loadFixture(pledgeFixture);
      await (await f.registry.connect(f.actors.csd).suspend(f.ids.investors[0], SUSPENDED)).wait();
      await expect(f.book.connect(f.pledger).authoriseBroker(f.ids.broker))
        .to.be.revertedWithCustomError(f.book, "PledgeNotInvestor")
        .withArgs(f.pledger.address);
    });

    it("shows the authorised broker in brokerOf until revoked", async function () {
      const f = await loadFixture(pledgeFixture);
      const investor = f.ids.investors[0];
      await (await f.book.connect(f.pledger).authoriseBroker(f.ids.broker)).wait();
      expect(await f.book.brokerOf(investor)).to.equal(f.ids.broker);
      await (await f.book.connect(f.pledger).revokeBroker()).wait();
      expect(await f.book.brokerOf(investor)).to.equal(0);
    });

    it("refuses a revocation when no broker is authorised", async function () {
      const f = await loadFixture(pledgeFixture);
      await expect(f.book.connect(f.pledger).revokeBroker())
        .to.be.revertedWithCustomError(f.book, "PledgeNoBroker")
        .withArgs(f.ids.investors[0]);
    });
  });

  describe("request (terms)", function () {
    it("refuses a pledger that is not an investor", async function () {
      const f = await loadFixture(pledgeFixture);
      const bank = f.actors.bankB;
      await expect(f.book.connect(bank).request(termsFor(f, f.today, { pledger: bank.address })))
        .to.be.revertedWithCustomError(f.book, "PledgePartyInvalid")
        .withArgs(bank.address, KIND.Bank, STATUS.Active);
    });

    it("refuses a suspended pledger", async function () {
      const f = await loadFixture(pledgeFixture);
      await (await f.registry.connect(f.actors.csd).suspend(f.ids.investors[0], SUSPENDED)).wait();
      await expect(f.book.connect(f.pledgee).request(termsFor(f, f.today)))
        .to.be.revertedWithCustomError(f.book, "PledgePartyInvalid")
        .withArgs(f.pledger.address, KIND.Investor, STATUS.Suspended);
    });

    it("refuses a suspended pledgee bank", async function () {
      const f = await loadFixture(pledgeFixture);
      await (await f.registry.connect(f.actors.csd).suspend(f.ids.bankA, SUSPENDED)).wait();
      await expect(f.book.connect(f.pledger).request(termsFor(f, f.today)))
        .to.be.revertedWithCustomError(f.book, "PledgePartyInvalid")
        .withArgs(f.pledgee.address, KIND.Bank, STATUS.Suspended);
    });

    const cases: { name: string; over: (today: number) => Partial<PledgeTerms>; field: string; value: (today: number) => bigint }[] = [
      { name: "a quantity above 96 bits", over: () => ({ quantity: 2n ** 96n }), field: "quantity", value: () => 2n ** 96n },
      { name: "a zero principal", over: () => ({ principal: 0n }), field: "principal", value: () => 0n },
      { name: "a principal above 112 bits", over: () => ({ principal: U112 + 1n }), field: "principal", value: () => U112 + 1n },
      { name: "an interest rate above 64 bits", over: () => ({ interestRate: U64 + 1n }), field: "interestRate", value: () => U64 + 1n },
      { name: "the ICMA day count (needs coupon periods)", over: () => ({ dayCount: 5 }), field: "dayCount", value: () => 5n },
      { name: "a zero start date", over: () => ({ startDate: 0 }), field: "startDate", value: () => 0n },
      {
        name: "a start date above 24 bits",
        over: () => ({ startDate: Number(U24 + 1n), maturityDate: Number(U24 + 2n) }),
        field: "startDate",
        value: () => U24 + 1n,
      },
      {
        name: "a maturity date above 24 bits",
        over: () => ({ maturityDate: Number(U24 + 1n) }),
        field: "maturityDate",
        value: () => U24 + 1n,
      },
      { name: "more than 255 top-up days", over: () => ({ topUpDays: 256 }), field: "topUpDays", value: () => 256n },
      { name: "a warning line above 64 bits", over: () => ({ warningLine: U64 + 1n }), field: "warningLine", value: () => U64 + 1n },
      {
        name: "a restore target below the warning line",
        over: () => ({ restoreTarget: 15n * 10n ** 17n }),
        field: "restoreTarget",
        value: () => 15n * 10n ** 17n,
      },
      {
        name: "a restore target above 64 bits",
        over: () => ({ restoreTarget: U64 + 1n }),
        field: "restoreTarget",
        value: () => U64 + 1n,
      },
    ];
    for (const c of cases) {
      it(`refuses ${c.name}`, async function () {
        const f = await loadFixture(pledgeFixture);
        await expect(f.book.connect(f.pledger).request(termsFor(f, f.today, c.over(f.today))))
          .to.be.revertedWithCustomError(f.book, "PledgeTermInvalid")
          .withArgs(field(c.field), c.value(f.today));
      });
    }

    it("accepts a maturity date of 2^24 - 1, the last day a pledge keeps", async function () {
      const f = await loadFixture(pledgeFixture);
      const id = requestedId(
        f.book,
        await (await f.book.connect(f.pledger).request(termsFor(f, f.today, { maturityDate: Number(U24) }))).wait(),
      );
      expect((await readPledge(f.book, id)).maturityDate).to.equal(Number(U24));
    });

    it("refuses a cash token in another currency than the security", async function () {
      const f = await loadFixture(pledgeFixture);
      const usd = await issueCash(f.factory, { name: "Tokenized USD deposit", symbol: "USDt", decimals: 2, currency: "USD" });
      await expect(f.book.connect(f.pledger).request(termsFor(f, f.today, { cashToken: usd.address })))
        .to.be.revertedWithCustomError(f.book, "PledgeCurrencyMismatch")
        .withArgs(currencyBytes("RUB"), currencyBytes("USD"));
    });
  });

  describe("kept security data", function () {
    it("completes a security kept with its currency only (before securities were indexed) at its next pledge", async function () {
      const f = await loadFixture(pledgeFixture);
      // securities[equity] (field 11 of the book's namespace) as an earlier implementation kept it: the currency.
      const base = BigInt("0xad623c14bf98a9845ba9f56df255709d2f9554b1bc4d8ad8946df25a499e5c00") + 11n;
      const slot = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [f.equity.target, base]));
      await hre.network.provider.send("hardhat_setStorageAt", [f.book.target, slot, ethers.zeroPadValue(currencyBytes("RUB"), 32)]);
      await pushPrice(f, f.today, "25");
      const id = await openPledge(f, termsFor(f, f.today));
      const p = await readPledge(f.book, id);
      expect([p.security, p.status]).to.deep.equal([f.equity.target, "Active"]);
      // The ISIN kept in the security's entry names the feed the valuation reads.
      const v = valuationsOf(f.book, await (await f.book.value([id], f.today)).wait());
      expect(v.map((x) => x.closePrice)).to.deep.equal([25n * WAD]);
      const word = BigInt(await ethers.provider.getStorage(f.book.target, slot));
      expect(word >> 56n).to.equal(BigInt(isinBytes(EQUITY_ISIN)));
    });
  });

  describe("consent", function () {
    it("refuses an unknown pledge", async function () {
      const f = await loadFixture(pledgeFixture);
      await expect(f.book.connect(f.pledgee).consent(99n)).to.be.revertedWithCustomError(f.book, "PledgeUnknown").withArgs(99n);
    });

    it("refuses a signer of the pledgee once the pledgee is suspended", async function () {
      const f = await loadFixture(pledgeFixture);
      const id = requestedId(f.book, await (await f.book.connect(f.pledger).request(termsFor(f, f.today))).wait());
      await (await f.registry.connect(f.actors.csd).suspend(f.ids.bankA, SUSPENDED)).wait();
      await expect(f.book.connect(f.pledgee).consent(id))
        .to.be.revertedWithCustomError(f.book, "PledgeNotPledgeeSide")
        .withArgs(f.pledgee.address, f.pledgee.address);
    });
  });

  describe("register", function () {
    it("refuses a defaulted restore target without a readable price", async function () {
      const f = await loadFixture(pledgeFixture);
      const terms = termsFor(f, f.today, { restoreTarget: 0n });
      const id = requestedId(f.book, await (await f.book.connect(f.pledger).request(terms)).wait());
      await (await f.book.connect(f.pledgee).consent(id)).wait();
      await expect(f.book.register(id)).to.be.revertedWithCustomError(f.book, "PledgeNoPrice").withArgs(f.equity.target, f.today);
    });

    it("raises a defaulted restore target below the warning line to the warning line", async function () {
      const f = await loadFixture(pledgeFixture);
      await pushPrice(f, f.today, "10");
      // 100 % lent (the pledge's own cap allows it): the initial ratio 100 % is below the warning line.
      const id = await openPledge(f, termsFor(f, f.today, { restoreTarget: 0n, maxInitialRate: WAD }));
      expect((await readPledge(f.book, id)).restoreTarget).to.equal(16n * 10n ** 17n);
    });

    it("caps a defaulted restore target at the 64-bit maximum", async function () {
      const f = await loadFixture(pledgeFixture);
      await pushPrice(f, f.today, "1000");
      const id = await openPledge(f, termsFor(f, f.today, { restoreTarget: 0n }));
      expect((await readPledge(f.book, id)).restoreTarget).to.equal(U64);
    });

    it("refuses an unknown pledge", async function () {
      const f = await loadFixture(pledgeFixture);
      await expect(f.book.register(7n)).to.be.revertedWithCustomError(f.book, "PledgeUnknown").withArgs(7n);
    });
  });

  describe("value", function () {
    it("does not value a pledge that is only requested", async function () {
      const f = await loadFixture(pledgeFixture);
      await pushPrice(f, f.today, "25");
      const id = requestedId(f.book, await (await f.book.connect(f.pledger).request(termsFor(f, f.today))).wait());
      expect(await f.book.value.staticCall([id], f.today)).to.equal(0n);
    });

    it("does not value at a date before the last valuation", async function () {
      const f = await loadFixture(activePledgeFixture);
      await closeDate(f, f.today);
      await (await f.book.value([f.id], f.today)).wait();
      await expect(f.book.value([f.id], f.today - 3)).to.not.emit(f.book, "PledgeValued");
      expect((await readPledge(f.book, f.id)).valuedDate).to.equal(f.today);
    });

    it("does not value at a date before the last repayment", async function () {
      const f = await loadFixture(activePledgeFixture);
      await (await f.book.connect(f.pledgee).repay(f.id, 1_000_000n, f.today - 5)).wait();
      await expect(f.book.value([f.id], f.today - 10)).to.not.emit(f.book, "PledgeValued");
      expect((await readPledge(f.book, f.id)).valuedDate).to.equal(0);
    });

    it("reports a skipped valuation when the feed's close is later than the date", async function () {
      const f = await loadFixture(activePledgeFixture);
      await pushPrice(f, f.today, "25");
      await expect(f.book.value([f.id], f.today - 1))
        .to.emit(f.book, "PledgeValuationSkipped")
        .withArgs(f.id, f.today - 1, SKIP.NoPrice);
    });

    it("values pledges of two securities in one batch with each security's close", async function () {
      const f = await loadFixture(twoSecuritiesFixture);
      const r = await (await f.book.value([f.id, f.bondId, f.secondId], f.today)).wait();
      const closes = new Map(valuationsOf(f.book, r).map((v) => [v.id, v.closePrice]));
      expect(closes.size).to.equal(3);
      expect(closes.get(f.id)).to.equal(ethers.parseUnits("25", 18));
      expect(closes.get(f.bondId)).to.equal(ethers.parseUnits("1000", 18));
      expect(closes.get(f.secondId)).to.equal(ethers.parseUnits("25", 18));
    });

    it("keeps the open top-up's due date on a later liquidation-level valuation", async function () {
      const f = await loadFixture(calledFixture);
      await closeDate(f, f.today);
      await expect(f.book.value([f.id], f.today)).to.not.emit(f.book, "PledgeTopUpCalled");
      const p = await readPledge(f.book, f.id);
      expect(p.valuedDate).to.equal(f.today);
      expect(p.topUpDue).to.equal(f.called + 2);
    });

    it("counts the top-up days in business days of the pledge's calendar", async function () {
      const f = await loadFixture(calendarFixture);
      let friday = f.today;
      while (weekday(friday) !== 5) friday--;
      await pushPrice(f, friday, "13");
      await closeDate(f, friday, XMOS);
      await (await f.book.value([f.id], friday)).wait();
      // Friday + 2 business days skips the weekend: Tuesday.
      expect((await readPledge(f.book, f.id)).topUpDue).to.equal(friday + 4);
    });
  });

  describe("topUp", function () {
    it("accepts a top-up by another signer of the pledger's investor", async function () {
      const f = await loadFixture(activePledgeFixture);
      const second = (await ethers.getSigners())[17];
      await (await f.registry.connect(f.actors.csd).addSigner(f.ids.investors[0], second.address)).wait();
      await expect(f.book.connect(second).topUp(f.id, 0n, 1n))
        .to.emit(f.book, "PledgeToppedUp")
        .withArgs(f.id, 0n, 1n, PLEDGED, 1n, second.address);
    });

    it("refuses shares beyond 96 bits", async function () {
      const f = await loadFixture(activePledgeFixture);
      await expect(f.book.connect(f.pledger).topUp(f.id, 2n ** 96n - PLEDGED, 0n))
        .to.be.revertedWithCustomError(f.book, "PledgeTermInvalid")
        .withArgs(field("quantity"), 2n ** 96n);
    });

    it("refuses pledged cash beyond 128 bits", async function () {
      const f = await loadFixture(activePledgeFixture);
      await expect(f.book.connect(f.pledger).topUp(f.id, 0n, 2n ** 128n))
        .to.be.revertedWithCustomError(f.book, "PledgeTermInvalid")
        .withArgs(field("pledgedCash"), 2n ** 128n);
    });
  });

  describe("repay", function () {
    it("refuses a zero amount", async function () {
      const f = await loadFixture(activePledgeFixture);
      await expect(f.book.connect(f.pledgee).repay(f.id, 0n, f.today)).to.be.revertedWithCustomError(f.book, "PledgeZeroAmount");
    });

    it("refuses a future value date", async function () {
      const f = await loadFixture(activePledgeFixture);
      await expect(f.book.connect(f.pledgee).repay(f.id, 1n, f.today + 1))
        .to.be.revertedWithCustomError(f.book, "PledgeDateInvalid")
        .withArgs(f.today + 1, f.start, f.today);
    });

    it("refuses a repayment that leaves unpaid interest beyond 112 bits", async function () {
      const f = await loadFixture(pledgeFixture);
      const start = f.today - 30;
      // A principal of 2^112 - 1 within an initial pledge rate of at most 1,844 %: 10^11 shares at 10^20.
      const quantity = 10n ** 11n;
      await (await f.equity.mint(f.pledger.address, quantity, REASON)).wait();
      await pushPrice(f, start, "100000000000000000000");
      const id = await openPledge(f, termsFor(f, start, { quantity, principal: U112, interestRate: U64, maxInitialRate: U64 }));
      // Act/365 over 30 days, rounded up, less the one unit repaid.
      const num = U112 * U64 * 30n;
      const den = WAD * 365n;
      const interest = (num + den - 1n) / den - 1n;
      await expect(f.book.connect(f.pledgee).repay(id, 1n, f.today))
        .to.be.revertedWithCustomError(f.book, "PledgeTermInvalid")
        .withArgs(field("interest"), interest);
    });
  });

  describe("release", function () {
    it("refuses a zero release", async function () {
      const f = await loadFixture(activePledgeFixture);
      await expect(f.book.connect(f.pledgee).release(f.id, 0n, 0n)).to.be.revertedWithCustomError(f.book, "PledgeZeroAmount");
    });

    it("refuses more cash than is pledged", async function () {
      const f = await loadFixture(cashPledgeFixture);
      await expect(f.book.connect(f.pledgee).release(f.id, 0n, 100_000_001n))
        .to.be.revertedWithCustomError(f.book, "PledgeReleaseExceedsPledged")
        .withArgs(0n, PLEDGED, 100_000_001n, 100_000_000n);
    });

    it("releases pledged cash alone and keeps the shares encumbered", async function () {
      const f = await loadFixture(cashPledgeFixture);
      await expect(f.book.connect(f.pledgee).release(f.id, 0n, 40_000_000n))
        .to.emit(f.book, "PledgeReleased")
        .withArgs(f.id, 0n, 40_000_000n, PLEDGED, 60_000_000n, false, f.pledgee.address);
      expect(await f.cash.encumbered(f.pledger.address, f.book.target, f.id)).to.equal(60_000_000n);
      expect(await f.cash.freeBalance(f.pledger.address)).to.equal(CASH - 60_000_000n);
      expect(await f.equity.encumbered(f.pledger.address, f.book.target, f.id)).to.equal(PLEDGED);
    });
  });

  describe("enforce", function () {
    it("refuses a date before the last valuation", async function () {
      const f = await loadFixture(calledFixture);
      await expect(f.book.enforce(f.id, f.called - 1))
        .to.be.revertedWithCustomError(f.book, "PledgeDateInvalid")
        .withArgs(f.called - 1, f.called, f.today);
    });

    it("refuses a future date", async function () {
      const f = await loadFixture(calledFixture);
      await expect(f.book.enforce(f.id, f.today + 1))
        .to.be.revertedWithCustomError(f.book, "PledgeDateInvalid")
        .withArgs(f.today + 1, f.called, f.today);
    });

    it("refuses a date without a readable close", async function () {
      const f = await loadFixture(calledFixture);
      await pushPrice(f, f.today, "12.5");
      await expect(f.book.enforce(f.id, f.today - 1))
        .to.be.revertedWithCustomError(f.book, "PledgeNoPrice")
        .withArgs(f.equity.target, f.today - 1);
    });

    it("after maturity, takes only pledged cash when it covers the debt and releases every share", async function () {
      const f = await loadFixture(pledgeFixture);
      const start = f.today - 30;
      await pushPrice(f, start, "25");
      const id = await openPledge(f, termsFor(f, start, { principal: 100_000_000n, maturityDate: start + 10 }));
      await (await f.book.connect(f.pledger).topUp(id, 0n, 200_000_000n)).wait();
      const r = await (await f.book.enforce(id, f.today)).wait();
      const ev = r!.logs.map((l) => f.book.interface.parseLog(l)).find((p) => p?.name === "PledgeEnforced")!;
      expect(ev.args.sharesTransferred).to.equal(0n);
      expect(ev.args.sharesReleased).to.equal(PLEDGED);
      expect(await f.cash.balanceOf(f.pledgee.address)).to.equal(ev.args.amountPayable);
      expect(await f.equity.balanceOf(f.pledgee.address)).to.equal(0n);
      expect(await f.equity.freeBalance(f.pledger.address)).to.equal(PLEDGED);
    });

    it("after maturity, enforces a pledge of cash only (every share released before)", async function () {
      const f = await loadFixture(pledgeFixture);
      const start = f.today - 30;
      await pushPrice(f, start, "25");
      const id = await openPledge(f, termsFor(f, start, { principal: 100_000_000n, maturityDate: start + 10 }));
      await pushPrice(f, f.today, "25");
      await (await f.book.connect(f.pledger).topUp(id, 0n, 50_000_000n)).wait();
      await (await f.book.connect(f.pledgee).release(id, PLEDGED, 0n)).wait();
      const r = await (await f.book.enforce(id, f.today)).wait();
      const ev = r!.logs.map((l) => f.book.interface.parseLog(l)).find((p) => p?.name === "PledgeEnforced")!;
      expect(ev.args.cashTransferred).to.equal(50_000_000n);
      expect(ev.args.sharesTransferred).to.equal(0n);
      expect(ev.args.sharesReleased).to.equal(0n);
      expect(ev.args.shortfall).to.equal(ev.args.amountPayable - 50_000_000n);
      expect(await f.cash.balanceOf(f.pledgee.address)).to.equal(50_000_000n);
      expect(await f.cash.encumbered(f.pledger.address, f.book.target, id)).to.equal(0n);
      expect((await readPledge(f.book, id)).status).to.equal("Enforced");
    });
  });

  describe("preview", function () {
    it("values a pledge at a date without writing anything", async function () {
      const f = await loadFixture(activePledgeFixture);
      const [out, close] = await f.book.preview(f.id, f.start);
      expect(close).to.equal(25n * WAD);
      expect(out.amountPayable).to.equal(1_000_000_000n);
      expect(out.collateralValue).to.equal(2_500_000_000n);
      expect(out.ratio).to.equal(25n * 10n ** 17n);
      expect((await readPledge(f.book, f.id)).valuedDate).to.equal(0);
    });

    it("refuses an unknown pledge", async function () {
      const f = await loadFixture(activePledgeFixture);
      await expect(f.book.preview(99n, f.today)).to.be.revertedWithCustomError(f.book, "PledgeUnknown").withArgs(99n);
    });

    it("refuses a date before the last accrual", async function () {
      const f = await loadFixture(activePledgeFixture);
      await expect(f.book.preview(f.id, f.start - 1))
        .to.be.revertedWithCustomError(f.book, "PledgeDateInvalid")
        .withArgs(f.start - 1, f.start, U32);
    });

    it("refuses a date without a readable close", async function () {
      const f = await loadFixture(activePledgeFixture);
      await pushPrice(f, f.today, "25");
      await expect(f.book.preview(f.id, f.today - 1))
        .to.be.revertedWithCustomError(f.book, "PledgeNoPrice")
        .withArgs(f.equity.target, f.today - 1);
    });
  });
});
