import { task, types } from "hardhat/config";
import { action, compileIfNeeded } from "../lib/core/task";
import { output, printTable } from "../lib/core/cli";
import { pickSigner, suiteAddress } from "../lib/core/suite";

task("suite:deploy", "Deploys every csd-ledger contract (or reuses what is deployed), wires roles, writes deployments/<network>.json")
  .addOptionalParam("from", "Deployer: account index or address", undefined, types.string)
  .addFlag("fresh", "Deploy everything anew, ignoring the recorded deployment (kept as a .bak copy)")
  .addFlag("json", "Print the deployment as JSON")
  .setAction(
    action(async (args: { from?: string; fresh: boolean; json: boolean }, hre) => {
      const { deploySuite } = await import("../lib/deploy/suite");
      await compileIfNeeded(hre);
      const deployer = await pickSigner(hre, args.from);
      const file = await deploySuite(hre, { deployer, fresh: args.fresh, log: args.json ? undefined : (m) => console.log(m) });
      output(args.json, file, () => {
        printTable(
          Object.entries(file.contracts).map(([name, address]) => ({
            contract: name,
            address,
            implementation: file.implementations[name] ?? "",
          })),
          ["contract", "address", "implementation"],
          `\ncsd-ledger on ${file.network} (chain ${file.chainId}, from block ${file.block})`,
        );
      });
    }),
  );

task("suite:upgrade", "Upgrades a UUPS singleton to a new implementation; a storage-layout break is refused")
  .addParam("contract", "Deployed name, e.g. ParticipantRegistry", undefined, types.string)
  .addOptionalParam("implementation", "Contract to upgrade to (default: same name)", undefined, types.string)
  .addOptionalParam("from", "Consortium admin: account index or address", undefined, types.string)
  .addFlag("prepare", "Only validate and deploy the implementation; print the call for a timelock or multisig")
  .addFlag("json", "Print the result as JSON")
  .setAction(
    action(async (args: { contract: string; implementation?: string; from?: string; prepare: boolean; json: boolean }, hre) => {
      const { upgradeSingleton } = await import("../lib/deploy/upgrade");
      await compileIfNeeded(hre);
      const proxy = suiteAddress(hre, args.contract);
      const signer = await pickSigner(hre, args.from);
      const result = await upgradeSingleton(hre, {
        name: args.contract,
        proxy,
        implementation: args.implementation ?? args.contract,
        signer,
        prepareOnly: args.prepare,
      });
      output(args.json, result, () => printTable([result as unknown as Record<string, unknown>]));
    }),
  );
