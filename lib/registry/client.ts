import type { ContractTransactionReceipt, Signer } from "ethers";
import { ethers } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { ParticipantRegistry } from "../../typechain-types";
import { PARTICIPANT_KINDS, PARTICIPANT_STATUSES, enumName, parseEnum } from "../core/enums";
import { UserError } from "../core/cli";
import { suiteAddress } from "../core/suite";

/** The deployed ParticipantRegistry of the selected network, for tasks and scripts. */
export async function registryAt(hre: HardhatRuntimeEnvironment, signer?: Signer): Promise<ParticipantRegistry> {
  return (await hre.ethers.getContractAt(
    "ParticipantRegistry",
    suiteAddress(hre, "ParticipantRegistry"),
    signer,
  )) as unknown as ParticipantRegistry;
}

export interface NewParticipant {
  kind: string | number;
  /** 0x-prefixed 32-byte hash of the identity document, or any text that is hashed (keccak256). */
  identity: string;
  jurisdiction: string;
  signers: string[];
}

export interface ParticipantView {
  id: number;
  kind: string;
  status: string;
  jurisdiction: string;
  identityHash: string;
  onboardedAt: string;
  signers: string[];
}

/** The identity hash: taken as is when 32-byte hex, else keccak256 of the UTF-8 text. */
export function identityHash(identity: string): string {
  return /^0x[0-9a-fA-F]{64}$/.test(identity) ? identity.toLowerCase() : ethers.keccak256(ethers.toUtf8Bytes(identity));
}

export function jurisdictionBytes(code: string): string {
  if (!/^[A-Za-z]{2}$/.test(code)) throw new UserError(`jurisdiction "${code}" is not an ISO 3166-1 alpha-2 code`);
  return ethers.hexlify(ethers.toUtf8Bytes(code.toUpperCase()));
}

export function reasonBytes(reason: string): string {
  if (reason.length > 31) throw new UserError(`reason "${reason}" is longer than 31 characters`);
  return ethers.encodeBytes32String(reason);
}

export function parseSigners(list: string | undefined): string[] {
  if (!list) return [];
  return list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      if (!ethers.isAddress(s)) throw new UserError(`signer "${s}" is not an address`);
      return ethers.getAddress(s);
    });
}

/** Onboards a participant and returns its id (read from the ParticipantAdded event). */
export async function addParticipant(
  registry: ParticipantRegistry,
  p: NewParticipant,
  from?: Signer,
): Promise<{ id: number; receipt: ContractTransactionReceipt }> {
  const r = from ? registry.connect(from) : registry;
  const tx = await r.addParticipant(
    parseEnum(PARTICIPANT_KINDS, p.kind, "participant kind"),
    identityHash(p.identity),
    jurisdictionBytes(p.jurisdiction),
    p.signers,
  );
  const receipt = (await tx.wait())!;
  const ev = receipt.logs
    .map((l) => {
      try {
        return registry.interface.parseLog(l);
      } catch {
        return null;
      }
    })
    .find((e) => e?.name === "ParticipantAdded");
  if (!ev) throw new Error("ParticipantAdded event missing from receipt");
  return { id: Number(ev.args.participantId), receipt };
}

export async function describeParticipant(registry: ParticipantRegistry, id: number): Promise<ParticipantView> {
  const [p, signers] = await Promise.all([registry.participant(id), registry.signersOf(id)]);
  return {
    id,
    kind: enumName(PARTICIPANT_KINDS, p.kind),
    status: enumName(PARTICIPANT_STATUSES, p.status),
    jurisdiction: ethers.toUtf8String(p.jurisdiction),
    identityHash: p.identityHash,
    onboardedAt: new Date(Number(p.onboardedAt) * 1000).toISOString(),
    signers: [...signers],
  };
}

export async function listParticipants(registry: ParticipantRegistry): Promise<ParticipantView[]> {
  const n = Number(await registry.participantCount());
  const out: ParticipantView[] = [];
  for (let id = 1; id <= n; id++) out.push(await describeParticipant(registry, id));
  return out;
}
