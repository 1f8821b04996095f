/**
 * `npx hardhat oracle:close --calendar XMOS --date 2026-12-01`: checks the arguments, simulates the close and
 * refuses with the decoded custom error without sending anything, or sends it.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { UserError } from "../core/cli";
import { isoToDay } from "../core/dates";
import { closeBusinessDate, CloseOutcome, CloseRefusedError } from "./close";
import { oracleAt } from "./contracts";
import { calendarToBytes4 } from "./ids";
import { operatorSigner } from "./signer";

export interface CloseArgs {
  calendar: string;
  date: string;
  keystore?: string;
  from?: string;
}

export async function runCloseCommand(hre: HardhatRuntimeEnvironment, a: CloseArgs): Promise<CloseOutcome> {
  try {
    calendarToBytes4(a.calendar);
  } catch (err) {
    throw new UserError(`--calendar: ${(err as Error).message}`);
  }
  let date: number;
  try {
    date = isoToDay(a.date);
  } catch {
    throw new UserError(`--date "${a.date}" is not a date (YYYY-MM-DD)`);
  }
  const signer = await operatorSigner(hre, { keystore: a.keystore, from: a.from });
  const oracle = await oracleAt(hre, signer);
  try {
    return await closeBusinessDate(oracle, a.calendar, date);
  } catch (err) {
    if (err instanceof CloseRefusedError) throw new UserError(err.message);
    throw err;
  }
}
