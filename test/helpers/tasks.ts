import hre from "hardhat";

/** Runs a task in process with `--json` and returns what it printed, parsed. */
export async function runJson(name: string, args: Record<string, unknown>): Promise<any> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    await hre.run(name, { ...args, json: true });
  } finally {
    console.log = log;
  }
  return JSON.parse(lines.join("\n"));
}
