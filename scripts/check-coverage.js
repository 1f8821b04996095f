#!/usr/bin/env node
// Enforces the coverage thresholds over contracts/ (mocks excluded) from coverage/coverage-summary.json
// or coverage.json written by solidity-coverage. Exits non-zero below any threshold.
const fs = require("node:fs");
const path = require("node:path");

const THRESHOLDS = { lines: 95, statements: 95, functions: 95, branches: 90 };
const file = path.resolve(__dirname, "..", "coverage.json");
if (!fs.existsSync(file)) {
  console.error("coverage.json not found: run `npx hardhat coverage` first");
  process.exit(1);
}
const data = JSON.parse(fs.readFileSync(file, "utf8"));
const totals = { lines: [0, 0], statements: [0, 0], functions: [0, 0], branches: [0, 0] };
const perFile = [];
for (const [name, cov] of Object.entries(data)) {
  const rel = path.relative(path.resolve(__dirname, ".."), name).replace(/\\/g, "/");
  if (!rel.startsWith("contracts/") || rel.startsWith("contracts/mocks/")) continue;
  const s = Object.values(cov.s);
  const f = Object.values(cov.f);
  const b = Object.values(cov.b).flat();
  const l = Object.values(cov.l);
  const row = {
    file: rel,
    statements: [s.filter((x) => x > 0).length, s.length],
    functions: [f.filter((x) => x > 0).length, f.length],
    branches: [b.filter((x) => x > 0).length, b.length],
    lines: [l.filter((x) => x > 0).length, l.length],
  };
  for (const k of Object.keys(totals)) {
    totals[k][0] += row[k][0];
    totals[k][1] += row[k][1];
  }
  perFile.push(row);
}
const pct = ([hit, all]) => (all === 0 ? 100 : (100 * hit) / all);
let failed = false;
console.log("coverage over contracts/ (mocks excluded):");
for (const [k, min] of Object.entries(THRESHOLDS)) {
  const p = pct(totals[k]);
  const ok = p >= min;
  failed ||= !ok;
  console.log(`  ${k.padEnd(10)} ${p.toFixed(2).padStart(6)}% (${totals[k][0]}/${totals[k][1]})  threshold ${min}%  ${ok ? "ok" : "BELOW"}`);
}
const weak = perFile.filter((r) => pct(r.branches) < 90 || pct(r.lines) < 95);
if (weak.length) {
  console.log("files below the thresholds on their own:");
  for (const r of weak) console.log(`  ${r.file}: lines ${pct(r.lines).toFixed(1)}%, branches ${pct(r.branches).toFixed(1)}%`);
}
if (failed) {
  console.error("coverage below threshold");
  process.exit(1);
}
