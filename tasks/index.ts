// Registers every task file in this folder (one file per domain). Tasks stay thin: logic lives in lib/.
import fs from "node:fs";
import path from "node:path";

for (const file of fs.readdirSync(__dirname).sort()) {
  if (file === "index.ts" || !file.endsWith(".ts") || file.endsWith(".d.ts")) continue;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(__dirname, file));
}
