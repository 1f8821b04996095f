import type { Chapter } from "./story";
import { addParticipant, describeParticipant, reasonBytes } from "../../lib/registry";
import { checkAccount } from "../../lib/network/besu";
import type { ParticipantRegistry } from "../../typechain-types";

const chapter: Chapter = {
  title: "Onboarding: the depository admits its members",
  async run(story) {
    const { hre, actors } = story;
    const registry = (await hre.ethers.getContractAt(
      "ParticipantRegistry",
      story.deployment.contracts.ParticipantRegistry,
      actors.csd,
    )) as unknown as ParticipantRegistry;

    const cast: [string, string, string, string, string[]][] = [
      ["csd", "Depository", "National Settlement Depository", "RU", [actors.csd.address, actors.csdAgent.address]],
      ["bankA", "Bank", "Bank A (cash borrower)", "RU", [actors.bankA.address, actors.bankA2.address]],
      ["bankB", "Bank", "Bank B (cash lender)", "GB", [actors.bankB.address]],
      ["broker", "Broker", "Broker", "RU", [actors.broker.address]],
      ["platformA", "Platform", "Crowdfunding platform A", "CN", [actors.platformA.address]],
      ["platformB", "Platform", "Crowdfunding platform B", "CN", [actors.platformB.address]],
      ["oracle", "Oracle", "Market-data vendor", "RU", [actors.oracle1.address, actors.oracle2.address]],
      ["regulator", "Regulator", "Market regulator", "RU", [actors.regulator.address]],
    ];
    actors.investors.forEach((inv, i) => cast.push([`investor${i + 1}`, "Investor", `Investor ${i + 1}`, "RU", [inv.address]]));

    story.say("After off-chain KYC the depository registers each participant. The chain keeps a hash of the");
    story.say("identity document and the addresses that may act for the organisation — never the document.\n");
    const rows = [];
    const investorIds: number[] = [];
    for (const [key, kind, label, jurisdiction, signers] of cast) {
      const { id } = await addParticipant(registry, { kind, identity: `kyc-dossier:${label}`, jurisdiction, signers });
      if (kind === "Investor") investorIds.push(id);
      else story.ids[key] = id;
      signers.forEach((s, i) => story.names.set(s.toLowerCase(), signers.length > 1 ? `${label} #${i + 1}` : label));
      const v = await describeParticipant(registry, id);
      rows.push({
        id,
        participant: label,
        kind: v.kind,
        status: v.status,
        country: v.jurisdiction,
        signers: signers.length,
        identityHash: `${v.identityHash.slice(0, 14)}…`,
      });
    }
    story.ids.investors = investorIds;
    story.table(rows, ["id", "participant", "kind", "status", "country", "signers", "identityHash"]);

    story.say("\nBesu asks the account rules (through the ingress at the genesis address) before it admits any");
    story.say("transaction. The broker is suspended for a compliance review; its signer is refused at once,");
    story.say("a stranger is refused, and the depository's admin can never be locked out:\n");
    await (await registry.suspend(story.ids.broker as number, reasonBytes("compliance review"))).wait();
    const ingress = story.deployment.contracts.AccountIngress;
    const checks = [
      ["Bank A #1", actors.bankA.address],
      ["Broker (suspended)", actors.broker.address],
      ["Stranger (not onboarded)", actors.stranger.address],
      ["Consortium admin", actors.csd.address],
    ] as const;
    const answers = [];
    for (const [who, address] of checks) {
      const r = await checkAccount(hre.ethers.provider, ingress, address);
      answers.push({ sender: who, address: `${address.slice(0, 10)}…`, transactionAllowed: r.allowed ? "yes" : "REFUSED" });
    }
    story.table(answers);

    await (await registry.reinstate(story.ids.broker as number, reasonBytes("review closed"))).wait();
    const back = await checkAccount(hre.ethers.provider, ingress, actors.broker.address);
    story.say(`\nThe review closes and the broker is reinstated: transactionAllowed = ${back.allowed ? "yes" : "no"}.`);
    story.state.registry = await registry.getAddress();
  },
};
export default chapter;
