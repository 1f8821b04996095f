import { Contract } from "ethers";
import type { PartiesResolver } from "../notify/parties";

const ABI = [
  "function pledgeWords(uint256) view returns (bytes32[5] words, address[4] accounts)",
  "function brokerOf(uint32) view returns (uint32)",
];

/** Pledge events concern the pledger, its authorised broker and the pledgee of the pledge `id`. */
export const pledgeParties: PartiesResolver = {
  contract: "PledgeBook",
  async resolve(ev, ctx) {
    const id = ev.parsed.args.id as bigint | undefined;
    if (ev.parsed.fragment.inputs[0]?.name !== "id" || id === undefined) return {};
    const { decodePledge } = await import("./client");
    const book = new Contract(ev.address, ABI, ctx.provider);
    const [words, accounts] = await book.pledgeWords(id);
    const p = decodePledge(id, words, accounts);
    if (p.status === "None") return {};
    const investor = await ctx.participantOf(p.pledger);
    const broker = investor === 0 ? 0 : Number(await book.brokerOf(investor));
    return { addresses: [p.pledger, p.pledgee], ids: broker === 0 ? [] : [broker] };
  },
};
