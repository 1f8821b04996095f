import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { tokensFixture, EQUITY_ISIN, isin } from "./fixtures";
import { buildInstrument, currencyBytes, isinBytes, TOKEN_ROLES } from "../../lib/tokens";

const bondInput = {
  isin: isin("RU000A105RH"),
  kind: "Bond",
  currency: "RUB",
  faceValue: "1000",
  couponPercent: "12",
  couponFrequency: 4,
  issueDate: "2024-01-10",
  maturityDate: "2027-01-10",
  dayCount: "Act365Fixed",
};

describe("TokenFactory", function () {
  describe("initialize", function () {
    it("cannot be initialised twice", async function () {
      const { factory, actors } = await loadFixture(tokensFixture);
      const a = actors.csd.address;
      await expect(factory.initialize(a, a, a, a)).to.be.revertedWithCustomError(factory, "InvalidInitialization");
    });

    const wiring = ["registry", "securityBeacon", "cashBeacon"];
    for (const [i, field] of wiring.entries()) {
      it(`refuses a zero ${field} on a fresh proxy`, async function () {
        const { upgrades } = await import("hardhat");
        const { actors } = await loadFixture(tokensFixture);
        const f = await ethers.getContractFactory("TokenFactory");
        const a = actors.csd.address;
        const args = [a, a, a, a];
        args[i + 1] = ethers.ZeroAddress;
        await expect(upgrades.deployProxy(f, args, { kind: "uups" }))
          .to.be.revertedWithCustomError(f, "FactoryZeroAddress")
          .withArgs(field);
      });
    }
  });

  describe("views", function () {
    it("reports its wiring, token admin, cash tokens and version", async function () {
      const { factory, cash, registry, actors } = await loadFixture(tokensFixture);
      expect(await factory.registry()).to.equal(await registry.getAddress());
      expect(await factory.tokenAdmin()).to.equal(actors.csd.address);
      expect(await factory.cashTokens()).to.deep.equal([await cash.getAddress()]);
      expect(await factory.version()).to.equal("1.0.0");
    });

    it("deploys cash tokens as beacon proxies of the cash beacon", async function () {
      const { factory, cash } = await loadFixture(tokensFixture);
      const slot = "0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50";
      const raw = await ethers.provider.getStorage(await cash.getAddress(), slot);
      expect(ethers.getAddress("0x" + raw.slice(26))).to.equal(await factory.cashBeacon());
      expect(await factory.cashBeacon()).to.not.equal(await factory.securityBeacon());
    });
  });

  describe("issueSecurity", function () {
    it("records the token by ISIN as a security", async function () {
      const { factory, equity } = await loadFixture(tokensFixture);
      const address = await equity.getAddress();
      expect(await factory.securityByIsin(isinBytes(EQUITY_ISIN))).to.equal(address);
      expect(await factory.tokenType(address)).to.equal(1);
      expect(await factory.securities()).to.have.length(2);
    });

    it("deploys a beacon proxy of the security beacon", async function () {
      const { factory, equity } = await loadFixture(tokensFixture);
      const slot = "0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50";
      const raw = await ethers.provider.getStorage(await equity.getAddress(), slot);
      expect(ethers.getAddress("0x" + raw.slice(26))).to.equal(await factory.securityBeacon());
    });

    it("refuses an ISIN already issued", async function () {
      const { factory, equity } = await loadFixture(tokensFixture);
      const inst = buildInstrument({ isin: EQUITY_ISIN, kind: "Equity", currency: "RUB" });
      await expect(factory.issueSecurity("x", "X", 0, inst))
        .to.be.revertedWithCustomError(factory, "FactoryIsinTaken")
        .withArgs(inst.isin, await equity.getAddress());
    });

    it("refuses a wrong ISIN check digit", async function () {
      const { factory, equity } = await loadFixture(tokensFixture);
      const inst = { ...buildInstrument({ isin: "US0378331005", kind: "Equity", currency: "USD" }) };
      inst.isin = ethers.hexlify(ethers.toUtf8Bytes("US0378331006"));
      await expect(factory.issueSecurity("x", "X", 0, inst))
        .to.be.revertedWithCustomError(equity, "SecurityInvalidIsin")
        .withArgs(inst.isin);
    });

    it("refuses an invalid currency", async function () {
      const { factory, equity } = await loadFixture(tokensFixture);
      const inst = { ...buildInstrument({ isin: "US0378331005", kind: "Equity", currency: "USD" }), currency: "0x757364" };
      await expect(factory.issueSecurity("x", "X", 0, inst))
        .to.be.revertedWithCustomError(equity, "SecurityInvalidCurrency")
        .withArgs("0x757364");
    });

    it("refuses bond terms on an equity", async function () {
      const { factory, equity } = await loadFixture(tokensFixture);
      const inst = { ...buildInstrument({ isin: "US0378331005", kind: "Equity", currency: "USD" }), faceValue: 1n };
      await expect(factory.issueSecurity("x", "X", 0, inst))
        .to.be.revertedWithCustomError(equity, "SecurityInvalidTerms")
        .withArgs("equity with bond terms");
    });

    it("refuses a bond maturing before its issue", async function () {
      const { factory, equity } = await loadFixture(tokensFixture);
      const inst = buildInstrument(bondInput);
      await expect(factory.issueSecurity("x", "X", 0, { ...inst, maturityDate: inst.issueDate }))
        .to.be.revertedWithCustomError(equity, "SecurityInvalidTerms")
        .withArgs("maturityDate");
    });

    it("refuses a coupon frequency other than 1, 2, 4 or 12", async function () {
      const { factory, equity } = await loadFixture(tokensFixture);
      await expect(factory.issueSecurity("x", "X", 0, { ...buildInstrument(bondInput), couponFrequency: 3 }))
        .to.be.revertedWithCustomError(equity, "SecurityInvalidTerms")
        .withArgs("couponFrequency");
    });

    it("refuses kind None", async function () {
      const { factory, equity } = await loadFixture(tokensFixture);
      await expect(factory.issueSecurity("x", "X", 0, { ...buildInstrument(bondInput), kind: 0 }))
        .to.be.revertedWithCustomError(equity, "SecurityInvalidKind")
        .withArgs(0);
    });

    it("grants the standing roles on the new token", async function () {
      const { factory, dvp, locker } = await loadFixture(tokensFixture);
      await factory.issueSecurity("Bond 2", "B2", 0, buildInstrument(bondInput));
      const token = await ethers.getContractAt("SecurityToken", await factory.securityByIsin(isinBytes(bondInput.isin)));
      expect(await token.hasRole(TOKEN_ROLES.SETTLEMENT_ROLE, await dvp.getAddress())).to.equal(true);
      expect(await token.hasRole(TOKEN_ROLES.LOCK_OPERATOR_ROLE, locker.address)).to.equal(true);
    });

    it("refuses a stranger", async function () {
      const { factory, actors } = await loadFixture(tokensFixture);
      await expect(factory.connect(actors.stranger).issueSecurity("x", "X", 0, buildInstrument(bondInput)))
        .to.be.revertedWithCustomError(factory, "AccessControlUnauthorizedAccount")
        .withArgs(actors.stranger.address, TOKEN_ROLES.ISSUER_ROLE);
    });
  });

  describe("issueCash", function () {
    it("records the token by currency with its decimals", async function () {
      const { factory } = await loadFixture(tokensFixture);
      await expect(factory.issueCash("Tokenized USD", "USDt", 6, currencyBytes("USD"))).to.emit(factory, "CashIssued");
      const cash = await ethers.getContractAt("CashToken", await factory.cashByCurrency(currencyBytes("USD")));
      expect(await cash.decimals()).to.equal(6);
      expect(await cash.currency()).to.equal(currencyBytes("USD"));
    });

    it("refuses a currency already issued", async function () {
      const { factory, cash } = await loadFixture(tokensFixture);
      await expect(factory.issueCash("x", "X", 2, currencyBytes("RUB")))
        .to.be.revertedWithCustomError(factory, "FactoryCurrencyTaken")
        .withArgs(currencyBytes("RUB"), await cash.getAddress());
    });

    it("refuses an invalid currency code", async function () {
      const { factory, cash } = await loadFixture(tokensFixture);
      await expect(factory.issueCash("x", "X", 2, "0x523142"))
        .to.be.revertedWithCustomError(cash, "CashInvalidCurrency")
        .withArgs("0x523142");
    });

    it("refuses a stranger", async function () {
      const { factory, actors } = await loadFixture(tokensFixture);
      await expect(factory.connect(actors.stranger).issueCash("x", "X", 2, currencyBytes("USD")))
        .to.be.revertedWithCustomError(factory, "AccessControlUnauthorizedAccount")
        .withArgs(actors.stranger.address, TOKEN_ROLES.ISSUER_ROLE);
    });
  });

  describe("standing roles", function () {
    it("grants a new standing role on every issued token and revokes it on removal", async function () {
      const { factory, equity, cash, actors } = await loadFixture(tokensFixture);
      const who = actors.broker.address;
      await expect(factory.addStandingRole(TOKEN_ROLES.LOCK_OPERATOR_ROLE, who))
        .to.emit(factory, "StandingRoleAdded")
        .withArgs(TOKEN_ROLES.LOCK_OPERATOR_ROLE, who);
      expect(await equity.hasRole(TOKEN_ROLES.LOCK_OPERATOR_ROLE, who)).to.equal(true);
      expect(await cash.hasRole(TOKEN_ROLES.LOCK_OPERATOR_ROLE, who)).to.equal(true);
      await factory.removeStandingRole(TOKEN_ROLES.LOCK_OPERATOR_ROLE, who);
      expect(await equity.hasRole(TOKEN_ROLES.LOCK_OPERATOR_ROLE, who)).to.equal(false);
    });

    it("refuses a duplicate, a missing one and the admin role", async function () {
      const { factory, locker, actors } = await loadFixture(tokensFixture);
      await expect(factory.addStandingRole(TOKEN_ROLES.LOCK_OPERATOR_ROLE, locker.address)).to.be.revertedWithCustomError(
        factory,
        "FactoryStandingRoleExists",
      );
      await expect(factory.removeStandingRole(TOKEN_ROLES.LOCK_OPERATOR_ROLE, actors.broker.address)).to.be.revertedWithCustomError(
        factory,
        "FactoryStandingRoleMissing",
      );
      await expect(factory.addStandingRole(ethers.ZeroHash, actors.broker.address))
        .to.be.revertedWithCustomError(factory, "FactoryRoleNotAllowed")
        .withArgs(ethers.ZeroHash);
    });

    it("refuses the zero address", async function () {
      const { factory } = await loadFixture(tokensFixture);
      await expect(factory.addStandingRole(TOKEN_ROLES.LOCK_OPERATOR_ROLE, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(factory, "FactoryZeroAddress")
        .withArgs("account");
    });

    it("refuses more than the maximum number of standing roles", async function () {
      const { factory } = await loadFixture(tokensFixture);
      const max = await factory.MAX_STANDING_ROLES();
      const held = BigInt((await factory.standingRoles()).length);
      for (let i = held; i < max; i++) {
        await factory.addStandingRole(TOKEN_ROLES.LOCK_OPERATOR_ROLE, ethers.getAddress(ethers.toBeHex(0x1000n + i, 20)));
      }
      await expect(factory.addStandingRole(TOKEN_ROLES.LOCK_OPERATOR_ROLE, ethers.getAddress(ethers.toBeHex(0x2000n, 20))))
        .to.be.revertedWithCustomError(factory, "FactoryTooManyStandingRoles")
        .withArgs(max);
      expect(await factory.standingRoles()).to.have.length(Number(max));
    });

    it("refuses a stranger", async function () {
      const { factory, actors } = await loadFixture(tokensFixture);
      // Each call is made only when awaited, so no refusal is left unhandled while another is checked.
      const s = factory.connect(actors.stranger);
      for (const call of [
        () => s.addStandingRole(TOKEN_ROLES.AGENT_ROLE, actors.stranger.address),
        () => s.removeStandingRole(TOKEN_ROLES.AGENT_ROLE, actors.csd.address),
        () => s.setTokenAdmin(actors.stranger.address),
      ]) {
        await expect(call())
          .to.be.revertedWithCustomError(factory, "AccessControlUnauthorizedAccount")
          .withArgs(actors.stranger.address, ethers.ZeroHash);
      }
    });
  });

  describe("setTokenAdmin", function () {
    it("changes the admin of tokens issued afterwards", async function () {
      const { factory, actors } = await loadFixture(tokensFixture);
      await expect(factory.setTokenAdmin(actors.regulator.address))
        .to.emit(factory, "TokenAdminChanged")
        .withArgs(actors.csd.address, actors.regulator.address);
      await factory.issueCash("Tokenized CNY", "CNYt", 2, currencyBytes("CNY"));
      const cny = await ethers.getContractAt("CashToken", await factory.cashByCurrency(currencyBytes("CNY")));
      expect(await cny.hasRole(ethers.ZeroHash, actors.regulator.address)).to.equal(true);
      await expect(factory.setTokenAdmin(actors.regulator.address)).to.be.revertedWithCustomError(factory, "FactoryUnchanged");
    });

    it("refuses the zero address", async function () {
      const { factory, actors } = await loadFixture(tokensFixture);
      await expect(factory.setTokenAdmin(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(factory, "FactoryZeroAddress")
        .withArgs("admin");
      expect(await factory.tokenAdmin()).to.equal(actors.csd.address);
    });
  });

  describe("beacon upgrade", function () {
    it("is owned by the consortium admin and serves every security token", async function () {
      const { factory, equity, bond, actors } = await loadFixture(tokensFixture);
      const beacon = new ethers.Contract(
        await factory.securityBeacon(),
        [
          "function owner() view returns (address)",
          "function implementation() view returns (address)",
          "function upgradeTo(address)",
          "error OwnableUnauthorizedAccount(address account)",
        ],
        actors.csd,
      );
      expect(await beacon.owner()).to.equal(actors.csd.address);
      const impl = await beacon.implementation();
      await expect((beacon.connect(actors.stranger) as typeof beacon).upgradeTo(impl)).to.be.revertedWithCustomError(
        beacon,
        "OwnableUnauthorizedAccount",
      );
      const next = await ethers.deployContract("SecurityToken");
      await beacon.upgradeTo(await next.getAddress());
      expect(await equity.balanceOf(actors.investors[0].address)).to.equal(1000n);
      expect(await bond.version()).to.equal("1.0.0");
    });
  });
});
