import { expect } from "chai";
import { ethers, network } from "hardhat";
import {
  NodeUnreachableError,
  PendingTimeoutError,
  rpc,
  RpcPolicy,
  settleTransaction,
  transactionState,
  waitNoPending,
} from "../../lib/oracle/rpc";

const FAST: RpcPolicy = {
  timeoutMs: 200,
  retries: 2,
  backoffMs: 5,
  maxBackoffMs: 20,
  pollMs: 10,
  pendingTimeoutMs: 300,
  warn: () => undefined,
};

function refused(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED" });
}

describe("node calls and transaction settling (lib/oracle/rpc)", function () {
  describe("rpc", function () {
    it("retries while the node is unreachable and says so each time", async function () {
      const notices: string[] = [];
      let calls = 0;
      const v = await rpc({ ...FAST, warn: (m) => notices.push(m) }, "block number", async () => {
        if (++calls < 3) throw refused();
        return 42;
      });
      expect([v, calls]).to.deep.equal([42, 3]);
      expect(notices).to.have.length(2);
      expect(notices[0]).to.match(/^node unreachable \(block number: connect ECONNREFUSED 127.0.0.1:8545\); retry 1\/2 in/);
    });

    it("gives up after the retry budget with an error that says how to resume", async function () {
      let calls = 0;
      const p = rpc(FAST, "receipt", async () => {
        calls++;
        throw refused();
      });
      await expect(p).to.be.rejectedWith(NodeUnreachableError, /receipt failed 3 times .* run the same command again to resume/);
      expect(calls).to.equal(3);
    });

    it("counts a call that does not answer in time as a failed attempt", async function () {
      let calls = 0;
      const v = await rpc(FAST, "slow", () => (++calls === 1 ? new Promise<number>(() => undefined) : Promise.resolve(7)));
      expect([v, calls]).to.deep.equal([7, 2]);
    });

    it("passes other errors through at once", async function () {
      let calls = 0;
      const p = rpc(FAST, "call", async () => {
        calls++;
        throw Object.assign(new Error("execution reverted"), { code: "CALL_EXCEPTION" });
      });
      await expect(p).to.be.rejectedWith("execution reverted");
      expect(calls).to.equal(1);
    });
  });

  describe("settling a transaction with receipts, pool and nonce", function () {
    afterEach(async function () {
      await network.provider.send("evm_setAutomine", [true]);
    });

    async function sendPending(nonce?: number) {
      const [from, to] = await ethers.getSigners();
      await network.provider.send("evm_setAutomine", [false]);
      const tx = await from.sendTransaction({ to: to.address, value: 1n, nonce });
      return { hash: tx.hash, nonce: tx.nonce, from: from.address };
    }

    it("reports a mined transaction with its receipt", async function () {
      const [from, to] = await ethers.getSigners();
      const tx = await from.sendTransaction({ to: to.address, value: 1n });
      const s = await settleTransaction(ethers.provider, FAST, { hash: tx.hash, nonce: tx.nonce, from: from.address });
      expect(s.state).to.equal("mined");
      expect(s.receipt!.hash).to.equal(tx.hash);
    });

    it("waits for a pending transaction until it is mined", async function () {
      const ref = await sendPending();
      expect((await transactionState(ethers.provider, FAST, ref)).state).to.equal("pending");
      const settled = settleTransaction(ethers.provider, { ...FAST, pendingTimeoutMs: 10_000 }, ref);
      await new Promise((r) => setTimeout(r, 50));
      await network.provider.send("evm_mine");
      expect((await settled).state).to.equal("mined");
    });

    it("stops waiting for a pending transaction after the timeout", async function () {
      const ref = await sendPending();
      await expect(settleTransaction(ethers.provider, FAST, ref)).to.be.rejectedWith(PendingTimeoutError, /still pending/);
      await expect(waitNoPending(ethers.provider, FAST, ref.from)).to.be.rejectedWith(PendingTimeoutError, /1 transaction\(s\) pending/);
      await network.provider.send("evm_mine");
      expect(await waitNoPending(ethers.provider, FAST, ref.from)).to.equal(ref.nonce + 1);
    });

    it("reports a transaction the node forgot as dropped", async function () {
      const ref = await sendPending();
      await network.provider.send("hardhat_dropTransaction", [ref.hash]);
      expect((await settleTransaction(ethers.provider, FAST, ref)).state).to.equal("dropped");
    });

    it("reports a transaction whose nonce another one took as replaced", async function () {
      const ref = await sendPending();
      await network.provider.send("hardhat_dropTransaction", [ref.hash]);
      const [from] = await ethers.getSigners();
      await from.sendTransaction({ to: from.address, value: 2n, nonce: ref.nonce });
      await network.provider.send("evm_mine");
      expect((await settleTransaction(ethers.provider, FAST, ref)).state).to.equal("replaced");
    });
  });
});
