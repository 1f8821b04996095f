module.exports = {
  skipFiles: ["mocks/"],
  // Coverage instruments contracts in-process; end-to-end tests that start their own node skip themselves.
  mocha: { timeout: 600000 },
  configureYulOptimizer: true,
};
