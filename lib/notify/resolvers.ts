/**
 * The books' parties resolvers: who a book's event concerns beyond its own arguments. Each book exports its
 * resolver from its folder (`lib/<book>/parties.ts`); a new book adds its own to this list.
 */
import type { PartiesResolver } from "./parties";
import { pledgeParties } from "../pledge/parties";
import { repoParties } from "../repo/parties";

export const BOOK_RESOLVERS: readonly PartiesResolver[] = [pledgeParties, repoParties];
