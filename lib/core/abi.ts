/**
 * ABI entries that ethers can read. The external functions of a linked library name their struct and enum
 * types (`PledgeMath.Level`) instead of ABI types; ethers prints a warning for each such fragment, into the
 * standard output of a task's `--json`. Events and errors of a library always use ABI types and are kept.
 */
type AbiParam = { type: string; components?: readonly AbiParam[] };
type AbiEntry = { type: string; inputs?: readonly AbiParam[]; outputs?: readonly AbiParam[] };

export function readableAbi<T extends AbiEntry>(abi: readonly T[]): T[] {
  const abiType = (p: AbiParam): boolean => !p.type.includes(".") && (p.components ?? []).every(abiType);
  return abi.filter((f) => [...(f.inputs ?? []), ...(f.outputs ?? [])].every(abiType));
}
