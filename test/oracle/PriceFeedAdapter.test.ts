import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { BOND_ID, EQUITY_ID, oracleFixture, WAD } from "./fixtures";
import { assetFeedId } from "../../lib/oracle/ids";

describe("PriceFeedAdapter", function () {
  async function adapterFixture() {
    const s = await loadFixture(oracleFixture);
    const adapter = await ethers.deployContract("PriceFeedAdapter", [await s.oracle.getAddress(), EQUITY_ID, "GB0002634946 / GBP"]);
    const consumer = await ethers.deployContract("ChainlinkConsumer", [await adapter.getAddress(), 3 * 86400]);
    return { ...s, adapter, consumer };
  }

  describe("constructor", function () {
    it("refuses a feed the oracle does not know", async function () {
      const { oracle } = await loadFixture(adapterFixture);
      const id = assetFeedId("US0378331005");
      const f = await ethers.getContractFactory("PriceFeedAdapter");
      await expect(f.deploy(await oracle.getAddress(), id, "x"))
        .to.be.revertedWithCustomError(f, "AdapterInvalidFeed")
        .withArgs(await oracle.getAddress(), id);
    });

    it("refuses a zero oracle address", async function () {
      await loadFixture(adapterFixture);
      const f = await ethers.getContractFactory("PriceFeedAdapter");
      await expect(f.deploy(ethers.ZeroAddress, EQUITY_ID, "x"))
        .to.be.revertedWithCustomError(f, "AdapterInvalidFeed")
        .withArgs(ethers.ZeroAddress, EQUITY_ID);
    });
  });

  describe("metadata", function () {
    it("has 18 decimals, version 1 and its description", async function () {
      const { adapter } = await loadFixture(adapterFixture);
      expect(await adapter.decimals()).to.equal(18);
      expect(await adapter.version()).to.equal(1);
      expect(await adapter.description()).to.equal("GB0002634946 / GBP");
    });
  });

  describe("latestRoundData", function () {
    it("returns the latest price with the business date as round and midnight UTC as time", async function () {
      const { adapter, oracle, actors, today } = await loadFixture(adapterFixture);
      await oracle.connect(actors.oracle1).pushPrices([{ feedId: EQUITY_ID, date: today - 1, price: 1234n * WAD }]);
      const at = BigInt(today - 1) * 86400n;
      expect(await adapter.latestRoundData()).to.deep.equal([BigInt(today - 1), 1234n * WAD, at, at, BigInt(today - 1)]);
    });

    it("reverts before any price", async function () {
      const { adapter } = await loadFixture(adapterFixture);
      await expect(adapter.latestRoundData()).to.be.revertedWithCustomError(adapter, "AdapterNoRoundData").withArgs(0);
    });

    it("does not show a quarantined value", async function () {
      const { adapter, oracle, actors, today } = await loadFixture(adapterFixture);
      await oracle.connect(actors.oracle1).pushPrices([{ feedId: EQUITY_ID, date: today - 1, price: 100n * WAD }]);
      await oracle.connect(actors.oracle1).pushPrices([{ feedId: EQUITY_ID, date: today, price: 50n * WAD }]);
      expect((await adapter.latestRoundData()).answer).to.equal(100n * WAD);
    });
  });

  describe("getRoundData", function () {
    it("returns the latest round and reverts for any other", async function () {
      const { adapter, oracle, actors, today } = await loadFixture(adapterFixture);
      await oracle.connect(actors.oracle1).pushPrices([{ feedId: EQUITY_ID, date: today, price: 7n * WAD }]);
      expect((await adapter.getRoundData(today)).answer).to.equal(7n * WAD);
      await expect(adapter.getRoundData(today - 1))
        .to.be.revertedWithCustomError(adapter, "AdapterNoRoundData")
        .withArgs(today - 1);
    });

    it("reverts for round 0 while the feed has no value", async function () {
      const { adapter } = await loadFixture(adapterFixture);
      await expect(adapter.getRoundData(0)).to.be.revertedWithCustomError(adapter, "AdapterNoRoundData").withArgs(0);
    });
  });

  describe("ChainlinkConsumer", function () {
    it("reads our price through Chainlink's interface", async function () {
      const { consumer, oracle, actors, today } = await loadFixture(adapterFixture);
      await oracle.connect(actors.oracle1).pushPrices([{ feedId: EQUITY_ID, date: today, price: 4321n * WAD }]);
      expect(await consumer.getChainlinkDataFeedLatestAnswer()).to.deep.equal([4321n * WAD, 18n]);
    });

    it("sees the price age through updatedAt and refuses it when too old", async function () {
      const { consumer, oracle, actors, today } = await loadFixture(adapterFixture);
      await oracle.connect(actors.oracle1).pushPrices([{ feedId: EQUITY_ID, date: today, price: 4321n * WAD }]);
      await time.increase(4 * 86400);
      await expect(consumer.getChainlinkDataFeedLatestAnswer())
        .to.be.revertedWithCustomError(consumer, "ConsumerBadAnswer")
        .withArgs(4321n * WAD, BigInt(today) * 86400n);
    });

    it("works for a bond feed too", async function () {
      const { oracle, actors, today } = await loadFixture(adapterFixture);
      const bondAdapter = await ethers.deployContract("PriceFeedAdapter", [await oracle.getAddress(), BOND_ID, "bond"]);
      const c = await ethers.deployContract("ChainlinkConsumer", [await bondAdapter.getAddress(), 86400 * 7]);
      await oracle.connect(actors.oracle2).pushPrices([{ feedId: BOND_ID, date: today, price: 985n * WAD }]);
      expect((await c.getChainlinkDataFeedLatestAnswer())[0]).to.equal(985n * WAD);
    });
  });
});
