import type { BenchSuite } from "../harness";
import { tokensFixture } from "../../test/token/fixtures";
import type { Trade } from "../../lib/tokens";
import { dayOfTimestamp } from "../../lib/core/dates";

/** Tokenized securities and cash: transfers through the beacon proxy, encumbrances, forced moves, DvP. */
const bench: BenchSuite = async ({ hre, gasOf }) => {
  const f = await tokensFixture();
  const { ethers } = hre;
  const { investors, bankA, bankB, csd } = f.actors;
  const reason = ethers.encodeBytes32String("bench");
  const eq = f.equity;

  await (await eq.connect(investors[0]).transfer(investors[1].address, 1n)).wait();
  const transfer = await gasOf(eq.connect(investors[0]).transfer(investors[1].address, 10n));
  const fresh = await gasOf(eq.connect(investors[0]).transfer(investors[3].address, 10n));
  const encNew = await gasOf(eq.connect(f.locker).encumber(investors[1].address, 1n, 100n));
  const encTop = await gasOf(eq.connect(f.locker).encumber(investors[1].address, 1n, 50n));
  const relPart = await gasOf(eq.connect(f.locker).release(investors[1].address, 1n, 50n));
  const relAll = await gasOf(eq.connect(f.locker).release(investors[1].address, 1n, 100n));
  await (await eq.connect(f.locker).encumber(investors[1].address, 2n, 100n)).wait();
  const moveKeep = await gasOf(eq.connect(f.locker).moveEncumbered(investors[1].address, investors[2].address, 2n, 40n, true));
  const force = await gasOf(eq.connect(csd).forceTransfer(investors[1].address, investors[2].address, 30n, f.locker.address, 2n, reason));
  const forceFree = await gasOf(
    eq.connect(csd).forceTransfer(investors[1].address, investors[2].address, 30n, ethers.ZeroAddress, 0n, reason),
  );

  // DvP: bank A sells 100 bonds to bank B for 100,000.00 RUB, settling tomorrow.
  const today = dayOfTimestamp((await ethers.provider.getBlock("latest"))!.timestamp);
  const trade: Trade = {
    security: await f.bond.getAddress(),
    quantity: 100n,
    cash: await f.cash.getAddress(),
    amount: 10_000_000n,
    seller: bankA.address,
    buyer: bankB.address,
    settlementDate: today + 1,
    tradeRef: ethers.encodeBytes32String("bench-1"),
  };
  // Both banks already hold both tokens, as in a settled market (the fresh-holder case is measured after).
  await (await f.bond.connect(csd).mint(bankB.address, 1n, reason)).wait();
  await (await f.cash.connect(csd).mint(bankA.address, 1n, reason)).wait();
  const instruct1 = await gasOf(f.dvp.connect(bankA).instruct(trade));
  const instruct2 = await gasOf(f.dvp.connect(bankB).instruct(trade));
  await hre.network.provider.send("evm_increaseTime", [86_400]);
  const settle = await gasOf(f.dvp.connect(bankB).settle(trade));
  const sameDay = { ...trade, settlementDate: today + 1, tradeRef: ethers.encodeBytes32String("bench-2") };
  await (await f.dvp.connect(bankA).instruct(sameDay)).wait();
  const matchSettle = await gasOf(f.dvp.connect(bankB).instruct(sameDay));
  // Fresh holders: investor 4 sells equity to investor 5, who holds cash but no equity; investor 4 holds no cash.
  const [, , , inv4, inv5] = investors;
  await (await eq.connect(csd).mint(inv4.address, 10n, reason)).wait();
  await (await f.cash.connect(csd).mint(inv5.address, 100_000n, reason)).wait();
  const freshTrade: Trade = {
    ...trade,
    security: await eq.getAddress(),
    quantity: 10n,
    amount: 50_000n,
    seller: inv4.address,
    buyer: inv5.address,
    settlementDate: today + 2,
    tradeRef: ethers.encodeBytes32String("bench-3"),
  };
  await (await f.dvp.connect(inv4).instruct(freshTrade)).wait();
  await (await f.dvp.connect(inv5).instruct(freshTrade)).wait();
  await hre.network.provider.send("evm_increaseTime", [86_400]);
  const settleFresh = await gasOf(f.dvp.connect(inv5).settle(freshTrade));

  return [
    {
      domain: "token",
      operation: "security transfer, existing holders (beacon proxy)",
      gas: transfer,
      budget: 55_000,
      note: "T-REX: see the t-rex rows",
    },
    {
      domain: "token",
      operation: "security transfer to a fresh holder",
      gas: fresh,
      budget: 82_000,
      note: "≤ 1.6 × OZ fresh-holder transfer",
    },
    {
      domain: "token",
      operation: "encumber, new purpose (lock operator tx)",
      gas: encNew,
      budget: 50_000,
      note: "new slot 22,100",
    },
    { domain: "token", operation: "encumber, existing purpose (top-up)", gas: encTop, budget: 50_000 },
    { domain: "token", operation: "release, partial", gas: relPart, budget: 50_000 },
    { domain: "token", operation: "release, whole purpose", gas: relAll, budget: 50_000 },
    { domain: "token", operation: "move encumbered, kept encumbered at receiver", gas: moveKeep },
    {
      domain: "token",
      operation: "force-transfer consuming an encumbrance",
      gas: force,
      budget: 70_000,
      note: "T-REX: see the t-rex rows",
    },
    { domain: "token", operation: "force-transfer from free balance", gas: forceFree, budget: 70_000 },
    { domain: "dvp", operation: "instruct, first side", gas: instruct1 },
    { domain: "dvp", operation: "instruct, matching side (future date)", gas: instruct2 },
    { domain: "dvp", operation: "settle two legs, existing holders", gas: settle, budget: 120_000 },
    {
      domain: "dvp",
      operation: "settle two legs, both receivers fresh holders",
      gas: settleFresh,
      note: "two new balance slots: 2 × 17,100 more",
    },
    { domain: "dvp", operation: "matching instruction that settles at once", gas: matchSettle },
  ];
};
export default bench;
