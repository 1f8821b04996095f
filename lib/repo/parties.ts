import { Contract } from "ethers";
import type { PartiesResolver } from "../notify/parties";

const ABI = [
  "function terms(uint256) view returns (tuple(uint32 borrower, uint32 lender, address borrowerAccount, address lenderAccount, address security, uint96 quantity, bytes3 currency, uint128 purchasePrice, uint64 repoRate, uint16 basis, uint32 tradeDate, uint32 startDate, uint32 repurchaseDate, uint64 initialLtv, uint64 lowerTrigger, uint64 upperTrigger, uint8 marginDeadlineDays, uint128 minimumTransfer, uint64 cashMarginRate, bytes4 calendar, uint8 couponDayCount, uint8 marginMethod, uint64 marginRatio))",
];

/**
 * Repo events concern both parties of deal `dealId`: the borrower and the lender (participant ids) and their
 * accounts named in the terms. The terms come with `RepoProposed`; every later event reads them from the
 * book's `terms(id)` (they never change once proposed). Events without a deal (roles, upgrades) name no parties.
 */
export const repoParties: PartiesResolver = {
  contract: "RepoBook",
  async resolve(ev, ctx) {
    const args = ev.parsed.args;
    if (ev.parsed.fragment.inputs[0]?.name !== "dealId") return {};
    let t: { borrower: bigint; lender: bigint; borrowerAccount: string; lenderAccount: string };
    if (ev.event === "RepoProposed") t = args.terms;
    else {
      try {
        t = await new Contract(ev.address, ABI, ctx.provider).terms(args.dealId as bigint);
      } catch {
        return {}; // not a deal of this book (RepoUnknownDeal)
      }
    }
    return { ids: [Number(t.borrower), Number(t.lender)], addresses: [t.borrowerAccount, t.lenderAccount] };
  },
};
