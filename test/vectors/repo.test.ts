import { expect } from "chai";
import path from "node:path";
import { ethers } from "hardhat";
import { loadVectorFiles } from "../../lib/math";
import {
  RepoCaseJson,
  RepoOutput,
  parseRepoExpected,
  parseRepoInput,
  repoInputToContract,
  repoOutputFromContract,
  revalueRepo,
} from "../../lib/repo";
import type { RepoMathHarness } from "../../typechain-types";

const files = loadVectorFiles<RepoCaseJson>(path.join(__dirname, "repo"));

/** Fields the file states, compared one by one so a failure names the output. */
function compare(actual: RepoOutput, expected: Partial<RepoOutput>, who: string): void {
  for (const [key, value] of Object.entries(expected)) {
    expect(actual[key as keyof RepoOutput], `${who}: ${key}`).to.equal(value);
  }
}

describe("Repo vectors (test/vectors/repo)", function () {
  let harness: RepoMathHarness;

  before(async function () {
    harness = await ethers.deployContract("RepoMathHarness");
  });

  it("hold at least 20 cases", function () {
    expect(files.reduce((n, f) => n + f.cases.length, 0)).to.be.gte(20);
  });

  for (const file of files) {
    describe(file.file, function () {
      for (const c of file.cases) {
        it(c.name, async function () {
          const input = parseRepoInput(c.input);
          const expected = parseRepoExpected(c);
          const onChain = repoOutputFromContract(await harness.revalue(repoInputToContract(input)));
          const { output } = revalueRepo(input);
          compare(onChain, expected, "contract");
          compare(output, expected, "calculator");
          expect(output, "calculator equals contract in every field").to.deep.equal(onChain);
          if (expected.skippedHoliday) {
            expect(onChain.repurchasePrice + onChain.marketValue + onChain.ltv + onChain.callCash).to.equal(0n);
          }
        });
      }
    });
  }
});
