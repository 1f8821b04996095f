import { ethers } from "hardhat";
import { tokensFixture } from "./fixtures";
import { shouldBehaveLikeERC7943Fungible, ERC7943Context } from "./ERC7943.behavior";
import type { CompliantToken } from "../../typechain-types";

/** The equity: investor 0 holds 1,000 shares, investor 1 is another holder, investor 3 holds none. */
async function equityContext(): Promise<ERC7943Context> {
  const f = await tokensFixture();
  const [holder, other] = f.actors.investors;
  const token = (await ethers.getContractAt("CompliantToken", await f.equity.getAddress(), f.actors.csd)) as unknown as CompliantToken;
  return {
    token,
    registry: f.registry,
    holder,
    holderId: f.ids.investors[0],
    other,
    otherId: f.ids.investors[1],
    empty: f.actors.investors[3],
    stranger: f.actors.stranger,
    locker: f.locker,
    unit: 1n,
  };
}

/** RUB cash: bank B holds 10,000,000.00 RUB (1,000 × 1,000,000 units), bank A is another participant, investor 3 holds none. */
async function cashContext(): Promise<ERC7943Context> {
  const f = await tokensFixture();
  const token = (await ethers.getContractAt("CompliantToken", await f.cash.getAddress(), f.actors.csd)) as unknown as CompliantToken;
  return {
    token,
    registry: f.registry,
    holder: f.actors.bankB,
    holderId: f.ids.bankB,
    other: f.actors.bankA,
    otherId: f.ids.bankA,
    empty: f.actors.investors[3],
    stranger: f.actors.stranger,
    locker: f.locker,
    unit: 1_000_000n,
  };
}

describe("SecurityToken", function () {
  shouldBehaveLikeERC7943Fungible(equityContext);
});

describe("CashToken", function () {
  shouldBehaveLikeERC7943Fungible(cashContext);
});
