import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { activeFixture, pushEquity, SIDE, WAD } from "../repo/fixtures";
import { participantsOf, registryLookup, type PartiesContext } from "../../lib/notify/parties";
import { repoParties as resolver } from "../../lib/repo";
import { readDeployment } from "../../lib/core/deployments";
import { deploymentContracts, fetchEvents, type SuiteEvent } from "../../lib/core/events";

/** The template deal (bank A borrows from bank B) with a margin call raised and settled in cash. */
async function calledDealFixture() {
  const f = await activeFixture();
  await pushEquity(f, f.days[5], 200n * WAD);
  await (await f.book.revalue([f.id], f.days[5])).wait();
  await (await f.book.connect(f.borrower).settleObligation(f.id, SIDE.Borrower, false)).wait();
  return f;
}

async function bookEvents(): Promise<{ events: SuiteEvent[]; ctx: PartiesContext }> {
  const deployment = readDeployment(hre.network.name)!;
  const followed = await deploymentContracts(hre, deployment, ["RepoBook"]);
  const events = await fetchEvents(ethers.provider, followed, deployment.block, await ethers.provider.getBlockNumber());
  const ctx = {
    provider: ethers.provider,
    deployment,
    participantOf: registryLookup(ethers.provider, deployment.contracts.ParticipantRegistry),
  };
  return { events, ctx };
}

describe("repo parties resolver (notifications)", function () {
  describe("resolve", function () {
    it("names the borrower and the lender and their accounts from the deal's terms", async function () {
      const f = await loadFixture(calledDealFixture);
      const { events, ctx } = await bookEvents();
      const raised = events.find((e) => e.event === "MarginCallRaised")!;
      expect(await resolver.resolve(raised, ctx)).to.deep.equal({
        ids: [f.ids.bankA, f.ids.bankB],
        addresses: [f.borrower.address, f.lender.address],
      });
    });

    it("takes the parties of a proposal from the event's own terms", async function () {
      const f = await loadFixture(calledDealFixture);
      const { events, ctx } = await bookEvents();
      const proposed = events.find((e) => e.event === "RepoProposed")!;
      expect((await resolver.resolve(proposed, { ...ctx, provider: undefined as never })).ids).to.deep.equal([f.ids.bankA, f.ids.bankB]);
    });

    it("names no parties for an event without a deal, or a deal the book does not hold", async function () {
      await loadFixture(calledDealFixture);
      const { events, ctx } = await bookEvents();
      const role = events.find((e) => e.event === "RoleGranted")!;
      expect(await resolver.resolve(role, ctx)).to.deep.equal({});
      const raised = events.find((e) => e.event === "MarginCallRaised")!;
      const other = { ...raised, parsed: { ...raised.parsed, args: Object.assign([], { dealId: 99n }) } } as unknown as SuiteEvent;
      expect(await resolver.resolve(other, ctx)).to.deep.equal({});
    });
  });

  describe("participantsOf", function () {
    it("sends the revaluation, the margin call and its settlement to both banks", async function () {
      const f = await loadFixture(calledDealFixture);
      const { events, ctx } = await bookEvents();
      for (const name of ["RepoRevalued", "MarginCallRaised", "MarginCallSettled"]) {
        const ev = events.find((e) => e.event === name)!;
        expect(await participantsOf(ev, ctx), name).to.deep.equal([f.ids.bankA, f.ids.bankB].sort((a, b) => a - b));
      }
    });

    it("adds the agent to the parties of its acceptance", async function () {
      const f = await loadFixture(calledDealFixture);
      const { events, ctx } = await bookEvents();
      const accepted = events.find((e) => e.event === "RepoAccepted")!;
      expect(await participantsOf(accepted, ctx)).to.deep.equal([f.ids.csd, f.ids.bankA, f.ids.bankB].sort((a, b) => a - b));
    });
  });
});
