import { expect } from "chai";
import path from "node:path";
import { ethers } from "hardhat";
import { loadVectorFiles } from "../../lib/math";
import {
  PledgeCaseJson,
  PledgeOutput,
  initialPledgeRate,
  parsePledgeExpected,
  parsePledgeInitial,
  parsePledgeInput,
  pledgeInputToContract,
  pledgeOutputFromContract,
  valuePledge,
} from "../../lib/pledge";
import type { PledgeMathHarness } from "../../typechain-types";

const files = loadVectorFiles<PledgeCaseJson>(path.join(__dirname, "pledge"));

function compare(actual: PledgeOutput, expected: PledgeOutput, who: string): void {
  for (const [key, value] of Object.entries(expected)) {
    expect(actual[key as keyof PledgeOutput], `${who}: ${key}`).to.equal(value);
  }
}

describe("Pledge vectors (test/vectors/pledge)", function () {
  let harness: PledgeMathHarness;

  before(async function () {
    harness = await ethers.deployContract("PledgeMathHarness");
  });

  it("hold at least 12 cases covering all three levels", function () {
    const cases = files.flatMap((f) => f.cases);
    expect(cases.length).to.be.gte(12);
    expect(new Set(cases.filter((c) => c.expected.refused !== true).map((c) => c.expected.level))).to.have.keys(
      "Normal",
      "Warning",
      "Liquidation",
    );
  });

  for (const file of files) {
    describe(file.file, function () {
      for (const c of file.cases) {
        it(c.name, async function () {
          const input = parsePledgeInput(c.input);
          const t = input.terms;
          const initial = parsePledgeInitial(c);
          const [rate, above] = await harness.initialRate(
            t.principal,
            input.shares,
            input.initialPrice!,
            t.cashDecimals,
            input.maxInitialRate!,
          );
          const calc = initialPledgeRate(t.principal, input.shares, input.initialPrice!, t.cashDecimals, input.maxInitialRate);
          expect([rate, above], "contract: initial rate").to.deep.equal([initial.initialRate, initial.refused]);
          expect([calc.rate, calc.aboveCap], "calculator: initial rate").to.deep.equal([initial.initialRate, initial.refused]);
          if (initial.refused) return;
          const expected = parsePledgeExpected(c);
          const onChain = pledgeOutputFromContract(await harness.value(pledgeInputToContract(input)));
          const { output } = valuePledge(input);
          compare(onChain, expected, "contract");
          compare(output, expected, "calculator");
          expect(output).to.deep.equal(onChain);
        });
      }
    });
  }
});
