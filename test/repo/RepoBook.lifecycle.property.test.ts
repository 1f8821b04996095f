import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { proposedFixture, STATUS } from "./fixtures";
import { REASON } from "../token/fixtures";
import { signTerms } from "../../lib/repo";
import { propertyRuns } from "../helpers/runs";

type OpName =
  | "signBorrower"
  | "signLender"
  | "accept"
  | "acceptByStranger"
  | "openOnChain"
  | "openOffChain"
  | "cancelByBorrower"
  | "cancelByAgent"
  | "cancelByStranger"
  | "agreeBorrower"
  | "agreeLender"
  | "closeOnChain"
  | "closeOffChain"
  | "closeOut";

/** The deal's lifecycle as a sequential model: which calls are legal from which state. */
class LifecycleModel {
  status: number = STATUS.Proposed;
  signedB = false;
  signedL = false;
  agreedB = false;
  agreedL = false;
  onChain = false;

  /** Applies `op` if it is legal and says whether it was. */
  apply(op: OpName): boolean {
    const open = [STATUS.Proposed, STATUS.Signed, STATUS.Accepted] as number[];
    switch (op) {
      case "signBorrower":
      case "signLender": {
        const mine = op === "signBorrower" ? "signedB" : "signedL";
        if (this.status !== STATUS.Proposed || this[mine]) return false;
        this[mine] = true;
        if (this.signedB && this.signedL) this.status = STATUS.Signed;
        return true;
      }
      case "accept":
        if (this.status !== STATUS.Signed) return false;
        this.status = STATUS.Accepted;
        return true;
      case "openOnChain":
      case "openOffChain":
        if (this.status !== STATUS.Accepted) return false;
        this.status = STATUS.Active;
        this.onChain = op === "openOnChain";
        return true;
      case "cancelByBorrower":
      case "cancelByAgent":
        if (!open.includes(this.status)) return false;
        this.status = STATUS.Cancelled;
        return true;
      case "agreeBorrower":
      case "agreeLender": {
        const mine = op === "agreeBorrower" ? "agreedB" : "agreedL";
        if (this.status !== STATUS.Active || this[mine]) return false;
        this[mine] = true;
        return true;
      }
      case "closeOnChain":
      case "closeOffChain":
        // Before the repurchase date the closing leg needs both parties' agreement to terminate.
        if (this.status !== STATUS.Active || this.onChain !== (op === "closeOnChain") || !(this.agreedB && this.agreedL)) return false;
        this.status = STATUS.Terminated;
        return true;
      case "acceptByStranger":
      case "cancelByStranger":
      case "closeOut":
        return false;
    }
  }
}

const OPS: OpName[] = [
  "signBorrower",
  "signLender",
  "accept",
  "acceptByStranger",
  "openOnChain",
  "openOffChain",
  "cancelByBorrower",
  "cancelByAgent",
  "cancelByStranger",
  "agreeBorrower",
  "agreeLender",
  "closeOnChain",
  "closeOffChain",
  "closeOut",
];

/** The template deal proposed, with the borrower funded to pay interest at an early closing leg. */
async function fundedProposalFixture() {
  const f = await proposedFixture();
  await (await f.cash.mint(f.borrower.address, 1_000_000_00n, REASON)).wait();
  return f;
}

describe("RepoBook lifecycle (property)", function () {
  it("only legal state transitions happen; a refused call changes nothing", async function () {
    await fc.assert(
      // A random prefix of the happy path first, so sequences reach every state, then random calls.
      fc.asyncProperty(
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        fc.array(fc.constantFrom(...OPS), { minLength: 3, maxLength: 12 }),
        async (k, onChain, tail) => {
          const happy: OpName[] = ["signBorrower", "signLender", "accept", onChain ? "openOnChain" : "openOffChain"];
          const ops = [...happy.slice(0, k), ...tail];
          const f = await loadFixture(fundedProposalFixture);
          const { book, id, borrower, lender, agent, stranger } = f;
          const model = new LifecycleModel();
          const call = async (op: OpName) => {
            const deadline = BigInt((await time.latest()) + 3600);
            switch (op) {
              case "signBorrower":
              case "signLender": {
                const sig = await signTerms(book, op === "signBorrower" ? borrower : lender, id, deadline);
                return book.sign(id, sig.signer, deadline, sig.signature);
              }
              case "accept":
                return book.connect(agent).accept(id);
              case "acceptByStranger":
                return book.connect(stranger).accept(id);
              case "openOnChain":
                return book.connect(agent).settleOpening(id);
              case "openOffChain":
                return book.connect(agent).confirmOpening(id, ethers.encodeBytes32String("off-chain"));
              case "cancelByBorrower":
                return book.connect(borrower).cancel(id);
              case "cancelByAgent":
                return book.connect(agent).cancel(id);
              case "cancelByStranger":
                return book.connect(stranger).cancel(id);
              case "agreeBorrower":
                return book.connect(borrower).agreeTermination(id);
              case "agreeLender":
                return book.connect(lender).agreeTermination(id);
              case "closeOnChain":
                return book.connect(agent).settleRepurchase(id);
              case "closeOffChain":
                return book.connect(agent).confirmRepurchase(id);
              case "closeOut":
                return book.connect(agent).closeOutDefault(id, true, ethers.encodeBytes32String("x"));
            }
          };
          for (const op of ops) {
            const before = await book.dealState(id);
            if (model.apply(op)) {
              await (await call(op)).wait();
            } else {
              await expect(call(op), op).to.be.reverted;
              expect(await book.dealState(id), `${op} refused but changed the deal`).to.deep.equal(before);
            }
            const v = await book.dealState(id);
            expect(Number(v.status), `status after ${op}`).to.equal(model.status);
            expect([v.borrowerSigned, v.lenderSigned, v.borrowerAgreedTermination, v.lenderAgreedTermination]).to.deep.equal([
              model.signedB,
              model.signedL,
              model.agreedB,
              model.agreedL,
            ]);
          }
        },
      ),
      { numRuns: propertyRuns(60), examples: [[3, false, ["openOnChain", "agreeLender", "agreeBorrower", "closeOnChain"]]] },
    );
  });
});
