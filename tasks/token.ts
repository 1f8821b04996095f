import { task, types } from "hardhat/config";
import { action } from "../lib/core/task";
import { output, printTable, UserError } from "../lib/core/cli";
import { pickSigner } from "../lib/core/suite";

const ZERO = "0x0000000000000000000000000000000000000000";

function address(value: string, what: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw new UserError(`${what} "${value}" is not an address`);
  return value;
}

function dealId(value: string): bigint {
  if (!/^\d+$/.test(value)) throw new UserError(`--deal "${value}" is not a deal id (0, 1, 2, …)`);
  return BigInt(value);
}

task("token:issue", "Issues a security (equity or bond) or a cash token through the token factory (issuer)")
  .addParam("type", "security or cash", "security", types.string)
  .addParam("name", "Token name", undefined, types.string)
  .addParam("symbol", "Token symbol", undefined, types.string)
  .addOptionalParam("decimals", "Decimals of the token's units (0 for shares and bonds in pieces)", 0, types.int)
  .addParam("currency", "ISO 4217 currency, e.g. RUB", undefined, types.string)
  .addOptionalParam("isin", "Security: ISIN with its check digit, e.g. RU0009029540", undefined, types.string)
  .addOptionalParam("kind", "Security: Equity or Bond", "Equity", types.string)
  .addOptionalParam("face", "Bond: face value of one whole token in the currency, e.g. 1000", undefined, types.string)
  .addOptionalParam("coupon", "Bond: annual coupon rate in percent, e.g. 7.1", "0", types.string)
  .addOptionalParam("frequency", "Bond: coupons per year (0, 1, 2, 4, 12)", 2, types.int)
  .addOptionalParam("issueDate", "Bond: issue date YYYY-MM-DD", undefined, types.string)
  .addOptionalParam("maturity", "Bond: maturity date YYYY-MM-DD", undefined, types.string)
  .addOptionalParam(
    "dayCount",
    "Bond: day-count convention (Thirty360BondBasis, Thirty360E, Thirty360EIsda, Act360, Act365Fixed, ActActIcma)",
    "Thirty360BondBasis",
    types.string,
  )
  .addOptionalParam("from", "Issuer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(
      async (
        a: {
          type: string;
          name: string;
          symbol: string;
          decimals: number;
          currency: string;
          isin?: string;
          kind: string;
          face?: string;
          coupon: string;
          frequency: number;
          issueDate?: string;
          maturity?: string;
          dayCount: string;
          from?: string;
          json: boolean;
        },
        hre,
      ) => {
        const t = await import("../lib/tokens");
        const factory = await t.factoryAt(hre, await pickSigner(hre, a.from));
        if (a.decimals < 0 || a.decimals > 18) throw new UserError(`--decimals ${a.decimals} is not between 0 and 18`);
        let result: { address: string; receipt: { hash: string } };
        if (a.type === "cash") {
          result = await t.issueCash(factory, { name: a.name, symbol: a.symbol, decimals: a.decimals, currency: a.currency });
        } else if (a.type === "security") {
          if (!a.isin) throw new UserError("a security needs --isin");
          const instrument = t.buildInstrument({
            isin: a.isin,
            kind: a.kind,
            currency: a.currency,
            faceValue: a.face,
            couponPercent: a.coupon,
            couponFrequency: a.frequency,
            issueDate: a.issueDate,
            maturityDate: a.maturity,
            dayCount: a.dayCount,
          });
          result = await t.issueSecurity(factory, { name: a.name, symbol: a.symbol, decimals: a.decimals, instrument });
        } else throw new UserError(`--type "${a.type}" is not security or cash`);
        const row = {
          type: a.type,
          symbol: a.symbol,
          decimals: a.decimals,
          currency: a.currency.toUpperCase(),
          isin: a.isin ?? "",
          token: result.address,
        };
        output(a.json, { ...row, txHash: result.receipt.hash }, () => printTable([row], undefined, `issued (tx ${result.receipt.hash})`));
      },
    ),
  );

