import type { Chapter } from "./story";
import { describeError } from "../../lib/core/task";
import { formatAmount, investorKey, labelBytes, regCfLimit } from "../../lib/quota";
import type { QuotaRegistry } from "../../typechain-types";

const chapter: Chapter = {
  title: "Crowdfunding: two platforms, one investor quota",
  async run(story) {
    const { hre, actors } = story;
    const { ethers } = hre;
    const quota = (await ethers.getContractAt(
      "QuotaRegistry",
      story.deployment.contracts.QuotaRegistry,
      actors.csd,
    )) as unknown as QuotaRegistry;

    story.say("The depository keys investors by a salted hash of their passport number; the chain never sees the");
    story.say("number. It sets the investor's yearly quota from the Reg CF rule (income 60,000, net worth 40,000):");
    const salt = ethers.id("depository secret salt");
    const key = investorKey(salt, "passport 4510 123456");
    const limit = regCfLimit({ income: 60_000_00n, netWorth: 40_000_00n, accredited: false });
    await (await quota.setQuota(key, limit)).wait();
    await (await quota.registerOffering(500_000_00n, 0, labelBytes("Green Farm seed round"))).wait();
    const offeringId = Number(await quota.offeringCount());
    const period = Number(await quota.currentPeriod());
    story.say(`quota ${formatAmount(limit)} for ${period}; offering ${offeringId} "Green Farm seed round", cap 500,000.00\n`);

    const a = quota.connect(actors.platformA);
    const b = quota.connect(actors.platformB);
    const row = async (event: string, result: string) => {
      const [consumed, reserved] = await quota.usageOf(key, period);
      return {
        event,
        result,
        consumed: formatAmount(consumed),
        reserved: formatAmount(reserved),
        available: formatAmount(await quota.availableOf(key, period)),
      };
    };
    const rows = [];
    await (await a.consume(ethers.id("A-order-1"), key, offeringId, 2_500_00n)).wait();
    rows.push(await row("Platform A: investment of 2,500.00", "consumed"));

    // Both platforms now try to use the last 500.00 at the same moment: the chain orders them.
    const expiry = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 900n;
    await ethers.provider.send("evm_setAutomine", [false]);
    const txA = await a.reserve(ethers.id("A-cart-7"), key, offeringId, 500_00n, expiry);
    const txB = await b.reserve(ethers.id("B-checkout-42"), key, offeringId, 500_00n, expiry, { gasLimit: 300_000 });
    await ethers.provider.send("evm_mine", []);
    await ethers.provider.send("evm_setAutomine", [true]);
    await txA.wait();
    rows.push(await row("Platform A: reserves the last 500.00", "reserved (first in the block)"));
    let refusal = "";
    try {
      await txB.wait();
    } catch {
      try {
        await b.reserve.staticCall(ethers.id("B-checkout-42"), key, offeringId, 500_00n, expiry);
      } catch (err) {
        const data = (err as { data?: string }).data;
        const parsed = data ? quota.interface.parseError(data) : null;
        refusal = parsed
          ? `${parsed.name}(investor ${String(parsed.args[0]).slice(0, 10)}…, requested ${formatAmount(parsed.args[1])}, available ${formatAmount(parsed.args[2])})`
          : ((await describeError(story.hre, err)) ?? String(err));
      }
    }
    rows.push(await row("Platform B: reserves 500.00 in the same block", refusal ? "REFUSED" : "?"));
    await (await a.confirm(ethers.id("A-cart-7"), key, offeringId, 500_00n)).wait();
    rows.push(await row("Platform A: payment received, confirms", "confirmed"));
    const retry = await (await a.confirm(ethers.id("A-cart-7"), key, offeringId, 500_00n)).wait();
    const replayed = retry!.logs.some((l) => quota.interface.parseLog(l)?.name === "QuotaReplayed");
    rows.push(await row("Platform A: its network timed out, sends the confirm again", replayed ? "replay, nothing counted twice" : "?"));
    story.table(rows, ["event", "result", "consumed", "reserved", "available"]);
    story.say(`\nPlatform B was told: ${refusal}`);
    story.state.quota = { investorKey: key, offeringId };
  },
};
export default chapter;
