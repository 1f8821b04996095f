import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { suiteFixture, Suite } from "../helpers/suite";
import { buildInstrument, issueCash, issueSecurity, TOKEN_ROLES } from "../../lib/tokens";
import { isinCheckDigit } from "../../lib/core/isin";
import type { CashToken, DvPSettlement, SecurityToken, TokenFactory } from "../../typechain-types";

/** A valid ISIN from its first 11 characters. */
export function isin(first11: string): string {
  return first11 + String(isinCheckDigit(first11));
}

export const EQUITY_ISIN = "RU0009029540";
export const BOND_ISIN = isin("RU000A0JX0J");
export const REASON = ethers.encodeBytes32String("deposit");

export interface TokensFixture extends Suite {
  factory: TokenFactory;
  dvp: DvPSettlement;
  equity: SecurityToken;
  bond: SecurityToken;
  cash: CashToken;
  /** Stands in for a pledge or repo book: holds LOCK_OPERATOR_ROLE on every token. */
  locker: HardhatEthersSigner;
  /** Deployments folder of this suite (set DEPLOYMENTS_DIR to it before running tasks in process). */
  deploymentsDir: string;
}

/**
 * The suite with an equity (0 decimals), a RUB bond (0 decimals, face 1000) and RUB cash (2 decimals)
 * issued; investors 1–3 hold 1,000 shares each, bank A holds 10,000 bonds, bank B holds 10,000,000.00 RUB.
 */
export async function tokensFixture(): Promise<TokensFixture> {
  const suite = await suiteFixture();
  const { csd, investors, bankA, bankB } = suite.actors;
  const locker = (await ethers.getSigners())[16];
  const factory = (await ethers.getContractAt("TokenFactory", suite.contracts.TokenFactory, csd)) as unknown as TokenFactory;
  const dvp = (await ethers.getContractAt("DvPSettlement", suite.contracts.DvPSettlement, csd)) as unknown as DvPSettlement;
  await (await factory.addStandingRole(TOKEN_ROLES.LOCK_OPERATOR_ROLE, locker.address)).wait();

  const eq = await issueSecurity(factory, {
    name: "Sberbank ordinary share",
    symbol: "SBER",
    decimals: 0,
    instrument: buildInstrument({ isin: EQUITY_ISIN, kind: "Equity", currency: "RUB" }),
  });
  const bd = await issueSecurity(factory, {
    name: "OFZ 26238 bond",
    symbol: "OFZ26238",
    decimals: 0,
    instrument: buildInstrument({
      isin: BOND_ISIN,
      kind: "Bond",
      currency: "RUB",
      faceValue: "1000",
      couponPercent: "7.1",
      couponFrequency: 2,
      issueDate: "2021-06-02",
      maturityDate: "2041-05-15",
      dayCount: "Thirty360BondBasis",
    }),
  });
  const ca = await issueCash(factory, { name: "Tokenized RUB deposit", symbol: "RUBt", decimals: 2, currency: "RUB" });
  const equity = (await ethers.getContractAt("SecurityToken", eq.address, csd)) as unknown as SecurityToken;
  const bond = (await ethers.getContractAt("SecurityToken", bd.address, csd)) as unknown as SecurityToken;
  const cash = (await ethers.getContractAt("CashToken", ca.address, csd)) as unknown as CashToken;
  for (const inv of investors.slice(0, 3)) await (await equity.mint(inv.address, 1000n, REASON)).wait();
  await (await bond.mint(bankA.address, 10_000n, REASON)).wait();
  await (await cash.mint(bankB.address, 1_000_000_000n, REASON)).wait();
  return { ...suite, factory, dvp, equity, bond, cash, locker, deploymentsDir: process.env.DEPLOYMENTS_DIR! };
}

/** The depository's detailed forced-transfer event; the ERC-7943 `ForcedTransfer(from, to, amount)` shares its name. */
export const FORCED_TRANSFER_DETAILED = "ForcedTransfer(address,address,bytes32,uint256,address,uint256,uint256)";
/** The ERC-7943 forced-transfer event. */
export const FORCED_TRANSFER_7943 = "ForcedTransfer(address,address,uint256)";
