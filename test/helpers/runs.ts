import hre from "hardhat";

/**
 * How many random cases a property test runs: all of them in `npm test`; a fifth (at least 3) under coverage,
 * whose instrumented contracts run several times slower and which needs each path reached, not every sample.
 */
export function propertyRuns(n: number): number {
  return underCoverage() ? Math.max(3, Math.ceil(n / 5)) : n;
}

/** True while `hardhat coverage` runs the tests against instrumented contracts. */
export function underCoverage(): boolean {
  return (hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING === true;
}

/**
 * Skips a suite under coverage: for suites whose subject is the operator tooling (the price-push tool, the
 * Hardhat tasks), whose contract paths the contracts' own suites reach, and which run in full in `npm test`.
 * Call it from the suite's `before`.
 */
export function skipUnderCoverage(ctx: Mocha.Context): void {
  if (underCoverage()) ctx.skip();
}
