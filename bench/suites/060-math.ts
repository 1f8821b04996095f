import path from "node:path";
import type { BenchSuite } from "../harness";
import { loadVectorFiles } from "../../lib/math";
import { RepoCaseJson, parseRepoInput, repoInputToContract } from "../../lib/repo";
import { PledgeCaseJson, parsePledgeInput, pledgeInputToContract } from "../../lib/pledge";

/**
 * Gas of the pure revaluation math (RepoMath.revalue, PledgeMath.value) on vector cases, measured inside the
 * harness with gasleft() around the library call, input already in memory: the per-deal math share of a
 * daily revaluation, before storage reads and events.
 */
const bench: BenchSuite = async ({ hre }) => {
  const vectors = path.join(__dirname, "..", "..", "test", "vectors");
  const repoCases = loadVectorFiles<RepoCaseJson>(path.join(vectors, "repo")).flatMap((f) => f.cases);
  const pledgeCases = loadVectorFiles<PledgeCaseJson>(path.join(vectors, "pledge")).flatMap((f) => f.cases);
  const repo = await hre.ethers.deployContract("RepoMathHarness");
  const pledge = await hre.ethers.deployContract("PledgeMathHarness");

  const repoGas = async (name: string) => {
    const c = repoCases.find((x) => x.name === name);
    if (!c) throw new Error(`bench vector "${name}" not found`);
    return Number((await repo.revalueGas(repoInputToContract(parseRepoInput(c.input))))[0]);
  };
  const pledgeGas = async (name: string) => {
    const c = pledgeCases.find((x) => x.name === name);
    if (!c) throw new Error(`bench vector "${name}" not found`);
    return Number((await pledge.valueGas(pledgeInputToContract(parsePledgeInput(c.input))))[0]);
  };

  return [
    {
      domain: "repo",
      operation: "revaluation math: equity, no margin, inside corridor",
      gas: await repoGas("30 days of interest, price unchanged: inside the corridor"),
    },
    {
      domain: "repo",
      operation: "revaluation math: equity, borrower call",
      gas: await repoGas("price falls to 230: borrower call in cash or shares"),
    },
    {
      domain: "repo",
      operation: "revaluation math: FX bond, 30/360 coupon, 2 cash margins, call",
      gas: await repoGas("USD bond in a RUB deal: rouble strengthens, borrower call"),
      note: "coupon schedule + day count + FX; share of the 35k gas/deal budget",
    },
    {
      domain: "repo",
      operation: "revaluation math: ACT/ACT ICMA month-end bond",
      gas: await repoGas("ACT/ACT ICMA bond issued at a month end (coupons 29 Feb / 31 Aug)"),
    },
    {
      domain: "pledge",
      operation: "valuation math: Liquidation with top-ups",
      gas: await pledgeGas("close 14: Liquidation with top-up sizes"),
    },
    {
      domain: "pledge",
      operation: "valuation math: 2 repayments",
      gas: await pledgeGas("a repayment smaller than the accrued interest pays interest only"),
    },
  ];
};
export default bench;
