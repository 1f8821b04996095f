#!/usr/bin/env node
// Holds every deployable contract (mocks excluded) to 85 % of the EIP-170 size limit (24,576 bytes), so each
// has room for the next feature without squeezing. Reads the compiled artifacts; run after `hardhat compile`.
const fs = require("node:fs");
const path = require("node:path");

const LIMIT = 24576;
const SHARE = 0.85;
const ceiling = Math.floor(LIMIT * SHARE);
const root = path.resolve(__dirname, "..", "artifacts", "contracts");
if (!fs.existsSync(root)) {
  console.error("artifacts/contracts not found: run `npx hardhat compile` first");
  process.exit(1);
}

const rows = [];
(function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path.relative(root, full) !== "mocks") walk(full);
    } else if (entry.name.endsWith(".json") && !entry.name.endsWith(".dbg.json")) {
      const artifact = JSON.parse(fs.readFileSync(full, "utf8"));
      const bytes = (artifact.deployedBytecode.length - 2) / 2;
      if (bytes > 0) rows.push({ name: artifact.contractName, bytes });
    }
  }
})(root);

rows.sort((a, b) => b.bytes - a.bytes);
let failed = 0;
for (const { name, bytes } of rows) {
  const over = bytes > ceiling;
  if (over) failed++;
  const share = ((bytes / LIMIT) * 100).toFixed(1).padStart(5);
  console.log(`${over ? "OVER" : "  ok"}  ${name.padEnd(28)} ${String(bytes).padStart(6)} bytes  ${share} %`);
}
console.log(`ceiling ${ceiling} bytes (${SHARE * 100} % of ${LIMIT}); ${rows.length} contracts, ${failed} over`);
process.exit(failed ? 1 : 0);
