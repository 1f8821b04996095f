import fs from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Actors } from "../../lib/core/actors";
import type { DeploymentFile } from "../../lib/core/deployments";
import { formatTable } from "../../lib/core/cli";

/**
 * What the demo's chapters share: the runtime, the cast, the deployment, participant ids and a bag of
 * values earlier chapters leave for later ones. Chapters are files `scripts/demo/NN-name.ts`, run in order.
 */
export interface Story {
  hre: HardhatRuntimeEnvironment;
  actors: Actors;
  deployment: DeploymentFile;
  /** Folder for files the demo leaves behind (CSV, charts, reports, the deployments file). */
  outDir: string;
  /** Participant ids by role name (csd, bankA, …, investors). */
  ids: Record<string, number | number[]>;
  /** Values chapters pass on (token addresses, deal ids, …). */
  state: Record<string, unknown>;
  /** Human names for addresses, used by `who`. */
  names: Map<string, string>;
  heading(title: string): void;
  say(text: string): void;
  table(rows: Record<string, unknown>[], columns?: string[], title?: string): void;
  who(address: string): string;
}

export interface Chapter {
  title: string;
  run(story: Story): Promise<void>;
}

export function createStory(hre: HardhatRuntimeEnvironment, actors: Actors, deployment: DeploymentFile, outDir: string): Story {
  fs.mkdirSync(outDir, { recursive: true });
  const names = new Map<string, string>();
  let chapter = 0;
  const story: Story = {
    hre,
    actors,
    deployment,
    outDir,
    ids: {},
    state: {},
    names,
    heading(title) {
      chapter += 1;
      console.log(`\n━━━ ${chapter}. ${title} ${"━".repeat(Math.max(3, 70 - title.length))}\n`);
    },
    say(text) {
      console.log(text);
    },
    table(rows, columns, title) {
      console.log(formatTable(rows, columns, title));
    },
    who(address) {
      return names.get(address.toLowerCase()) ?? `${address.slice(0, 8)}…`;
    },
  };
  return story;
}

/** The chapters in `scripts/demo/`, in file order. */
export function loadChapters(): Chapter[] {
  return fs
    .readdirSync(__dirname)
    .filter((f) => /^\d{2,}-.*\.ts$/.test(f))
    .sort()
    .map((f) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(__dirname, f));
      return (mod.default ?? mod.chapter) as Chapter;
    });
}
