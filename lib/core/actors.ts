import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";

/**
 * The cast shared by the demo, the benchmarks and the tests, mapped onto the development accounts of
 * the Hardhat network (20 funded accounts from the standard test mnemonic).
 */
export interface Actors {
  /** Consortium admin and the depository's operator (account 0). */
  csd: HardhatEthersSigner;
  /** The depository's second signer (settlement agent). */
  csdAgent: HardhatEthersSigner;
  bankA: HardhatEthersSigner;
  bankA2: HardhatEthersSigner;
  bankB: HardhatEthersSigner;
  broker: HardhatEthersSigner;
  platformA: HardhatEthersSigner;
  platformB: HardhatEthersSigner;
  oracle1: HardhatEthersSigner;
  oracle2: HardhatEthersSigner;
  investors: HardhatEthersSigner[];
  regulator: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
}

export function castActors(signers: HardhatEthersSigner[]): Actors {
  if (signers.length < 20) throw new Error(`the cast needs 20 accounts, the network has ${signers.length}`);
  return {
    csd: signers[0],
    csdAgent: signers[1],
    bankA: signers[2],
    bankA2: signers[3],
    bankB: signers[4],
    broker: signers[5],
    platformA: signers[6],
    platformB: signers[7],
    oracle1: signers[8],
    oracle2: signers[9],
    investors: signers.slice(10, 15),
    regulator: signers[15],
    stranger: signers[19],
  };
}
