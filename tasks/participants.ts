import { task, types } from "hardhat/config";
import { action } from "../lib/core/task";
import { output, printTable, UserError } from "../lib/core/cli";
import { pickSigner } from "../lib/core/suite";

const COLUMNS = ["id", "kind", "status", "jurisdiction", "signers", "identityHash"];

function participantId(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UserError(`--id "${value}" is not a participant id (1, 2, …)`);
  return Number(value);
}

task("participants:add", "Onboards a participant after off-chain KYC (registrar)")
  .addParam("kind", "Depository, Bank, Broker, Platform, Investor, Oracle or Regulator", undefined, types.string)
  .addParam("identity", "Identity document hash (0x + 64 hex) or text to hash with keccak256", undefined, types.string)
  .addParam("jurisdiction", "ISO 3166-1 alpha-2 country code, e.g. RU", undefined, types.string)
  .addOptionalParam("signers", "Comma-separated signer addresses", "", types.string)
  .addOptionalParam("from", "Registrar: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { kind: string; identity: string; jurisdiction: string; signers: string; from?: string; json: boolean }, hre) => {
      const p = await import("../lib/registry");
      const signer = await pickSigner(hre, a.from);
      const registry = await p.registryAt(hre, signer);
      const { id, receipt } = await p.addParticipant(registry, {
        kind: a.kind,
        identity: a.identity,
        jurisdiction: a.jurisdiction,
        signers: p.parseSigners(a.signers),
      });
      const view = await p.describeParticipant(registry, id);
      output(a.json, { ...view, txHash: receipt.hash }, () =>
        printTable([view as unknown as Record<string, unknown>], COLUMNS, `participant ${id} onboarded (tx ${receipt.hash})`),
      );
    }),
  );

for (const [name, method, help] of [
  ["suspend", "suspend", "Suspends an active participant: its signers stop transacting (supervisor)"],
  ["reinstate", "reinstate", "Reinstates a suspended participant (supervisor)"],
  ["close", "close", "Closes a participant for good (supervisor)"],
] as const) {
  task(`participants:${name}`, help)
    .addParam("id", "Participant id", undefined, types.string)
    .addOptionalParam("reason", "Reason code (≤ 31 characters)", "", types.string)
    .addOptionalParam("from", "Supervisor: account index or address", undefined, types.string)
    .addFlag("json", "Print JSON")
    .setAction(
      action(async (a: { id: string; reason: string; from?: string; json: boolean }, hre) => {
        const p = await import("../lib/registry");
        const registry = await p.registryAt(hre, await pickSigner(hre, a.from));
        const id = participantId(a.id);
        const receipt = await (await registry[method](id, p.reasonBytes(a.reason))).wait();
        const view = await p.describeParticipant(registry, id);
        output(a.json, { ...view, txHash: receipt!.hash }, () =>
          printTable([view as unknown as Record<string, unknown>], COLUMNS, `participant ${id}: ${name} done (tx ${receipt!.hash})`),
        );
      }),
    );
}

for (const [name, method, help] of [
  ["add-signer", "addSigner", "Authorises an address to act for a participant (registrar)"],
  ["remove-signer", "removeSigner", "Revokes a signer without touching the participant (registrar)"],
] as const) {
  task(`participants:${name}`, help)
    .addParam("id", "Participant id", undefined, types.string)
    .addParam("signer", "Signer address", undefined, types.string)
    .addOptionalParam("from", "Registrar: account index or address", undefined, types.string)
    .addFlag("json", "Print JSON")
    .setAction(
      action(async (a: { id: string; signer: string; from?: string; json: boolean }, hre) => {
        const p = await import("../lib/registry");
        const registry = await p.registryAt(hre, await pickSigner(hre, a.from));
        const id = participantId(a.id);
        const [signer] = p.parseSigners(a.signer);
        const receipt = await (await registry[method](id, signer)).wait();
        const view = await p.describeParticipant(registry, id);
        output(a.json, { ...view, txHash: receipt!.hash }, () =>
          printTable([view as unknown as Record<string, unknown>], COLUMNS, `participant ${id}: ${name} ${signer} (tx ${receipt!.hash})`),
        );
      }),
    );
}

task("participants:show", "Shows a participant, or the participant an address acts for")
  .addOptionalParam("id", "Participant id", undefined, types.string)
  .addOptionalParam("address", "A signer address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { id?: string; address?: string; json: boolean }, hre) => {
      const p = await import("../lib/registry");
      const registry = await p.registryAt(hre);
      let id: number;
      if (a.id) id = participantId(a.id);
      else if (a.address) {
        const [addr] = p.parseSigners(a.address);
        id = Number((await registry.signerOf(addr)).participantId);
        if (id === 0) throw new UserError(`${addr} does not act for any participant`);
      } else throw new UserError("give --id or --address");
      const view = await p.describeParticipant(registry, id);
      output(a.json, view, () => printTable([view as unknown as Record<string, unknown>], COLUMNS));
    }),
  );

task("participants:list", "Lists every participant")
  .addOptionalParam("status", "Only this status (Active, Suspended, Closed)", undefined, types.string)
  .addOptionalParam("kind", "Only this kind", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { status?: string; kind?: string; json: boolean }, hre) => {
      const p = await import("../lib/registry");
      const all = await p.listParticipants(await p.registryAt(hre));
      const rows = all.filter(
        (x) =>
          (!a.status || x.status.toLowerCase() === a.status.toLowerCase()) && (!a.kind || x.kind.toLowerCase() === a.kind.toLowerCase()),
      );
      output(a.json, rows, () => printTable(rows as unknown as Record<string, unknown>[], COLUMNS, `${rows.length} participant(s)`));
    }),
  );
