import type { BenchSuite } from "../harness";
import { tokensFixture } from "../../test/token/fixtures";
import { deployTrex } from "../../test/helpers/trex";

const ratio = (ours: number, theirs: number): string => (ours / theirs).toFixed(2);

/**
 * The tokens side by side with T-REX (ERC-3643) 4.1.6, deployed in the same run from its npm package with an
 * identity registry (one KYC claim topic, one trusted claim issuer), modular compliance with one country-allow
 * module, and two verified holders of an allowed country (test/helpers/trex.ts). Each pair is the same act on
 * holders that already hold the token: a transfer, a forced transfer from the free balance, and the first
 * partial freeze of a holder. T-REX runs without its proxies, so its figures are lower bounds.
 */
const bench: BenchSuite = async ({ hre, gasOf }) => {
  const { ethers } = hre;
  const f = await tokensFixture();
  const { investors, csd } = f.actors;
  const eq = f.equity;

  // Ours: the equity behind its beacon proxy, investors 0 and 1 both holders.
  await (await eq.connect(investors[0]).transfer(investors[1].address, 1n)).wait();
  const ourTransfer = await gasOf(eq.connect(investors[0]).transfer(investors[1].address, 10n));
  const ourForced = await gasOf(eq.connect(csd).forcedTransfer(investors[0].address, investors[1].address, 10n));
  const ourFreeze = await gasOf(eq.connect(csd).setFrozenTokens(investors[1].address, 5n));

  // T-REX: alice and bob verified, both holders.
  const signers = await ethers.getSigners();
  const [agent, claimSigner, alice, bob] = [signers[17], signers[18], signers[19], signers[15]];
  const trex = await deployTrex(agent, claimSigner);
  await trex.onboard(alice);
  await trex.onboard(bob);
  await (await trex.token.mint(alice.address, 1000n)).wait();
  await (await trex.token.connect(alice).transfer(bob.address, 1n)).wait();
  const trexTransfer = await gasOf(trex.token.connect(alice).transfer(bob.address, 10n));
  const trexForced = await gasOf(trex.token.forcedTransfer(alice.address, bob.address, 10n));
  const trexFreeze = await gasOf(trex.token.freezePartialTokens(bob.address, 5n));

  return [
    {
      domain: "t-rex",
      operation: "T-REX 4.1.6 transfer, verified holders",
      gas: trexTransfer,
      note: `security transfer ${ourTransfer.toLocaleString("en-US")} = ${ratio(ourTransfer, trexTransfer)} × T-REX`,
    },
    {
      domain: "t-rex",
      operation: "T-REX 4.1.6 forcedTransfer",
      gas: trexForced,
      note: `ERC-7943 forcedTransfer ${ourForced.toLocaleString("en-US")} = ${ratio(ourForced, trexForced)} × T-REX`,
    },
    {
      domain: "t-rex",
      operation: "T-REX 4.1.6 freezePartialTokens, first freeze",
      gas: trexFreeze,
      note: `ERC-7943 setFrozenTokens ${ourFreeze.toLocaleString("en-US")} = ${ratio(ourFreeze, trexFreeze)} × T-REX`,
    },
    {
      domain: "token",
      operation: "ERC-7943 forcedTransfer from free balance",
      gas: ourForced,
      budget: 70_000,
      note: `${ratio(ourForced, trexForced)} × T-REX forcedTransfer`,
    },
    {
      domain: "token",
      operation: "ERC-7943 setFrozenTokens, first freeze of a holder",
      gas: ourFreeze,
      note: `${ratio(ourFreeze, trexFreeze)} × T-REX freezePartialTokens`,
    },
  ];
};
export default bench;
