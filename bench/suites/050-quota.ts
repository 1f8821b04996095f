import type { BenchSuite } from "../harness";
import { committedTree, investorKey, labelBytes } from "../../lib/quota";
import type { QuotaRegistry } from "../../typechain-types";

/** Crowdfunding quota registry: steady-state platform operations (investor and offering already in use). */
const bench: BenchSuite = async ({ hre, suite, gasOf }) => {
  const { ethers } = hre;
  const { actors } = suite;
  const quota = (await ethers.getContractAt("QuotaRegistry", suite.contracts.QuotaRegistry, actors.csd)) as unknown as QuotaRegistry;
  const salt = ethers.id("bench-salt");
  const keys = Array.from({ length: 201 }, (_, i) => investorKey(salt, `investor-${i}`));
  for (const k of keys) await (await quota.setQuota(k, 1_000_000_00n)).wait();
  await (await quota.registerOffering(10n ** 15n, 0, labelBytes("bench"))).wait();
  const p = quota.connect(actors.platformA);
  const expiry = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 86_400n;
  let n = 0;
  const ref = () => ethers.id(`bench-${n++}`);
  // Warm-up: every investor's period slot and the offering already hold usage, as in steady state.
  for (let i = 0; i < keys.length; i += 50) {
    await (
      await p.execute(
        keys.slice(i, i + 50).map((k) => ({ op: 3, ref: ref(), investorKey: k, offeringId: 1, amount: 1n, expiry: 0n })),
        false,
      )
    ).wait();
  }

  const consume = await gasOf(p.consume(ref(), keys[0], 1, 100n));
  const r = ref();
  const reserve = await gasOf(p.reserve(r, keys[0], 1, 100n, expiry));
  const confirm = await gasOf(p.confirm(r, keys[0], 1, 100n));
  const retry = await gasOf(p.consume(r, keys[0], 1, 100n).catch(() => p.reserve(r, keys[0], 1, 100n, expiry)));
  const batchOps = keys.slice(1, 101).map((k) => ({ op: 3, ref: ref(), investorKey: k, offeringId: 1, amount: 100n, expiry: 0n }));
  const batch = await gasOf(p.execute(batchOps, false));
  const atomic = await gasOf(
    p.execute(
      keys.slice(1, 101).map((k) => ({ op: 3, ref: ref(), investorKey: k, offeringId: 1, amount: 100n, expiry: 0n })),
      true,
    ),
  );

  // Committed batches over 100 other investors (a cold usage slot each, already holding usage): sequence
  // references 0..99 (status words 0 and 1, both fresh), then 100..199 (word 1 already written by the first
  // batch, words 2 and 3 fresh), then 200..299 reservations.
  const platformId = (await suite.registry.signerOf(actors.platformA.address))[0];
  const committed = (reserve: boolean) =>
    keys.slice(101, 201).map((k) => ({ investorKey: k, offeringId: 1, amount: 100n, expiry: reserve ? expiry : 0n }));
  const batchItems = committed(false);
  const committedGas = await gasOf(p.executeCommitted(0n, batchItems, false));
  const committedAtomic = await gasOf(p.executeCommitted(100n, committed(false), true));
  const reserveItems = committed(true);
  const committedReserve = await gasOf(p.executeCommitted(200n, reserveItems, false));
  const committedReplay = await gasOf(p.executeCommitted(0n, batchItems, false));
  const tree = committedTree(platformId, 200n, reserveItems);
  const followUp = await gasOf(p.confirmCommitted(200n + 37n, 200n, reserveItems[37], tree.proof(37)));
  const allButOne = (1n << 100n) - 1n - (1n << 37n);
  const bulkConfirm = await gasOf(p.settleCommittedBatch(1, 200n, reserveItems, allButOne));
  const refundTree = committedTree(platformId, 0n, batchItems);
  const refund = await gasOf(p.refundCommitted(5n, 0n, batchItems[5], refundTree.proof(5)));

  // Lapsed reservations freed by someone who is not the platform: a single reference and a committed item.
  const lapsing = ref();
  const soon = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 60n;
  await (await p.reserve(lapsing, keys[2], 1, 100n, soon)).wait();
  const lapsingItems = keys.slice(101, 105).map((k) => ({ investorKey: k, offeringId: 1, amount: 100n, expiry: soon }));
  await (await p.executeCommitted(300n, lapsingItems, false)).wait();
  await ethers.provider.send("evm_increaseTime", [120]);
  await ethers.provider.send("evm_mine", []);
  const anyone = quota.connect(actors.stranger);
  const expireByStranger = await gasOf(anyone.expire(platformId, lapsing, keys[2], 1, 100n));
  const lapsingTree = committedTree(platformId, 300n, lapsingItems);
  const expireCommittedByStranger = await gasOf(anyone.expireCommitted(platformId, 301n, 300n, lapsingItems[1], lapsingTree.proof(1)));

  // Reg CF (rolling twelve months, library QuotaRegCf). Investor x invests on 12 days, 20 days apart; y on the
  // last 11 of them. The issuer has already sold today (its day entry is in its header) when the rows are taken.
  const regcf = await ethers.getContractAt("IQuotaRegCf", suite.contracts.QuotaRegistry, actors.csd);
  await (await regcf.registerRegCfOffering(7, 10n ** 15n, 0, labelBytes("bench reg cf"))).wait();
  const cf = Number(await quota.offeringCount()) + 2 ** 31;
  await (await regcf.setIssuerCap(10n ** 15n)).wait();
  const [x, y, z] = [keys[150], keys[151], keys[152]];
  const day = async (days: number) => {
    await ethers.provider.send("evm_increaseTime", [days * 86_400]);
    await ethers.provider.send("evm_mine", []);
  };
  for (let i = 0; i < 12; i++) {
    await (await p.consume(ref(), x, cf, 100n)).wait();
    if (i > 0) await (await p.consume(ref(), y, cf, 100n)).wait();
    await day(20);
  }
  await (await p.consume(ref(), z, cf, 100n)).wait(); // the issuer's first sale of the day
  // x: 12 days in the window, the 12th moves to list index 11, the second half of a word already written.
  const cfTwelve = await gasOf(p.consume(ref(), x, cf, 100n));
  // y: 11 days, the 11th moves to list index 10, which opens a fresh word.
  const cfFresh = await gasOf(p.consume(ref(), y, cf, 100n));
  const cfSameDay = await gasOf(p.consume(ref(), x, cf, 100n));
  await day(366);
  await (await p.consume(ref(), z, cf, 100n)).wait();
  // x: all 13 investment days (12 in the list, 1 in the header) leave the window in this consume.
  const cfExpire = await gasOf(p.consume(ref(), x, cf, 100n));
  const cfBudget = Math.floor(consume * 1.3);

  return [
    {
      domain: "quota",
      operation: "consume (single tx)",
      gas: consume,
      budget: 55_000,
      note: "fresh reference slot 22.1k + registry call ~10k + proxy ~5k",
    },
    { domain: "quota", operation: "reserve (single tx)", gas: reserve },
    { domain: "quota", operation: "confirm (single tx)", gas: confirm },
    {
      domain: "quota",
      operation: "reserve + confirm",
      gas: reserve + confirm,
      budget: Math.floor(consume * 1.5),
      note: `${((reserve + confirm) / consume).toFixed(2)}× consume (budget 1.5×)`,
    },
    { domain: "quota", operation: "identical retry (replay, no change)", gas: retry },
    {
      domain: "quota",
      operation: "batch consume, per-reference path execute()",
      gas: Math.round(batch / 100),
      items: 100,
      note: "a fresh reference slot per item (22.1k): use executeCommitted for bulk",
    },
    {
      domain: "quota",
      operation: "batch consume, per-reference path, all-or-nothing",
      gas: Math.round(atomic / 100),
      items: 100,
    },
    {
      domain: "quota",
      operation: "batch consume, committed (fresh status words)",
      gas: Math.round(committedGas / 100),
      items: 100,
      budget: 12_000,
      note: "investors already hold usage; 2 new status words + 2 batch slots",
    },
    {
      domain: "quota",
      operation: "batch consume, committed, all-or-nothing (one status word already in use)",
      gas: Math.round(committedAtomic / 100),
      items: 100,
      budget: 12_000,
      note: "word 1 shared with the previous batch, words 2 and 3 fresh",
    },
    { domain: "quota", operation: "batch reserve, committed", gas: Math.round(committedReserve / 100), items: 100 },
    { domain: "quota", operation: "committed batch identical retry (replay)", gas: Math.round(committedReplay / 100), items: 100 },
    { domain: "quota", operation: "confirm committed item with proof (7 hashes)", gas: followUp },
    { domain: "quota", operation: "refund committed item with proof (7 hashes)", gas: refund },
    {
      domain: "quota",
      operation: "confirm committed items in bulk, all items resent",
      gas: Math.round(bulkConfirm / 99),
      items: 99,
      note: "settleCommittedBatch: 99 of the 100 reservations",
    },
    { domain: "quota", operation: "expire a lapsed reservation, by a stranger (single tx)", gas: expireByStranger },
    {
      domain: "quota",
      operation: "expire a lapsed committed item with its proof, by a stranger",
      gas: expireCommittedByStranger,
      note: "proof of 2 hashes (batch of 4)",
    },
    {
      domain: "quota",
      operation: "consume, Reg CF, 12 investment days in the window",
      gas: cfTwelve,
      budget: cfBudget,
      note: `${(cfTwelve / consume).toFixed(2)}× consume; entry into a word already written`,
    },
    {
      domain: "quota",
      operation: "consume, Reg CF, 11 days in the window, entry opens a fresh word",
      gas: cfFresh,
      budget: cfBudget,
      // Floor: the list word is new storage (zero to non-zero, 22,100 with the cold read) where the word of the row
      // above is rewritten (2,900). An investor whose window holds more investment days than it ever did needs, in
      // any layout, storage that was zero for the new day.
      note: `${(cfFresh / consume).toFixed(2)}× consume; every other new investment day; ${cfFresh - 19_200} (${(
        (cfFresh - 19_200) /
        consume
      ).toFixed(2)}×) without the fresh word's 19,200 premium, the floor above the budget`,
    },
    { domain: "quota", operation: "consume, Reg CF, same day as the investor's last", gas: cfSameDay },
    {
      domain: "quota",
      operation: "consume, Reg CF, 13 investment days leave the window",
      gas: cfExpire,
      note: "drops 12 list entries (6 words) and the header's day",
    },
  ];
};
export default bench;