/** Agent operations that take a holder, an amount and a reason. */
for (const [name, method, help] of [
  ["mint", "mint", "Credits a holder on deposit of the asset (agent)"],
  ["burn", "burn", "Debits a holder's free units on withdrawal (agent)"],
] as const) {
  task(`token:${name}`, help)
    .addParam("token", "Token address, ISIN or currency code", undefined, types.string)
    .addParam("to", "Holder address", undefined, types.string)
    .addParam("amount", "Amount in whole units, decimals allowed up to the token's", undefined, types.string)
    .addOptionalParam("reason", "Reason code (≤ 31 characters)", "", types.string)
    .addOptionalParam("from", "Agent: account index or address", undefined, types.string)
    .addFlag("json", "Print JSON")
    .setAction(
      action(async (a: { token: string; to: string; amount: string; reason: string; from?: string; json: boolean }, hre) => {
        const t = await import("../lib/tokens");
        const { reasonBytes } = await import("../lib/registry");
        const tok = await t.resolveToken(hre, a.token, await pickSigner(hre, a.from));
        const amount = t.parseAmount(a.amount, tok.decimals);
        const receipt = (await (await tok.token[method](address(a.to, "--to"), amount, reasonBytes(a.reason))).wait())!;
        const row = {
          token: tok.symbol,
          holder: a.to,
          amount: a.amount,
          balance: t.formatAmount(await tok.token.balanceOf(a.to), tok.decimals),
        };
        output(a.json, { ...row, txHash: receipt.hash }, () => printTable([row], undefined, `${name} done (tx ${receipt.hash})`));
      }),
    );
}

task("token:transfer", "Transfers free units to another participant (holder)")
  .addParam("token", "Token address, ISIN or currency code", undefined, types.string)
  .addParam("to", "Receiver address", undefined, types.string)
  .addParam("amount", "Amount in whole units", undefined, types.string)
  .addOptionalParam("from", "Sender: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { token: string; to: string; amount: string; from?: string; json: boolean }, hre) => {
      const t = await import("../lib/tokens");
      const signer = await pickSigner(hre, a.from);
      const tok = await t.resolveToken(hre, a.token, signer);
      const receipt = (await (await tok.token.transfer(address(a.to, "--to"), t.parseAmount(a.amount, tok.decimals))).wait())!;
      const from = await signer.getAddress();
      const rows = [from, a.to].map((h) => ({ holder: h }));
      for (const r of rows as Record<string, unknown>[])
        r.balance = t.formatAmount(await tok.token.balanceOf(r.holder as string), tok.decimals);
      output(a.json, { rows, txHash: receipt.hash }, () =>
        printTable(rows, undefined, `${a.amount} ${tok.symbol} transferred (tx ${receipt.hash})`),
      );
    }),
  );

for (const [name, method, help] of [
  ["freeze", "freeze", "Freezes an account: it neither sends nor receives (agent)"],
  ["unfreeze", "unfreeze", "Lifts a freeze (agent)"],
] as const) {
  task(`token:${name}`, help)
    .addParam("token", "Token address, ISIN or currency code", undefined, types.string)
    .addParam("account", "Account address", undefined, types.string)
    .addOptionalParam("reason", "Reason code (≤ 31 characters)", "", types.string)
    .addOptionalParam("from", "Agent: account index or address", undefined, types.string)
    .addFlag("json", "Print JSON")
    .setAction(
      action(async (a: { token: string; account: string; reason: string; from?: string; json: boolean }, hre) => {
        const t = await import("../lib/tokens");
        const { reasonBytes } = await import("../lib/registry");
        const tok = await t.resolveToken(hre, a.token, await pickSigner(hre, a.from));
        const receipt = (await (await tok.token[method](address(a.account, "--account"), reasonBytes(a.reason))).wait())!;
        const row = { token: tok.symbol, account: a.account, frozen: await tok.token.isFrozen(a.account), reason: a.reason };
        output(a.json, { ...row, txHash: receipt.hash }, () => printTable([row], undefined, `${name} done (tx ${receipt.hash})`));
      }),
    );
}

