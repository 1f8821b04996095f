import type { BenchSuite } from "../harness";
import { reasonBytes } from "../../lib/registry";
import { ACCOUNT_INGRESS_ADDRESS } from "../../lib/network/besu";

/** Participant registry and Besu permissioning. */
const bench: BenchSuite = async ({ hre, suite, gasOf }) => {
  const { registry, actors } = suite;
  const { ethers } = hre;
  const fresh = () => ethers.Wallet.createRandom().address;

  const add1 = await gasOf(registry.addParticipant(5, ethers.id("bench-investor"), "0x5255", [fresh()]));
  const add3 = await gasOf(registry.addParticipant(2, ethers.id("bench-bank"), "0x5255", [fresh(), fresh(), fresh()]));
  const bankId = await registry.participantCount();
  const addSigner = await gasOf(registry.addSigner(bankId, fresh()));
  const suspend = await gasOf(registry.suspend(bankId, reasonBytes("bench")));

  // Hot-path lookup as another contract pays it: first with the registry cold, then warm with a cold slot.
  const probe = await ethers.deployContract("RegistryProbe");
  const receipt = await (await probe.measure(await registry.getAddress(), actors.bankA.address, actors.bankB.address)).wait();
  const ev = probe.interface.parseLog(receipt!.logs[0])!;
  const firstCall = Number(ev.args.firstCall);
  const warmCold = Number(ev.args.warmContractColdSlot);

  const ingress = await suite.accountIngress.getAddress();
  const data = suite.accountIngress.interface.encodeFunctionData("transactionAllowed", [
    actors.bankA.address,
    ethers.ZeroAddress,
    0,
    0,
    0,
    "0x",
  ]);
  const check = Number(await ethers.provider.estimateGas({ to: ingress, data })) - 21_000;

  return [
    { domain: "registry", operation: "onboard participant with 1 signer", gas: add1 },
    { domain: "registry", operation: "onboard participant with 3 signers", gas: add3 },
    { domain: "registry", operation: "add signer", gas: addSigner },
    { domain: "registry", operation: "suspend participant with 4 signers", gas: suspend },
    {
      domain: "registry",
      operation: "signer lookup from a contract, registry warm, slot cold",
      gas: warmCold,
      budget: 2_600,
      note: "one cold SLOAD behind the proxy",
    },
    {
      domain: "registry",
      operation: "signer lookup from a contract, first call of the tx",
      gas: firstCall,
      note: "adds cold access to proxy and implementation (2 × 2,600) and the implementation slot (2,100)",
    },
    {
      domain: "network",
      operation: "transactionAllowed via ingress (Besu's check)",
      gas: check,
      note: `eth_estimateGas less 21,000; genesis address ${ACCOUNT_INGRESS_ADDRESS}`,
    },
  ];
};
export default bench;
