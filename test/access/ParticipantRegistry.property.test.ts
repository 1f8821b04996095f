import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { suiteFixture } from "../helpers/suite";
import { reasonBytes } from "../../lib/registry";
import { propertyRuns } from "../helpers/runs";

type Status = 1 | 2 | 3; // Active, Suspended, Closed
type Op =
  | { kind: "suspend" | "reinstate" | "close"; who: number }
  | { kind: "addSigner"; who: number; signer: number }
  | { kind: "removeSigner"; who: number; signer: number };

/** The registry's rules as a sequential model: which transitions are legal and who acts for whom. */
class Model {
  status = new Map<number, Status>();
  signerOf = new Map<number, number>(); // signer index → participant id
  apply(op: Op): boolean {
    const s = this.status.get(op.who)!;
    switch (op.kind) {
      case "suspend":
        if (s !== 1) return false;
        this.status.set(op.who, 2);
        return true;
      case "reinstate":
        if (s !== 2) return false;
        this.status.set(op.who, 1);
        return true;
      case "close":
        if (s === 3) return false;
        this.status.set(op.who, 3);
        return true;
      case "addSigner":
        if (s === 3 || this.signerOf.has(op.signer)) return false;
        this.signerOf.set(op.signer, op.who);
        return true;
      case "removeSigner":
        if (this.signerOf.get(op.signer) !== op.who) return false;
        this.signerOf.delete(op.signer);
        return true;
    }
  }
}

describe("ParticipantRegistry (property)", function () {
  const WALLETS = Array.from({ length: 6 }, (_, i) => ethers.getAddress(ethers.zeroPadValue(ethers.toBeHex(0xabc0 + i), 20)));

  it("only legal transitions happen, refused ones change nothing, and every signer's word mirrors its participant", async function () {
    const base = await loadFixture(suiteFixture);
    const ids = [base.ids.bankA, base.ids.bankB, base.ids.broker];
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constantFrom("suspend" as const, "reinstate" as const, "close" as const), who: fc.constantFrom(...ids) }),
      fc.record({
        kind: fc.constantFrom("addSigner" as const, "removeSigner" as const),
        who: fc.constantFrom(...ids),
        signer: fc.nat(WALLETS.length - 1),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const { registry } = await loadFixture(suiteFixture);
        const model = new Model();
        for (const id of ids) model.status.set(id, 1);
        for (const op of ops) {
          const legal = model.apply(op);
          const tx =
            op.kind === "addSigner"
              ? registry.addSigner(op.who, WALLETS[op.signer])
              : op.kind === "removeSigner"
                ? registry.removeSigner(op.who, WALLETS[op.signer])
                : registry[op.kind](op.who, reasonBytes("prop"));
          if (legal) await (await tx).wait();
          else await expect(tx).to.be.reverted;
        }
        for (const id of ids) expect((await registry.participant(id)).status).to.equal(BigInt(model.status.get(id)!));
        for (const [i, w] of WALLETS.entries()) {
          const owner = model.signerOf.get(i) ?? 0;
          const [pid, , status] = await registry.signerOf(w);
          expect(pid).to.equal(BigInt(owner));
          expect(status).to.equal(owner === 0 ? 0n : BigInt(model.status.get(owner)!));
          expect(await registry.isActiveSigner(w)).to.equal(owner !== 0 && model.status.get(owner) === 1);
        }
      }),
      { numRuns: propertyRuns(60) },
    );
  });
});