for (const [name, method, help] of [
  ["encumber", "agentEncumber", "Locks a holder's free units under a depository purpose (agent; lock operators call the contract)"],
  ["release", "agentRelease", "Frees units locked under a depository purpose (agent)"],
] as const) {
  task(`token:${name}`, help)
    .addParam("token", "Token address, ISIN or currency code", undefined, types.string)
    .addParam("holder", "Holder address", undefined, types.string)
    .addParam("deal", "Purpose id within the depository's purposes, e.g. a court order number", undefined, types.string)
    .addParam("amount", "Amount in whole units", undefined, types.string)
    .addOptionalParam("from", "Agent: account index or address", undefined, types.string)
    .addFlag("json", "Print JSON")
    .setAction(
      action(async (a: { token: string; holder: string; deal: string; amount: string; from?: string; json: boolean }, hre) => {
        const t = await import("../lib/tokens");
        const tok = await t.resolveToken(hre, a.token, await pickSigner(hre, a.from));
        const holder = address(a.holder, "--holder");
        const receipt = (await (await tok.token[method](holder, dealId(a.deal), t.parseAmount(a.amount, tok.decimals))).wait())!;
        const row = {
          token: tok.symbol,
          holder,
          purpose: `depository #${a.deal}`,
          encumbered: t.formatAmount(await tok.token.encumbered(holder, tok.address, dealId(a.deal)), tok.decimals),
          free: t.formatAmount(await tok.token.freeBalance(holder), tok.decimals),
        };
        output(a.json, { ...row, txHash: receipt.hash }, () => printTable([row], undefined, `${name} done (tx ${receipt.hash})`));
      }),
    );
}

task("token:force-transfer", "Moves units without the holder (court order, enforcement), optionally consuming an encumbrance (agent)")
  .addParam("token", "Token address, ISIN or currency code", undefined, types.string)
  .addParam("holder", "Holder debited", undefined, types.string)
  .addParam("to", "Holder credited", undefined, types.string)
  .addParam("amount", "Amount in whole units", undefined, types.string)
  .addOptionalParam("locker", "Locker of the encumbrance to consume (the token address for depository purposes)", ZERO, types.string)
  .addOptionalParam("deal", "Deal id of the encumbrance to consume", "0", types.string)
  .addOptionalParam("reason", "Reason code (≤ 31 characters)", "", types.string)
  .addOptionalParam("from", "Agent: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(
      async (
        a: {
          token: string;
          holder: string;
          to: string;
          amount: string;
          locker: string;
          deal: string;
          reason: string;
          from?: string;
          json: boolean;
        },
        hre,
      ) => {
        const t = await import("../lib/tokens");
        const { reasonBytes } = await import("../lib/registry");
        const tok = await t.resolveToken(hre, a.token, await pickSigner(hre, a.from));
        const receipt = (await (
          await tok.token.forceTransfer(
            address(a.holder, "--holder"),
            address(a.to, "--to"),
            t.parseAmount(a.amount, tok.decimals),
            address(a.locker, "--locker"),
            dealId(a.deal),
            reasonBytes(a.reason),
          )
        ).wait())!;
        const rows: Record<string, unknown>[] = [];
        for (const h of [a.holder, a.to]) {
          rows.push({
            holder: h,
            balance: t.formatAmount(await tok.token.balanceOf(h), tok.decimals),
            encumbered: t.formatAmount(await tok.token.totalEncumbered(h), tok.decimals),
          });
        }
        output(a.json, { rows, txHash: receipt.hash }, () =>
          printTable(rows, undefined, `forced transfer of ${a.amount} ${tok.symbol} (tx ${receipt.hash})`),
        );
      },
    ),
  );

