import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { pledgeFixture } from "../pledge/fixtures";
import { EQUITY_ISIN } from "../token/fixtures";
import { runJson } from "../helpers/tasks";

/** Account index of a signer among the network's accounts (what `--from` takes). */
async function indexOf(address: string): Promise<string> {
  return String((await ethers.getSigners()).findIndex((s) => s.address === address));
}

/**
 * Every state-changing task simulates first: a refused call is reported with the decoded custom error
 * and nothing is sent (the signer's nonce and the chain's block number do not move).
 */
describe("tasks simulate before they send", function () {
  async function refusedWithoutSending(from: string, task: string, args: Record<string, unknown>, error: RegExp) {
    const before = { nonce: await ethers.provider.getTransactionCount(from), block: await ethers.provider.getBlockNumber() };
    await expect(hre.run(task, { ...args, from: await indexOf(from), json: true })).to.be.rejectedWith(error);
    expect(await ethers.provider.getTransactionCount(from), "nonce").to.equal(before.nonce);
    expect(await ethers.provider.getBlockNumber(), "block").to.equal(before.block);
  }

  async function fixture() {
    const f = await pledgeFixture();
    process.env.DEPLOYMENTS_DIR = f.deploymentsDir;
    return f;
  }

  it("participants:suspend of an unknown participant", async function () {
    const f = await loadFixture(fixture);
    await refusedWithoutSending(
      f.actors.csd.address,
      "participants:suspend",
      { id: "99", reason: "review" },
      /^the contract refused: RegistryUnknownParticipant\(99\); nothing was sent$/,
    );
  });

  it("participants:add by a stranger", async function () {
    const f = await loadFixture(fixture);
    const s = f.actors.stranger.address;
    await refusedWithoutSending(
      s,
      "participants:add",
      { kind: "Bank", identity: "bank licence", jurisdiction: "RU", signers: "" },
      new RegExp(`^the contract refused: AccessControlUnauthorizedAccount\\(${s}, 0x[0-9a-f]{64}\\); nothing was sent$`),
    );
  });

  it("token:transfer of more than the free balance", async function () {
    const f = await loadFixture(fixture);
    const holder = f.actors.investors[1].address;
    await refusedWithoutSending(
      holder,
      "token:transfer",
      { token: EQUITY_ISIN, to: f.actors.investors[2].address, amount: "5000" },
      new RegExp(`^the contract refused: ERC20InsufficientBalance\\(${holder}, 1000, 5000\\); nothing was sent$`),
    );
  });

  it("repo:accept of an unknown deal", async function () {
    const f = await loadFixture(fixture);
    await refusedWithoutSending(f.actors.csd.address, "repo:accept", { id: "42" }, /^the contract refused: RepoUnknownDeal\(42\)/);
  });

  it("pledge:register of an unknown pledge", async function () {
    const f = await loadFixture(fixture);
    await refusedWithoutSending(f.actors.csd.address, "pledge:register", { id: "42" }, /^the contract refused: PledgeUnknown\(42\)/);
  });

  it("quota:consume by a signer that is no platform", async function () {
    const f = await loadFixture(fixture);
    await refusedWithoutSending(
      f.actors.stranger.address,
      "quota:consume",
      { ref: "order-1", investor: "0x" + "11".repeat(32), offering: "1", amount: "10", ttl: "900" },
      /^the contract refused: \w+\(.*\); nothing was sent$/,
    );
  });

  it("a call the chain accepts is sent once", async function () {
    const f = await loadFixture(fixture);
    const from = f.actors.csd.address;
    const nonce = await ethers.provider.getTransactionCount(from);
    const out = await runJson("participants:suspend", { id: String(f.ids.broker), reason: "review", from: "0" });
    expect(out.status).to.equal("Suspended");
    expect(await ethers.provider.getTransactionCount(from)).to.equal(nonce + 1);
  });
});
