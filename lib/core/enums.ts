import { UserError } from "./cli";

/** Names of `ParticipantKind`, in enum order. */
export const PARTICIPANT_KINDS = ["None", "Depository", "Bank", "Broker", "Platform", "Investor", "Oracle", "Regulator"] as const;
/** Names of `ParticipantStatus`, in enum order. */
export const PARTICIPANT_STATUSES = ["None", "Active", "Suspended", "Closed"] as const;

export type ParticipantKindName = (typeof PARTICIPANT_KINDS)[number];

/** Parses an enum name (case-insensitive) or index into its index. */
export function parseEnum(names: readonly string[], value: string | number, what: string, allowZero = false): number {
  const s = String(value).trim();
  const byName = names.findIndex((n) => n.toLowerCase() === s.toLowerCase());
  const idx = byName >= 0 ? byName : /^\d+$/.test(s) ? Number(s) : -1;
  if (idx < (allowZero ? 0 : 1) || idx >= names.length) {
    throw new UserError(`unknown ${what} "${value}": use one of ${names.slice(allowZero ? 0 : 1).join(", ")}`);
  }
  return idx;
}

export function enumName(names: readonly string[], index: bigint | number): string {
  return names[Number(index)] ?? `#${index}`;
}
