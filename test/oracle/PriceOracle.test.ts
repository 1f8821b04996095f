import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { BOND_ID, CNY, EQUITY_ID, GBP, GBPRUB, oracleFixture, RUB, WAD, XLON, XMOS } from "./fixtures";
import { assetFeedId, calendarToBytes4, fxFeedId } from "../../lib/oracle/ids";
import { toDate, toDay, weekday } from "../../lib/core/dates";
import { propertyRuns } from "../helpers/runs";

const p = (feedId: string, date: number, price: bigint) => ({ feedId, date, price });

describe("PriceOracle", function () {
  describe("initialize", function () {
    it("cannot be initialised twice", async function () {
      const { oracle, actors } = await loadFixture(oracleFixture);
      await expect(oracle.initialize(actors.csd.address)).to.be.revertedWithCustomError(oracle, "InvalidInitialization");
    });
  });

  describe("configureAsset", function () {
    it("registers a security with its currency, calendar and guard rails", async function () {
      const { oracle } = await loadFixture(oracleFixture);
      const info = await oracle.feedInfo(BOND_ID);
      expect(info.kind).to.equal(1);
      expect(info.currency).to.equal(RUB);
      expect(info.calendarId).to.equal(XMOS);
      expect(info.maxDeviationWad).to.equal(WAD / 20n);
      expect(info.maxAgeDays).to.equal(7);
      expect(await oracle.currencyOf(BOND_ID)).to.equal(RUB);
      expect(await oracle.calendarOf(BOND_ID)).to.equal(XMOS);
    });

    it("emits AssetConfigured with every parameter", async function () {
      const { oracle } = await loadFixture(oracleFixture);
      const id = assetFeedId("US0378331005");
      await expect(oracle.configureAsset(id, GBP, XMOS, WAD / 10n, 3))
        .to.emit(oracle, "AssetConfigured")
        .withArgs(id, GBP, XMOS, WAD / 10n, 3);
    });

    it("keeps the latest price when parameters change", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today, 100n * WAD)]);
      await oracle.configureAsset(BOND_ID, RUB, XMOS, WAD / 10n, 3);
      expect((await oracle.latestRaw(BOND_ID)).price).to.equal(100n * WAD);
    });

    it("refuses a malformed ISIN", async function () {
      const { oracle } = await loadFixture(oracleFixture);
      const bad = ethers.hexlify(ethers.toUtf8Bytes("ru000A0JX0J2"));
      await expect(oracle.configureAsset(bad, RUB, XMOS, WAD, 1))
        .to.be.revertedWithCustomError(oracle, "OracleInvalidIsin")
        .withArgs(bad);
    });

    it("refuses a malformed currency", async function () {
      const { oracle } = await loadFixture(oracleFixture);
      await expect(oracle.configureAsset(BOND_ID, "0x527562", XMOS, WAD, 1))
        .to.be.revertedWithCustomError(oracle, "OracleInvalidCurrency")
        .withArgs("0x527562");
    });

    it("refuses a currency with a character below A", async function () {
      const { oracle } = await loadFixture(oracleFixture);
      const bad = ethers.hexlify(ethers.toUtf8Bytes("RU1"));
      await expect(oracle.configureAsset(BOND_ID, bad, XMOS, WAD, 1))
        .to.be.revertedWithCustomError(oracle, "OracleInvalidCurrency")
        .withArgs(bad);
    });

    it("refuses zero guard rails", async function () {
      const { oracle } = await loadFixture(oracleFixture);
      await expect(oracle.configureAsset(BOND_ID, RUB, XMOS, 0, 1))
        .to.be.revertedWithCustomError(oracle, "OracleInvalidGuardRail")
        .withArgs(0, 1);
      await expect(oracle.configureAsset(BOND_ID, RUB, XMOS, 1, 0))
        .to.be.revertedWithCustomError(oracle, "OracleInvalidGuardRail")
        .withArgs(1, 0);
    });

    it("refuses a maximum deviation that is not a whole multiple of 1e-9", async function () {
      const { oracle } = await loadFixture(oracleFixture);
      await expect(oracle.configureAsset(BOND_ID, RUB, XMOS, WAD / 20n + 1n, 7))
        .to.be.revertedWithCustomError(oracle, "OracleInvalidGuardRail")
        .withArgs(WAD / 20n + 1n, 7);
    });

    it("stores the largest maximum deviation exactly", async function () {
      const { oracle } = await loadFixture(oracleFixture);
      const largest = (((1n << 64n) - 1n) / 10n ** 9n) * 10n ** 9n;
      await oracle.configureAsset(BOND_ID, RUB, XLON, largest, 9);
      const info = await oracle.feedInfo(BOND_ID);
      expect([info.maxDeviationWad, info.calendarId, info.maxAgeDays]).to.deep.equal([largest, XLON, 9n]);
      expect(await oracle.calendarOf(BOND_ID)).to.equal(XLON);
    });

    it("refuses a stranger", async function () {
      const { oracle, actors } = await loadFixture(oracleFixture);
      await expect(oracle.connect(actors.stranger).configureAsset(BOND_ID, RUB, XMOS, WAD, 1))
        .to.be.revertedWithCustomError(oracle, "AccessControlUnauthorizedAccount")
        .withArgs(actors.stranger.address, await oracle.ORACLE_ADMIN_ROLE());
    });
  });

  describe("configureFxPair", function () {
    it("registers a pair under base ‖ quote", async function () {
      const { oracle } = await loadFixture(oracleFixture);
      expect(await oracle.fxFeedId(GBP, RUB)).to.equal(GBPRUB);
      const info = await oracle.feedInfo(GBPRUB);
      expect(info.kind).to.equal(2);
      expect(info.baseCurrency).to.equal(GBP);
      expect(info.currency).to.equal(RUB);
    });

    it("emits FxPairConfigured", async function () {
      const { oracle } = await loadFixture(oracleFixture);
      await expect(oracle.configureFxPair(CNY, RUB, "0x00000000", WAD / 10n, 3))
        .to.emit(oracle, "FxPairConfigured")
        .withArgs(fxFeedId("CNY", "RUB"), CNY, RUB, "0x00000000", WAD / 10n, 3);
    });

    it("refuses a pair of the same currency", async function () {
      const { oracle } = await loadFixture(oracleFixture);
      await expect(oracle.configureFxPair(RUB, RUB, XMOS, WAD, 1))
        .to.be.revertedWithCustomError(oracle, "OracleInvalidCurrency")
        .withArgs(RUB);
    });

    it("refuses a stranger", async function () {
      const { oracle, actors } = await loadFixture(oracleFixture);
      await expect(oracle.connect(actors.stranger).configureFxPair(CNY, RUB, XMOS, WAD, 1)).to.be.revertedWithCustomError(
        oracle,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("pushPrices", function () {
    it("stores the latest value and emits PriceAccepted with its inputs", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await expect(oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 1, 985n * WAD)]))
        .to.emit(oracle, "PriceAccepted")
        .withArgs(BOND_ID, today - 1, 985n * WAD, actors.oracle1.address);
      expect(await oracle.latestPrice(BOND_ID)).to.deep.equal([985n * WAD, BigInt(today - 1)]);
    });

    it("accepts several dates of one feed in one batch, in order", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle
        .connect(actors.oracle1)
        .pushPrices([p(BOND_ID, today - 2, 100n * WAD), p(BOND_ID, today - 1, 101n * WAD), p(EQUITY_ID, today, 5n * WAD)]);
      expect(await oracle.latestRaw(BOND_ID)).to.deep.equal([101n * WAD, BigInt(today - 1)]);
      expect(await oracle.latestRaw(EQUITY_ID)).to.deep.equal([5n * WAD, BigInt(today)]);
    });

    it("returns the counts of accepted and quarantined items", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 2, 100n * WAD)]);
      const r = await oracle.connect(actors.oracle1).pushPrices.staticCall([p(BOND_ID, today - 1, 200n * WAD), p(EQUITY_ID, today, WAD)]);
      expect(r).to.deep.equal([1n, 1n]);
    });

    it("reverts an empty batch", async function () {
      const { oracle, actors } = await loadFixture(oracleFixture);
      await expect(oracle.connect(actors.oracle1).pushPrices([])).to.be.revertedWithCustomError(oracle, "OracleEmptyBatch");
    });

    it("reverts the whole batch on a future date", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      const tx = oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today, WAD), p(EQUITY_ID, today + 1, WAD)]);
      await expect(tx)
        .to.be.revertedWithCustomError(oracle, "OracleFutureDate")
        .withArgs(EQUITY_ID, today + 1, today);
      expect((await oracle.latestRaw(BOND_ID)).date).to.equal(0);
    });

    it("reverts the whole batch on a zero price", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await expect(oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today, 0n)]))
        .to.be.revertedWithCustomError(oracle, "OracleZeroPrice")
        .withArgs(BOND_ID, today);
    });

    it("reverts a price above 128 bits", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      const big = 1n << 128n;
      await expect(oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today, big)]))
        .to.be.revertedWithCustomError(oracle, "OraclePriceTooLarge")
        .withArgs(BOND_ID, today, big);
    });

    it("reverts an unknown feed", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      const unknown = assetFeedId("US0378331005");
      await expect(oracle.connect(actors.oracle1).pushPrices([p(unknown, today, WAD)]))
        .to.be.revertedWithCustomError(oracle, "OracleUnknownFeed")
        .withArgs(unknown);
    });

    it("refuses a date older than the latest with PriceRefused and goes on with the batch", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 1, 100n * WAD)]);
      const tx = oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 3, 99n * WAD), p(EQUITY_ID, today, WAD)]);
      await expect(tx)
        .to.emit(oracle, "PriceRefused")
        .withArgs(BOND_ID, today - 3, 99n * WAD, today - 1, 100n * WAD, actors.oracle1.address);
      await expect(tx).to.emit(oracle, "PriceAccepted").withArgs(EQUITY_ID, today, WAD, actors.oracle1.address);
      expect(await oracle.latestRaw(BOND_ID)).to.deep.equal([100n * WAD, BigInt(today - 1)]);
    });

    it("refuses a different value for the latest date", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today, 100n * WAD)]);
      await expect(oracle.connect(actors.oracle2).pushPrices([p(BOND_ID, today, 101n * WAD)]))
        .to.emit(oracle, "PriceRefused")
        .withArgs(BOND_ID, today, 101n * WAD, today, 100n * WAD, actors.oracle2.address);
    });

    it("skips a repeat of the latest value without any event", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today, 100n * WAD)]);
      const r = await (await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today, 100n * WAD)])).wait();
      expect(r!.logs).to.have.length(0);
    });

    it("quarantines a move beyond the maximum deviation with PriceQuarantined", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 1, 100n * WAD)]);
      await expect(oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today, 94n * WAD)]))
        .to.emit(oracle, "PriceQuarantined")
        .withArgs(BOND_ID, today, 94n * WAD, 100n * WAD, today - 1, (WAD * 6n) / 100n, actors.oracle1.address);
      expect(await oracle.latestRaw(BOND_ID)).to.deep.equal([100n * WAD, BigInt(today - 1)]);
      const info = await oracle.feedInfo(BOND_ID);
      expect([info.pendingPrice, info.pendingDate, info.pendingOperator]).to.deep.equal([94n * WAD, BigInt(today), actors.oracle1.address]);
    });

    it("accepts a move of exactly the maximum deviation", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 1, 100n * WAD)]);
      await expect(oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today, 105n * WAD)])).to.emit(oracle, "PriceAccepted");
    });

    it("accepts the first value of a feed whatever its level", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await expect(oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today, 1n)])).to.emit(oracle, "PriceAccepted");
    });

    it("refuses a stranger", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await expect(oracle.connect(actors.stranger).pushPrices([p(BOND_ID, today, WAD)]))
        .to.be.revertedWithCustomError(oracle, "AccessControlUnauthorizedAccount")
        .withArgs(actors.stranger.address, await oracle.ORACLE_ROLE());
    });

    it("keeps the latest value equal to a model of the guard rails (property)", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 80, max: 120 })), { minLength: 5, maxLength: 25 }),
          async (ops) => {
            const snap = await ethers.provider.send("evm_snapshot", []);
            let model: { price: bigint; date: number } | undefined;
            for (const [back, level] of ops) {
              // Weekends of XMOS are moved to the Friday before (no holidays are loaded).
              const raw = today - back;
              const date = weekday(raw) === 6 ? raw - 1 : weekday(raw) === 7 ? raw - 2 : raw;
              const price = BigInt(level) * WAD;
              await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, date, price)]);
              if (!model) model = { price, date };
              else if (date > model.date) {
                const move = ((price > model.price ? price - model.price : model.price - price) * WAD) / model.price;
                if (move <= WAD / 20n) model = { price, date };
              }
            }
            const raw = await oracle.latestRaw(BOND_ID);
            await ethers.provider.send("evm_revert", [snap]);
            expect([raw.price, Number(raw.date)]).to.deep.equal([model!.price, model!.date]);
          },
        ),
        { numRuns: propertyRuns(8) },
      );
    });
  });

  describe("confirmPrice", function () {
    async function quarantinedFixture() {
      const s = await loadFixture(oracleFixture);
      await s.oracle.connect(s.actors.oracle1).pushPrices([p(BOND_ID, s.today - 1, 100n * WAD)]);
      await s.oracle.connect(s.actors.oracle1).pushPrices([p(BOND_ID, s.today, 80n * WAD)]);
      return s;
    }

    it("makes the quarantined value the latest when a second operator confirms", async function () {
      const { oracle, actors, today } = await loadFixture(quarantinedFixture);
      await expect(oracle.connect(actors.oracle2).confirmPrice(BOND_ID, today, 80n * WAD))
        .to.emit(oracle, "PriceConfirmed")
        .withArgs(BOND_ID, today, 80n * WAD, actors.oracle1.address, actors.oracle2.address);
      expect(await oracle.latestPrice(BOND_ID)).to.deep.equal([80n * WAD, BigInt(today)]);
      expect((await oracle.feedInfo(BOND_ID)).pendingDate).to.equal(0);
    });

    it("refuses the operator who pushed it", async function () {
      const { oracle, actors, today } = await loadFixture(quarantinedFixture);
      await expect(oracle.connect(actors.oracle1).confirmPrice(BOND_ID, today, 80n * WAD))
        .to.be.revertedWithCustomError(oracle, "OracleSameOperator")
        .withArgs(BOND_ID, actors.oracle1.address);
    });

    it("refuses a value other than the quarantined one", async function () {
      const { oracle, actors, today } = await loadFixture(quarantinedFixture);
      await expect(oracle.connect(actors.oracle2).confirmPrice(BOND_ID, today, 81n * WAD))
        .to.be.revertedWithCustomError(oracle, "OracleNoPendingPrice")
        .withArgs(BOND_ID, today, 81n * WAD);
    });

    it("refuses another date than the quarantined one", async function () {
      const { oracle, actors, today } = await loadFixture(quarantinedFixture);
      await expect(oracle.connect(actors.oracle2).confirmPrice(BOND_ID, today - 1, 80n * WAD))
        .to.be.revertedWithCustomError(oracle, "OracleNoPendingPrice")
        .withArgs(BOND_ID, today - 1, 80n * WAD);
    });

    it("refuses a feed with nothing quarantined", async function () {
      const { oracle, actors, today } = await loadFixture(quarantinedFixture);
      await expect(oracle.connect(actors.oracle2).confirmPrice(EQUITY_ID, today, 80n * WAD))
        .to.be.revertedWithCustomError(oracle, "OracleNoPendingPrice")
        .withArgs(EQUITY_ID, today, 80n * WAD);
    });

    it("refuses a quarantined value superseded by a newer accepted one", async function () {
      const { oracle, actors, today } = await loadFixture(quarantinedFixture);
      await time.increase(3 * 86400);
      await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today + 3, 101n * WAD)]);
      await expect(oracle.connect(actors.oracle2).confirmPrice(BOND_ID, today, 80n * WAD))
        .to.be.revertedWithCustomError(oracle, "OraclePendingSuperseded")
        .withArgs(BOND_ID, today, today + 3);
    });

    it("refuses a stranger", async function () {
      const { oracle, actors, today } = await loadFixture(quarantinedFixture);
      await expect(oracle.connect(actors.stranger).confirmPrice(BOND_ID, today, 80n * WAD)).to.be.revertedWithCustomError(
        oracle,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("rejectPrice", function () {
    async function quarantinedFixture() {
      const s = await loadFixture(oracleFixture);
      await s.oracle.connect(s.actors.oracle1).pushPrices([p(BOND_ID, s.today - 1, 100n * WAD)]);
      await s.oracle.connect(s.actors.oracle1).pushPrices([p(BOND_ID, s.today, 80n * WAD)]);
      return s;
    }

    it("discards the quarantined value with PriceRejected", async function () {
      const { oracle, actors, today } = await loadFixture(quarantinedFixture);
      const reason = ethers.encodeBytes32String("fat finger");
      await expect(oracle.rejectPrice(BOND_ID, today, 80n * WAD, reason))
        .to.emit(oracle, "PriceRejected")
        .withArgs(BOND_ID, today, 80n * WAD, actors.oracle1.address, actors.csd.address, reason);
      expect((await oracle.feedInfo(BOND_ID)).pendingDate).to.equal(0);
      expect((await oracle.latestRaw(BOND_ID)).price).to.equal(100n * WAD);
    });

    it("refuses when nothing matches", async function () {
      const { oracle, today } = await loadFixture(quarantinedFixture);
      await expect(oracle.rejectPrice(BOND_ID, today - 1, 80n * WAD, ethers.ZeroHash))
        .to.be.revertedWithCustomError(oracle, "OracleNoPendingPrice")
        .withArgs(BOND_ID, today - 1, 80n * WAD);
    });

    it("refuses another value than the quarantined one", async function () {
      const { oracle, today } = await loadFixture(quarantinedFixture);
      await expect(oracle.rejectPrice(BOND_ID, today, 81n * WAD, ethers.ZeroHash))
        .to.be.revertedWithCustomError(oracle, "OracleNoPendingPrice")
        .withArgs(BOND_ID, today, 81n * WAD);
      expect((await oracle.feedInfo(BOND_ID)).pendingPrice).to.equal(80n * WAD);
    });

    it("refuses a feed with nothing quarantined", async function () {
      const { oracle, today } = await loadFixture(quarantinedFixture);
      await expect(oracle.rejectPrice(EQUITY_ID, today, 80n * WAD, ethers.ZeroHash))
        .to.be.revertedWithCustomError(oracle, "OracleNoPendingPrice")
        .withArgs(EQUITY_ID, today, 80n * WAD);
    });

    it("refuses an operator without the admin role", async function () {
      const { oracle, actors, today } = await loadFixture(quarantinedFixture);
      await expect(oracle.connect(actors.oracle2).rejectPrice(BOND_ID, today, 80n * WAD, ethers.ZeroHash))
        .to.be.revertedWithCustomError(oracle, "AccessControlUnauthorizedAccount")
        .withArgs(actors.oracle2.address, await oracle.ORACLE_ADMIN_ROLE());
    });
  });

  describe("priceAt", function () {
    it("answers with the latest value for its date and later dates within the maximum age", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 7, 100n * WAD)]);
      expect(await oracle.priceAt(BOND_ID, today - 7)).to.deep.equal([100n * WAD, BigInt(today - 7)]);
      expect(await oracle.priceAt(BOND_ID, today)).to.deep.equal([100n * WAD, BigInt(today - 7)]);
    });

    it("reverts with OracleStalePrice beyond the maximum age", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 8, 100n * WAD)]);
      await expect(oracle.priceAt(BOND_ID, today))
        .to.be.revertedWithCustomError(oracle, "OracleStalePrice")
        .withArgs(BOND_ID, today - 8, today, 7);
    });

    it("reverts with OracleNoPriceForDate before the latest date", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 1, 100n * WAD)]);
      await expect(oracle.priceAt(BOND_ID, today - 2))
        .to.be.revertedWithCustomError(oracle, "OracleNoPriceForDate")
        .withArgs(BOND_ID, today - 2, today - 1);
    });

    it("reverts for a date after today", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today, 100n * WAD)]);
      await expect(oracle.priceAt(BOND_ID, today + 1))
        .to.be.revertedWithCustomError(oracle, "OracleFutureDate")
        .withArgs(BOND_ID, today + 1, today);
    });

    it("reverts for an unknown feed", async function () {
      const { oracle, today } = await loadFixture(oracleFixture);
      const id = assetFeedId("US0378331005");
      await expect(oracle.priceAt(id, today)).to.be.revertedWithCustomError(oracle, "OracleUnknownFeed").withArgs(id);
    });
  });

  describe("latestPrice", function () {
    it("reverts with OracleNoPriceForDate when nothing was pushed", async function () {
      const { oracle, today } = await loadFixture(oracleFixture);
      await expect(oracle.latestPrice(EQUITY_ID))
        .to.be.revertedWithCustomError(oracle, "OracleNoPriceForDate")
        .withArgs(EQUITY_ID, today, 0);
    });

    it("becomes stale as days pass", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(EQUITY_ID, today, 5n * WAD)]);
      await time.increase(6 * 86400);
      await expect(oracle.latestPrice(EQUITY_ID))
        .to.be.revertedWithCustomError(oracle, "OracleStalePrice")
        .withArgs(EQUITY_ID, today, today + 6, 5);
    });
  });

  describe("fxRate", function () {
    it("reads a registered pair", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(GBPRUB, today, 105n * WAD)]);
      expect(await oracle.fxRate(GBP, RUB, today)).to.deep.equal([105n * WAD, BigInt(today)]);
    });

    it("inverts the registered pair, rounding down", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(GBPRUB, today, 3n * WAD)]);
      expect(await oracle.fxRate(RUB, GBP, today)).to.deep.equal([333333333333333333n, BigInt(today)]);
    });

    it("gives 1 for a currency against itself", async function () {
      const { oracle, today } = await loadFixture(oracleFixture);
      expect((await oracle.fxRate(RUB, RUB, today)).rate).to.equal(WAD);
    });

    it("reverts for an unknown pair", async function () {
      const { oracle, today } = await loadFixture(oracleFixture);
      await expect(oracle.fxRate(CNY, RUB, today))
        .to.be.revertedWithCustomError(oracle, "OracleUnknownFeed")
        .withArgs(fxFeedId("CNY", "RUB"));
    });

    it("applies the staleness rule", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(GBPRUB, today - 8, 105n * WAD)]);
      await expect(oracle.fxRate(GBP, RUB, today)).to.be.revertedWithCustomError(oracle, "OracleStalePrice");
    });
  });

  describe("business days", function () {
    it("reverts the whole batch for a weekend day of the feed's calendar", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      const saturday = today - 6;
      await expect(oracle.connect(actors.oracle1).pushPrices([p(EQUITY_ID, today, WAD), p(BOND_ID, saturday, 100n * WAD)]))
        .to.be.revertedWithCustomError(oracle, "OracleNotBusinessDay")
        .withArgs(XMOS, saturday);
      expect((await oracle.latestRaw(EQUITY_ID)).date).to.equal(0);
    });

    it("reverts the whole batch for a holiday of the feed's calendar", async function () {
      const { oracle, calendar, actors, today } = await loadFixture(oracleFixture);
      const holiday = today - 2;
      await calendar.loadHolidays(XMOS, toDate(holiday).year, [holiday]);
      await expect(oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, holiday, 100n * WAD)]))
        .to.be.revertedWithCustomError(oracle, "OracleNotBusinessDay")
        .withArgs(XMOS, holiday);
    });

    it("accepts the holiday of another calendar", async function () {
      const { oracle, calendar, actors, today } = await loadFixture(oracleFixture);
      await calendar.loadHolidays(XLON, toDate(today - 2).year, [today - 2]);
      await expect(oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 2, 100n * WAD)])).to.emit(oracle, "PriceAccepted");
    });

    it("reverts with the calendar's error for a year not loaded", async function () {
      const { oracle, calendar, actors, today } = await loadFixture(oracleFixture);
      const year = toDate(today).year - 2;
      let day = toDay(year, 6, 15);
      while (weekday(day) > 5) day++;
      await expect(oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, day, 100n * WAD)]))
        .to.be.revertedWithCustomError(calendar, "CalendarYearNotLoaded")
        .withArgs(XMOS, year);
    });

    it("reverts with the calendar's error for a feed of an unknown calendar", async function () {
      const { oracle, calendar, actors, today } = await loadFixture(oracleFixture);
      const xshg = calendarToBytes4("XSHG");
      const id = assetFeedId("CNE000000R36");
      await oracle.configureAsset(id, CNY, xshg, WAD / 10n, 7);
      await expect(oracle.connect(actors.oracle1).pushPrices([p(id, today, WAD)]))
        .to.be.revertedWithCustomError(calendar, "CalendarUnknown")
        .withArgs(xshg);
    });

    it("lets no single operator step a price across a weekend in one batch", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      // Thursday 100, then +5 % each for Friday, Saturday, Sunday and Monday: +21.55 % in one transaction.
      await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 8, 100n * WAD)]);
      const steps = [105n, 11025n, 1157625n, 121550625n].map((v, i) => p(BOND_ID, today - 7 + i, (v * WAD) / 10n ** BigInt(2 * i)));
      await expect(oracle.connect(actors.oracle1).pushPrices(steps))
        .to.be.revertedWithCustomError(oracle, "OracleNotBusinessDay")
        .withArgs(XMOS, today - 6);
      expect(await oracle.latestRaw(BOND_ID)).to.deep.equal([100n * WAD, BigInt(today - 8)]);
    });

    it("checks each value of a batch against the latest accepted one, a quarantined value moving nothing", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 4, 100n * WAD)]);
      const tx = oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 3, 110n * WAD), p(BOND_ID, today - 2, 112n * WAD)]);
      await expect(tx)
        .to.emit(oracle, "PriceQuarantined")
        .withArgs(BOND_ID, today - 3, 110n * WAD, 100n * WAD, today - 4, WAD / 10n, actors.oracle1.address);
      await expect(tx)
        .to.emit(oracle, "PriceQuarantined")
        .withArgs(BOND_ID, today - 2, 112n * WAD, 100n * WAD, today - 4, (WAD * 12n) / 100n, actors.oracle1.address);
      expect(await oracle.latestRaw(BOND_ID)).to.deep.equal([100n * WAD, BigInt(today - 4)]);
    });
  });

  describe("setHolidayCalendar", function () {
    async function bareOracleFixture() {
      const s = await loadFixture(oracleFixture);
      const bare = await upgrades.deployProxy(await ethers.getContractFactory("PriceOracle"), [s.actors.csd.address], { kind: "uups" });
      const oracle2 = await ethers.getContractAt("PriceOracle", await bare.getAddress());
      await oracle2.grantRole(await oracle2.ORACLE_ADMIN_ROLE(), s.actors.csd.address);
      await oracle2.grantRole(await oracle2.ORACLE_ROLE(), s.actors.oracle1.address);
      await oracle2.configureAsset(BOND_ID, RUB, XMOS, WAD / 20n, 7);
      return { ...s, bare: oracle2 };
    }

    it("is wired by the deploy to the suite's HolidayCalendar", async function () {
      const { oracle, calendar } = await loadFixture(oracleFixture);
      expect(await oracle.holidayCalendar()).to.equal(await calendar.getAddress());
    });

    it("refuses pushes and closes until a calendar is set", async function () {
      const { bare, actors, today } = await loadFixture(bareOracleFixture);
      await expect(bare.connect(actors.oracle1).pushPrices([p(BOND_ID, today, WAD)])).to.be.revertedWithCustomError(
        bare,
        "OracleCalendarNotSet",
      );
      await expect(bare.connect(actors.oracle1).closeBusinessDate(XMOS, today)).to.be.revertedWithCustomError(bare, "OracleCalendarNotSet");
    });

    it("sets the calendar with HolidayCalendarSet, after which pushes follow its business days", async function () {
      const { bare, calendar, actors, today } = await loadFixture(bareOracleFixture);
      const address = await calendar.getAddress();
      await expect(bare.setHolidayCalendar(address)).to.emit(bare, "HolidayCalendarSet").withArgs(address);
      expect(await bare.holidayCalendar()).to.equal(address);
      await expect(bare.connect(actors.oracle1).pushPrices([p(BOND_ID, today, WAD)])).to.emit(bare, "PriceAccepted");
    });

    it("refuses an address without code", async function () {
      const { bare, actors } = await loadFixture(bareOracleFixture);
      await expect(bare.setHolidayCalendar(actors.stranger.address))
        .to.be.revertedWithCustomError(bare, "OracleInvalidHolidayCalendar")
        .withArgs(actors.stranger.address);
    });

    it("refuses an account without the admin role", async function () {
      const { bare, calendar, actors } = await loadFixture(bareOracleFixture);
      await expect(bare.connect(actors.oracle1).setHolidayCalendar(await calendar.getAddress()))
        .to.be.revertedWithCustomError(bare, "AccessControlUnauthorizedAccount")
        .withArgs(actors.oracle1.address, await bare.ORACLE_ADMIN_ROLE());
    });
  });

  describe("closeBusinessDate", function () {
    it("closes a business date with BusinessDateClosed", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await expect(oracle.connect(actors.oracle1).closeBusinessDate(XMOS, today - 1))
        .to.emit(oracle, "BusinessDateClosed")
        .withArgs(XMOS, today - 1, actors.oracle1.address);
      expect(await oracle.lastClosedDate(XMOS)).to.equal(today - 1);
      expect(await oracle.lastClosedDate(XLON)).to.equal(0);
    });

    it("refuses a stranger", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await expect(oracle.connect(actors.stranger).closeBusinessDate(XMOS, today))
        .to.be.revertedWithCustomError(oracle, "AccessControlUnauthorizedAccount")
        .withArgs(actors.stranger.address, await oracle.ORACLE_ROLE());
    });

    it("refuses a weekend day", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await expect(oracle.connect(actors.oracle1).closeBusinessDate(XMOS, today - 5))
        .to.be.revertedWithCustomError(oracle, "OracleNotBusinessDay")
        .withArgs(XMOS, today - 5);
    });

    it("refuses a date after today", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await expect(oracle.connect(actors.oracle1).closeBusinessDate(XMOS, today + 3))
        .to.be.revertedWithCustomError(oracle, "OracleCloseInFuture")
        .withArgs(XMOS, today + 3, today);
    });

    it("refuses a date on or before the last closed date", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).closeBusinessDate(XMOS, today - 1);
      for (const date of [today - 1, today - 2]) {
        await expect(oracle.connect(actors.oracle2).closeBusinessDate(XMOS, date))
          .to.be.revertedWithCustomError(oracle, "OracleDateClosed")
          .withArgs(XMOS, date, today - 1);
      }
    });

    it("refuses an unknown calendar with the calendar's error", async function () {
      const { oracle, calendar, actors, today } = await loadFixture(oracleFixture);
      const xshg = calendarToBytes4("XSHG");
      await expect(oracle.connect(actors.oracle1).closeBusinessDate(xshg, today))
        .to.be.revertedWithCustomError(calendar, "CalendarUnknown")
        .withArgs(xshg);
    });

    describe("with a quarantined value", function () {
      async function quarantinedFixture() {
        const s = await loadFixture(oracleFixture);
        await s.oracle.connect(s.actors.oracle1).pushPrices([p(BOND_ID, s.today - 2, 100n * WAD)]);
        await s.oracle.connect(s.actors.oracle1).pushPrices([p(BOND_ID, s.today - 1, 80n * WAD)]);
        return s;
      }

      it("counts it for its calendar and date", async function () {
        const { oracle, today } = await loadFixture(quarantinedFixture);
        expect(await oracle.quarantinedCount(XMOS, today - 1)).to.equal(1);
        expect(await oracle.quarantinedCount(XMOS, today)).to.equal(0);
      });

      it("refuses to close its date", async function () {
        const { oracle, actors, today } = await loadFixture(quarantinedFixture);
        await expect(oracle.connect(actors.oracle1).closeBusinessDate(XMOS, today - 1))
          .to.be.revertedWithCustomError(oracle, "OracleQuarantinePending")
          .withArgs(XMOS, today - 1, 1);
      });

      it("closes its date once a second operator confirmed it", async function () {
        const { oracle, actors, today } = await loadFixture(quarantinedFixture);
        await oracle.connect(actors.oracle2).confirmPrice(BOND_ID, today - 1, 80n * WAD);
        expect(await oracle.quarantinedCount(XMOS, today - 1)).to.equal(0);
        await expect(oracle.connect(actors.oracle1).closeBusinessDate(XMOS, today - 1)).to.emit(oracle, "BusinessDateClosed");
      });

      it("closes its date once an admin rejected it", async function () {
        const { oracle, actors, today } = await loadFixture(quarantinedFixture);
        await oracle.rejectPrice(BOND_ID, today - 1, 80n * WAD, ethers.ZeroHash);
        await expect(oracle.connect(actors.oracle1).closeBusinessDate(XMOS, today - 1)).to.emit(oracle, "BusinessDateClosed");
      });

      it("closes its date once a newer quarantined value of the feed replaced it", async function () {
        const { oracle, actors, today } = await loadFixture(quarantinedFixture);
        await oracle.connect(actors.oracle2).pushPrices([p(BOND_ID, today, 70n * WAD)]);
        expect(await oracle.quarantinedCount(XMOS, today - 1)).to.equal(0);
        expect(await oracle.quarantinedCount(XMOS, today)).to.equal(1);
        await expect(oracle.connect(actors.oracle1).closeBusinessDate(XMOS, today - 1)).to.emit(oracle, "BusinessDateClosed");
      });

      it("closes another calendar's date", async function () {
        const { oracle, actors, today } = await loadFixture(quarantinedFixture);
        await expect(oracle.connect(actors.oracle1).closeBusinessDate(XLON, today - 1)).to.emit(oracle, "BusinessDateClosed");
      });

      it("cannot be confirmed once a later date is closed", async function () {
        const { oracle, actors, today } = await loadFixture(quarantinedFixture);
        await oracle.connect(actors.oracle1).closeBusinessDate(XMOS, today);
        await expect(oracle.connect(actors.oracle2).confirmPrice(BOND_ID, today - 1, 80n * WAD))
          .to.be.revertedWithCustomError(oracle, "OracleDateClosed")
          .withArgs(XMOS, today - 1, today);
        expect(await oracle.latestRaw(BOND_ID)).to.deep.equal([100n * WAD, BigInt(today - 2)]);
      });
    });

    describe("after the close", function () {
      async function closedFixture() {
        const s = await loadFixture(oracleFixture);
        await s.oracle.connect(s.actors.oracle1).pushPrices([p(BOND_ID, s.today - 2, 100n * WAD), p(GBPRUB, s.today - 2, 105n * WAD)]);
        await s.oracle.connect(s.actors.oracle1).closeBusinessDate(XMOS, s.today - 1);
        return s;
      }

      it("refuses a push dated on the closed date", async function () {
        const { oracle, actors, today } = await loadFixture(closedFixture);
        await expect(oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 1, 101n * WAD)]))
          .to.be.revertedWithCustomError(oracle, "OracleDateClosed")
          .withArgs(XMOS, today - 1, today - 1);
      });

      it("refuses a push dated before the closed date, even one older than the latest value", async function () {
        const { oracle, actors, today } = await loadFixture(closedFixture);
        await expect(oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 3, 101n * WAD)]))
          .to.be.revertedWithCustomError(oracle, "OracleDateClosed")
          .withArgs(XMOS, today - 3, today - 1);
      });

      it("skips a retried identical push of the latest value silently", async function () {
        const { oracle, actors, today } = await loadFixture(closedFixture);
        const r = await (await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 2, 100n * WAD)])).wait();
        expect(r!.logs).to.have.length(0);
      });

      it("accepts the next business day", async function () {
        const { oracle, actors, today } = await loadFixture(closedFixture);
        await expect(oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today, 101n * WAD)])).to.emit(oracle, "PriceAccepted");
      });

      it("accepts the closed date for a feed of another calendar", async function () {
        const { oracle, actors, today } = await loadFixture(closedFixture);
        await expect(oracle.connect(actors.oracle1).pushPrices([p(EQUITY_ID, today - 1, 5n * WAD)])).to.emit(oracle, "PriceAccepted");
      });
    });
  });

  describe("closedPriceAt and closedFxRate", function () {
    async function closedFixture() {
      const s = await loadFixture(oracleFixture);
      await s.oracle.connect(s.actors.oracle1).pushPrices([p(BOND_ID, s.today - 3, 100n * WAD), p(GBPRUB, s.today - 2, 3n * WAD)]);
      await s.oracle.connect(s.actors.oracle1).closeBusinessDate(XMOS, s.today - 2);
      return s;
    }

    it("reverts with OracleDateNotClosed for a date after the calendar's last close", async function () {
      const { oracle, today } = await loadFixture(closedFixture);
      await expect(oracle.closedPriceAt(BOND_ID, today - 1))
        .to.be.revertedWithCustomError(oracle, "OracleDateNotClosed")
        .withArgs(XMOS, today - 1, today - 2);
      await expect(oracle.closedFxRate(GBP, RUB, today - 1))
        .to.be.revertedWithCustomError(oracle, "OracleDateNotClosed")
        .withArgs(XMOS, today - 1, today - 2);
    });

    it("answers for a closed date with the newest value dated on or before it", async function () {
      const { oracle, today } = await loadFixture(closedFixture);
      expect(await oracle.closedPriceAt(BOND_ID, today - 2)).to.deep.equal([100n * WAD, BigInt(today - 3)]);
      expect(await oracle.closedFxRate(GBP, RUB, today - 2)).to.deep.equal([3n * WAD, BigInt(today - 2)]);
      expect(await oracle.closedFxRate(RUB, GBP, today - 2)).to.deep.equal([333333333333333333n, BigInt(today - 2)]);
    });

    it("never answers for a closed date with a value dated after it", async function () {
      const { oracle, actors, today } = await loadFixture(closedFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 1, 101n * WAD)]);
      await oracle.connect(actors.oracle1).closeBusinessDate(XMOS, today - 1);
      await expect(oracle.closedPriceAt(BOND_ID, today - 2))
        .to.be.revertedWithCustomError(oracle, "OracleNoPriceForDate")
        .withArgs(BOND_ID, today - 2, today - 1);
      expect(await oracle.closedPriceAt(BOND_ID, today - 1)).to.deep.equal([101n * WAD, BigInt(today - 1)]);
    });

    it("follows the feed's own calendar", async function () {
      const { oracle, actors, today } = await loadFixture(closedFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(EQUITY_ID, today - 2, 5n * WAD)]);
      await expect(oracle.closedPriceAt(EQUITY_ID, today - 2))
        .to.be.revertedWithCustomError(oracle, "OracleDateNotClosed")
        .withArgs(XLON, today - 2, 0);
    });

    it("applies the staleness rule", async function () {
      const { oracle, actors, today } = await loadFixture(oracleFixture);
      await oracle.connect(actors.oracle1).pushPrices([p(BOND_ID, today - 10, 100n * WAD)]);
      await oracle.connect(actors.oracle1).closeBusinessDate(XMOS, today - 2);
      await expect(oracle.closedPriceAt(BOND_ID, today - 2))
        .to.be.revertedWithCustomError(oracle, "OracleStalePrice")
        .withArgs(BOND_ID, today - 10, today - 2, 7);
    });

    it("reverts for an unknown feed", async function () {
      const { oracle, today } = await loadFixture(closedFixture);
      const id = assetFeedId("US0378331005");
      await expect(oracle.closedPriceAt(id, today - 2))
        .to.be.revertedWithCustomError(oracle, "OracleUnknownFeed")
        .withArgs(id);
    });
  });
});
