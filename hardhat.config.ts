import "dotenv/config";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig, NetworkUserConfig } from "hardhat/types";
import "@nomicfoundation/hardhat-toolbox";
import "@openzeppelin/hardhat-upgrades";
import path from "node:path";

import "./tasks";
import { besuAccounts } from "./lib/core/keys";

const SOLC_VERSION = "0.8.30";

// Compile with the solc-js build shipped in the `solc` npm package: a compile never downloads anything.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD).setAction(async ({ solcVersion }: { solcVersion: string }) => {
  if (solcVersion !== SOLC_VERSION) {
    throw new Error(`csd-ledger compiles with solc ${SOLC_VERSION} only (asked for ${solcVersion})`);
  }
  const compilerPath = require.resolve("solc/soljson.js");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const longVersion: string = require("solc").version();
  return { compilerPath, isSolcJs: true, version: solcVersion, longVersion };
});

function besuNetwork(): NetworkUserConfig {
  return {
    url: process.env.BESU_RPC_URL ?? "http://127.0.0.1:8545",
    chainId: Number(process.env.BESU_CHAIN_ID ?? 1337),
    gasPrice: 0,
    accounts: besuAccounts(),
  };
}

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
    },
  },
  defaultNetwork: "hardhat",
  networks: {
    hardhat: {
      // The same EVM rules as the production Besu network (cancunTime: 0, no Prague, no Osaka gas cap).
      hardfork: "cancun",
      // Contracts are small enough for mainnet limits; the flag only keeps coverage builds deployable.
      allowUnlimitedContractSize: process.env.SOLIDITY_COVERAGE === "true",
      mining: { auto: true },
    },
    localhost: {
      url: process.env.LOCALHOST_RPC_URL ?? "http://127.0.0.1:8545",
      timeout: 120_000,
    },
    besu: besuNetwork(),
  },
  paths: {
    sources: "contracts",
    tests: "test",
    cache: "cache",
    artifacts: "artifacts",
  },
  typechain: {
    outDir: "typechain-types",
    target: "ethers-v6",
  },
  mocha: {
    timeout: 300_000,
  },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "true",
    offline: true,
    currency: "USD",
    reportFormat: "terminal",
    outputFile: process.env.GAS_REPORT_FILE ? path.resolve(process.env.GAS_REPORT_FILE) : undefined,
    noColors: process.env.GAS_REPORT_FILE !== undefined,
  },
};

export default config;
