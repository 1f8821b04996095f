import type { BenchSuite } from "../harness";
import { investorKey, labelBytes } from "../../lib/quota";
import type { QuotaRegistry } from "../../typechain-types";

/** Crowdfunding quota registry: steady-state platform operations (investor and offering already in use). */
const bench: BenchSuite = async ({ hre, suite, gasOf }) => {
  const { ethers } = hre;
  const { actors } = suite;
  const quota = (await ethers.getContractAt("QuotaRegistry", suite.contracts.QuotaRegistry, actors.csd)) as unknown as QuotaRegistry;
  const salt = ethers.id("bench-salt");
  const keys = Array.from({ length: 101 }, (_, i) => investorKey(salt, `investor-${i}`));
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
    { domain: "quota", operation: "batch consume", gas: Math.round(batch / 100), items: 100, budget: 12_000 },
    { domain: "quota", operation: "batch consume, all-or-nothing", gas: Math.round(atomic / 100), items: 100, budget: 12_000 },
  ];
};
export default bench;
