import hre from "hardhat";

/**
 * How many random cases a property test runs: all of them in `npm test`; a fifth (at least 3) under coverage,
 * whose instrumented contracts run several times slower and which needs each path reached, not every sample.
 */
export function propertyRuns(n: number): number {
  const covering = (hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING;
  return covering ? Math.max(3, Math.ceil(n / 5)) : n;
}