task("token:show", "Shows a token: instrument, holders with balances, encumbrances by purpose")
  .addOptionalParam("token", "Token address, ISIN or currency code (default: list every token)", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(
    action(async (a: { token?: string; json: boolean }, hre) => {
      const t = await import("../lib/tokens");
      const { dayToIso } = await import("../lib/core/dates");
      if (!a.token) {
        const factory = await t.factoryAt(hre);
        const rows: Record<string, unknown>[] = [];
        for (const address of [...(await factory.securities()), ...(await factory.cashTokens())]) {
          const tok = await t.resolveToken(hre, address);
          rows.push({
            type: tok.type,
            symbol: tok.symbol,
            name: await tok.token.name(),
            decimals: tok.decimals,
            currency: t.bytesToText(await tok.token.currency()),
            isin: tok.type === "Security" ? t.bytesToText(await tok.token.isin()) : "",
            supply: t.formatAmount(await tok.token.totalSupply(), tok.decimals),
            paused: await tok.token.paused(),
            token: address,
          });
        }
        output(a.json, rows, () => printTable(rows, undefined, `${rows.length} token(s)`));
        return;
      }
      const tok = await t.resolveToken(hre, a.token);
      const info: Record<string, unknown> = {
        type: tok.type,
        symbol: tok.symbol,
        name: await tok.token.name(),
        decimals: tok.decimals,
        currency: t.bytesToText(await tok.token.currency()),
        supply: t.formatAmount(await tok.token.totalSupply(), tok.decimals),
        paused: await tok.token.paused(),
        token: tok.address,
      };
      if (tok.type === "Security") {
        const i = await tok.token.instrument();
        info.isin = t.bytesToText(i.isin);
        info.kind = t.INSTRUMENT_KINDS[Number(i.kind)];
        if (Number(i.kind) === 2) {
          info.faceValue = t.formatAmount(i.faceValue, 18);
          info.couponPercent = t.formatAmount(i.couponRate, 16);
          info.couponFrequency = Number(i.couponFrequency);
          info.issueDate = dayToIso(Number(i.issueDate));
          info.maturityDate = dayToIso(Number(i.maturityDate));
          info.dayCount = t.DAY_COUNTS[Number(i.dayCount)];
        }
      }
      const { holders, encumbrances } = await t.holdingsOf(tok.token);
      const fmt = (v: bigint) => t.formatAmount(v, tok.decimals);
      const holderRows = holders.map((h) => ({
        holder: h.holder,
        balance: fmt(h.balance),
        encumbered: fmt(h.encumbered),
        free: fmt(h.free),
        frozen: h.frozen ? "FROZEN" : "",
      }));
      const encRows = encumbrances.map((e) => ({
        holder: e.holder,
        locker: e.locker.toLowerCase() === tok.address.toLowerCase() ? "depository" : e.locker,
        dealId: e.dealId,
        amount: fmt(e.amount),
      }));
      output(a.json, { ...info, holders: holderRows, encumbrances: encRows }, () => {
        printTable([info], Object.keys(info));
        printTable(holderRows, ["holder", "balance", "encumbered", "free", "frozen"], "holders");
        printTable(encRows, ["holder", "locker", "dealId", "amount"], "encumbrances by purpose");
      });
    }),
  );

/* DvP */

function addTradeParams<T>(t: ReturnType<typeof task>) {
  return t
    .addParam("security", "Security token: address or ISIN", undefined, types.string)
    .addParam("quantity", "Units of the security", undefined, types.string)
    .addParam("cash", "Cash token: address or currency code", undefined, types.string)
    .addParam("amount", "Cash amount in whole units (e.g. 100000.50)", undefined, types.string)
    .addParam("seller", "Seller's holder address", undefined, types.string)
    .addParam("buyer", "Buyer's holder address", undefined, types.string)
    .addParam("date", "Settlement date YYYY-MM-DD", undefined, types.string)
    .addParam("ref", "Trade reference (≤ 31 characters)", undefined, types.string)
    .addOptionalParam("from", "Acting signer: account index or address", undefined, types.string)
    .addFlag("json", "Print JSON") as unknown as T;
}

interface TradeArgs {
  security: string;
  quantity: string;
  cash: string;
  amount: string;
  seller: string;
  buyer: string;
  date: string;
  ref: string;
  from?: string;
  json: boolean;
}

async function tradeOf(hre: Parameters<Parameters<typeof action>[0]>[1], a: TradeArgs) {
  const t = await import("../lib/tokens");
  const { isoToDay } = await import("../lib/core/dates");
  const sec = await t.resolveToken(hre, a.security);
  const cash = await t.resolveToken(hre, a.cash);
  if (sec.type !== "Security") throw new UserError(`--security ${a.security} is not a security token`);
  if (cash.type !== "Cash") throw new UserError(`--cash ${a.cash} is not a cash token`);
  let settlementDate: number;
  try {
    settlementDate = isoToDay(a.date);
  } catch (e) {
    throw new UserError(`--date: ${(e as Error).message}`);
  }
  return {
    security: sec.address,
    quantity: t.parseAmount(a.quantity, sec.decimals, "--quantity"),
    cash: cash.address,
    amount: t.parseAmount(a.amount, cash.decimals, "--amount"),
    seller: address(a.seller, "--seller"),
    buyer: address(a.buyer, "--buyer"),
    settlementDate,
    tradeRef: t.tradeRefBytes(a.ref),
  };
}

addTradeParams<ReturnType<typeof task>>(
  task("dvp:instruct", "Instructs one side of a DvP trade; settles at once when it matches on or after its date"),
)
  .addOptionalParam(
    "counterpartySigner",
    "Instruct both sides: account index or address of the counterparty's signer, who signs here (EIP-712)",
    undefined,
    types.string,
  )
  .addOptionalParam("validFor", "Signature validity in seconds", 3600, types.int)
  .setAction(
    action(async (a: TradeArgs & { counterpartySigner?: string; validFor: number }, hre) => {
      const t = await import("../lib/tokens");
      const signer = await pickSigner(hre, a.from);
      const dvp = await t.dvpAt(hre, signer);
      const trade = await tradeOf(hre, a);
      let tx;
      if (a.counterpartySigner !== undefined) {
        const cp = await pickSigner(hre, a.counterpartySigner);
        const now = (await hre.ethers.provider.getBlock("latest"))!.timestamp;
        const deadline = BigInt(now + a.validFor);
        const sig = await t.signInstruction(dvp, cp, trade, deadline);
        tx = dvp.instructWithSignature(trade, await cp.getAddress(), deadline, sig);
      } else tx = dvp.instruct(trade);
      const receipt = (await (await tx).wait())!;
      const id = await dvp.tradeId(trade);
      const st = await dvp.tradeState(id);
      const row = {
        tradeId: id,
        status: t.TRADE_STATUSES[Number(st.status)],
        seller: st.sellerInstructed ? "instructed" : "-",
        buyer: st.buyerInstructed ? "instructed" : "-",
      };
      output(a.json, { ...row, trade: t.describeTrade(trade), txHash: receipt.hash }, () =>
        printTable([row], undefined, `instruction recorded (tx ${receipt.hash})`),
      );
    }),
  );

for (const [name, method, help] of [
  ["settle", "settle", "Settles a matched DvP trade on or after its date: both legs or nothing (anyone)"],
  ["cancel", "cancel", "Cancels an unsettled DvP trade (a party before match or after expiry; the operator any time)"],
] as const) {
  addTradeParams<ReturnType<typeof task>>(task(`dvp:${name}`, help)).setAction(
    action(async (a: TradeArgs, hre) => {
      const t = await import("../lib/tokens");
      const dvp = await t.dvpAt(hre, await pickSigner(hre, a.from));
      const trade = await tradeOf(hre, a);
      const receipt = (await (await dvp[method](trade)).wait())!;
      const id = await dvp.tradeId(trade);
      const row = { tradeId: id, status: t.TRADE_STATUSES[Number((await dvp.tradeState(id)).status)] };
      output(a.json, { ...row, txHash: receipt.hash }, () => printTable([row], undefined, `${name} done (tx ${receipt.hash})`));
    }),
  );
}
