/**
 * The books' replayers, in the order `audit:replay` reports them. Each book exports its replayer from its
 * folder (`lib/<book>/replay.ts`); a new book adds its own to this list.
 */
import type { Replayer } from "./replay";
import { pledgeReplayer } from "../pledge/replay";
import { repoReplayer } from "../repo/replay";

export const BOOK_REPLAYERS: readonly Replayer[] = [pledgeReplayer, repoReplayer];
