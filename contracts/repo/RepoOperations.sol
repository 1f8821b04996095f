// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IEncumberableToken} from "../interfaces/IEncumberableToken.sol";
import {ISecurityToken, InstrumentKind} from "../interfaces/ISecurityToken.sol";
import {TokenType} from "../interfaces/ITokenFactory.sol";
import {IRepoBook, RepoStatus, ObligationStatus, RepoSide} from "../interfaces/IRepoBook.sol";
import {RepoMath} from "../libraries/RepoMath.sol";
import {DateLib} from "../libraries/DateLib.sol";
import {DayCountConvention} from "../libraries/DayCountConvention.sol";
import {RepoTypes} from "./RepoTypes.sol";

/**
 * @title RepoOperations
 * @notice Proposal validation and every token-moving step of the repo book (opening leg, margin transfers,
 * closing leg, close-out) and the margin obligations' settlement, transfers and default, as a linked library
 * the book calls by DELEGATECALL after its access checks: it reads and writes the book's storage
 * ({RepoTypes}) and emits the book's events.
 * @dev State is written before tokens move; a failed token move reverts the whole call.
 */
library RepoOperations {
    uint256 internal constant MAX_CASH_MARGINS = 16;
    uint256 internal constant MAX_MARGIN_DEADLINE_DAYS = 30;
    bytes32 internal constant TERMS_TYPEHASH = keccak256(
        "Terms(uint32 borrower,uint32 lender,address borrowerAccount,address lenderAccount,address security,"
        "uint96 quantity,bytes3 currency,uint128 purchasePrice,uint64 repoRate,uint16 basis,uint32 tradeDate,"
        "uint32 startDate,uint32 repurchaseDate,uint64 initialLtv,uint64 lowerTrigger,uint64 upperTrigger,"
        "uint8 marginDeadlineDays,uint128 minimumTransfer,uint64 cashMarginRate,bytes4 calendar,"
        "uint8 couponDayCount,uint8 marginMethod,uint64 marginRatio)"
    );

    /// @notice Validates and stores a proposed deal (the book checked the caller).
    /// @param t Terms.
    /// @param caller Proposer.
    /// @return dealId New deal id.
    function propose(IRepoBook.Terms calldata t, address caller) external returns (uint256 dealId) {
        RepoTypes.RepoStorage storage $ = RepoTypes.layout();
        _checkParties($, t);
        _checkNumbers(t);
        uint8 cashDecimals = _checkMarket($, t);
        dealId = ++$.dealCount;
        bytes32 h = hashTerms(t);
        // One memory-to-storage copy writes each of the eight slots once.
        $.deals[dealId] = RepoTypes.Deal({
            security: t.security,
            currency: t.currency,
            calendar: t.calendar,
            basis: t.basis,
            marginDeadlineDays: t.marginDeadlineDays,
            cashDecimals: cashDecimals,
            couponDayCount: DayCountConvention(t.couponDayCount),
            purchasePrice: t.purchasePrice,
            minimumTransfer: t.minimumTransfer,
            repoRate: t.repoRate,
            cashMarginRate: t.cashMarginRate,
            initialLtv: t.initialLtv,
            lowerTrigger: t.lowerTrigger,
            upperTrigger: t.upperTrigger,
            tradeDate: t.tradeDate,
            startDate: t.startDate,
            repurchaseDate: t.repurchaseDate,
            borrower: t.borrower,
            lender: t.lender,
            // _checkMethod: a whole number of steps; a uint64 holds fewer than 2^32 of them.
            marginRatioE8: uint32(t.marginRatio / RepoTypes.MARGIN_RATIO_STEP),
            borrowerAccount: t.borrowerAccount,
            quantity: t.quantity,
            lenderAccount: t.lenderAccount,
            termsHash: h,
            state: RepoTypes.State(RepoStatus.Proposed, 0, 0, 0, 0, 0)
        });
        emit IRepoBook.RepoProposed(dealId, caller, h, t);
    }

    /// @notice Closes out a defaulted deal (see {IRepoBook-closeOutDefault}).
    /// @param dealId Deal id.
    /// @param collateralToBorrower True when the lender defaulted.
    /// @param settlementRef Close-out reference.
    function closeOutDefault(uint256 dealId, bool collateralToBorrower, bytes32 settlementRef) external {
        RepoTypes.Deal storage d = RepoTypes.layout().deals[dealId];
        RepoTypes.State memory s = d.state;
        if (s.status != RepoStatus.Defaulted) revert IRepoBook.RepoWrongStatus(dealId, s.status);
        s.status = RepoStatus.ClosedOut;
        d.state = s;
        emit IRepoBook.RepoClosedOut(dealId, collateralToBorrower, s.quantity, settlementRef);
        if (s.flags & RepoTypes.F_ON_CHAIN != 0) {
            IEncumberableToken sec = IEncumberableToken(d.security);
            if (collateralToBorrower) {
                sec.moveEncumbered(d.lenderAccount, d.borrowerAccount, dealId, s.quantity, false);
            } else {
                sec.release(d.lenderAccount, dealId, s.quantity);
            }
        }
    }

    /// @notice Closing leg: at the repurchase date, or at today when both parties agreed to terminate.
    /// @param dealId Deal id.
    /// @param onChain True to move tokens.
    function close(uint256 dealId, bool onChain) external {
        RepoTypes.Deal storage d = RepoTypes.layout().deals[dealId];
        RepoTypes.State memory s = d.state;
        if (s.status != RepoStatus.Active) revert IRepoBook.RepoWrongStatus(dealId, s.status);
        if ((s.flags & RepoTypes.F_ON_CHAIN != 0) != onChain)
            revert IRepoBook.RepoSettlementModeMismatch(dealId, !onChain);
        uint256 today = DateLib.dayOf(block.timestamp);
        bool terminated =
            s.flags & (RepoTypes.F_BORROWER_AGREED | RepoTypes.F_LENDER_AGREED) ==
                (RepoTypes.F_BORROWER_AGREED | RepoTypes.F_LENDER_AGREED);
        uint256 closeDate = d.repurchaseDate;
        if (terminated && today < closeDate) closeDate = today;
        if (today < closeDate) revert IRepoBook.RepoNotMatured(dealId, closeDate, today);
        if (closeDate < d.startDate) closeDate = d.startDate;

        IRepoBook.Closing memory c = _closingAmounts(dealId, d, s.cashMargins, closeDate);
        c.status = closeDate < d.repurchaseDate ? RepoStatus.Terminated : RepoStatus.Repurchased;
        c.quantity = s.quantity;
        c.onChain = onChain;
        _cancelCalls(dealId, s, closeDate);
        s.status = c.status;
        d.state = s;
        if (onChain) {
            IEncumberableToken cash = _cashToken(d.currency);
            if (c.borrowerPays != 0) _pay(cash, d.borrowerAccount, d.lenderAccount, c.borrowerPays);
            if (c.lenderPays != 0) _pay(cash, d.lenderAccount, d.borrowerAccount, c.lenderPays);
            IEncumberableToken(d.security).moveEncumbered(
                d.lenderAccount,
                d.borrowerAccount,
                dealId,
                c.quantity,
                false
            );
        }
        emit IRepoBook.RepoClosed(dealId, c);
    }

    /// @notice Settles the open call of `side` (see {IRepoBook-settleObligation}, {IRepoBook-confirmObligation});
    /// the book checked the caller.
    /// @param dealId Deal id.
    /// @param side Party that owes.
    /// @param inSecurities Securities or cash.
    /// @param onChain True to move tokens (on-chain deals), false for the agent's confirmation (off-chain deals).
    /// @param settlementRef Agent's settlement reference (zero on chain).
    function settleCall(
        uint256 dealId,
        RepoSide side,
        bool inSecurities,
        bool onChain,
        bytes32 settlementRef
    ) external {
        RepoTypes.RepoStorage storage $ = RepoTypes.layout();
        RepoTypes.State memory s = _activeState(dealId, $.deals[dealId]);
        if ((s.flags & RepoTypes.F_ON_CHAIN != 0) != onChain) {
            revert IRepoBook.RepoSettlementModeMismatch(dealId, !onChain);
        }
        IRepoBook.Obligation storage o = $.obligations[dealId][side];
        if (o.status != ObligationStatus.Open) revert IRepoBook.RepoNoOpenObligation(dealId, side);
        o.status = ObligationStatus.Settled;
        uint256 amount = inSecurities ? o.quantity : o.cash;
        uint256 today = DateLib.dayOf(block.timestamp);
        _applyMargin(dealId, side, inSecurities, amount, today, onChain, true);
        emit IRepoBook.MarginCallSettled(dealId, side, inSecurities, amount, onChain, today, settlementRef);
    }

    /// @notice Records a margin transfer agreed outside a call and settled off chain (see
    /// {IRepoBook-recordMarginTransfer}); the book checked the caller.
    /// @param dealId Deal id.
    /// @param side Party that transferred.
    /// @param inSecurities Securities or cash.
    /// @param amount Units.
    /// @param postedOn Day received.
    /// @param settlementRef Agent's settlement reference.
    function recordTransfer(
        uint256 dealId,
        RepoSide side,
        bool inSecurities,
        uint256 amount,
        uint32 postedOn,
        bytes32 settlementRef
    ) external {
        RepoTypes.Deal storage d = RepoTypes.layout().deals[dealId];
        RepoTypes.State memory s = _activeState(dealId, d);
        if (s.flags & RepoTypes.F_ON_CHAIN != 0) revert IRepoBook.RepoSettlementModeMismatch(dealId, true);
        if (postedOn < d.startDate || postedOn < s.lastRevaluedDate || postedOn > DateLib.dayOf(block.timestamp)) {
            revert IRepoBook.RepoMarginDateInvalid(dealId, postedOn);
        }
        _applyMargin(dealId, side, inSecurities, amount, postedOn, false, false);
        emit IRepoBook.MarginTransferRecorded(dealId, side, inSecurities, amount, postedOn, settlementRef);
    }

    /// @notice Marks the open call of `side` overdue after its due date: the deal defaults (see
    /// {IRepoBook-markOverdue}); the book checked the caller.
    /// @param dealId Deal id.
    /// @param side Party that owes.
    /// @param by Caller.
    function markOverdue(uint256 dealId, RepoSide side, address by) external {
        RepoTypes.RepoStorage storage $ = RepoTypes.layout();
        RepoTypes.Deal storage d = $.deals[dealId];
        RepoTypes.State memory s = _activeState(dealId, d);
        IRepoBook.Obligation storage o = $.obligations[dealId][side];
        if (o.status != ObligationStatus.Open) revert IRepoBook.RepoNoOpenObligation(dealId, side);
        uint256 today = DateLib.dayOf(block.timestamp);
        if (today <= o.dueDate) revert IRepoBook.RepoObligationNotDue(dealId, side, o.dueDate, today);
        o.status = ObligationStatus.Overdue;
        s.flags &= ~RepoTypes.callFlag(side);
        s.status = RepoStatus.Defaulted;
        d.state = s;
        emit IRepoBook.MarginCallOverdue(dealId, side, o.dueDate, by);
    }

    /// @dev Books a margin transfer into the deal's state and moves tokens when `onChain`.
    /// @param dealId Deal id.
    /// @param side Party that transferred.
    /// @param inSecurities Securities or cash.
    /// @param amount Units.
    /// @param postedOn Day received.
    /// @param onChain True to move tokens.
    /// @param closesCall True when the transfer settles the side's open call (its flag is cleared).
    function _applyMargin(
        uint256 dealId,
        RepoSide side,
        bool inSecurities,
        uint256 amount,
        uint256 postedOn,
        bool onChain,
        bool closesCall
    ) private {
        RepoTypes.Deal storage d = RepoTypes.layout().deals[dealId];
        RepoTypes.State memory s = d.state;
        if (closesCall) s.flags &= ~RepoTypes.callFlag(side);
        bool byLender = side == RepoSide.Lender;
        if (
            amount == 0 ||
            (inSecurities && (amount > type(uint96).max || (byLender && amount >= s.quantity))) ||
            amount > type(uint128).max
        ) revert IRepoBook.RepoMarginAmountInvalid(dealId, amount, s.quantity);
        if (inSecurities) {
            // amount < 2^96 (checked above); a sum above 2^96 - 1 reverts with the checked-arithmetic panic.
            s.quantity = byLender ? s.quantity - uint96(amount) : s.quantity + uint96(amount);
        } else {
            uint256 index = s.cashMargins;
            if (index >= MAX_CASH_MARGINS) revert IRepoBook.RepoTooManyCashMargins(dealId, MAX_CASH_MARGINS);
            RepoTypes.layout().margins[dealId][index] = RepoTypes.StoredMargin(
                uint128(amount),
                uint32(postedOn),
                byLender
            );
            s.cashMargins = uint8(index + 1);
        }
        d.state = s;
        if (!onChain) return;
        (address from, address to) = byLender
            ? (d.lenderAccount, d.borrowerAccount)
            : (d.borrowerAccount, d.lenderAccount);
        if (!inSecurities) {
            _pay(_cashToken(d.currency), from, to, amount);
        } else if (byLender) {
            IEncumberableToken(d.security).moveEncumbered(from, to, dealId, amount, false);
        } else {
            IEncumberableToken(d.security).deliverEncumbered(from, to, dealId, amount);
        }
    }

    /// @notice EIP-712 struct hash of terms (for signers and tools).
    /// @param t Terms.
    /// @return The hash that {SIGNATURE_TYPEHASH} embeds.
    function hashTerms(IRepoBook.Terms calldata t) public pure returns (bytes32) {
        bytes memory a = abi.encode(
            TERMS_TYPEHASH,
            t.borrower,
            t.lender,
            t.borrowerAccount,
            t.lenderAccount,
            t.security,
            t.quantity,
            t.currency,
            t.purchasePrice,
            t.repoRate,
            t.basis,
            t.tradeDate
        );
        bytes memory b = abi.encode(
            t.startDate,
            t.repurchaseDate,
            t.initialLtv,
            t.lowerTrigger,
            t.upperTrigger,
            t.marginDeadlineDays,
            t.minimumTransfer,
            t.cashMarginRate,
            t.calendar,
            t.couponDayCount,
            t.marginMethod,
            t.marginRatio
        );
        return keccak256(bytes.concat(a, b));
    }

    /// @dev Repurchase price, cash margins with interest and the net payment at `closeDate`.
    function _closingAmounts(
        uint256 dealId,
        RepoTypes.Deal storage d,
        uint256 marginCount,
        uint256 closeDate
    ) private view returns (IRepoBook.Closing memory c) {
        c.closeDate = closeDate;
        c.repurchasePrice = RepoMath.accrueUp(d.purchasePrice, d.repoRate, d.startDate, closeDate, d.basis);
        RepoMath.CashMargin[] memory margins = RepoTypes.loadMargins(dealId, marginCount);
        for (uint256 i = 0; i < margins.length; ++i) {
            RepoMath.CashMargin memory m = margins[i];
            uint256 to = closeDate > m.postedOn ? closeDate : m.postedOn;
            uint256 value = RepoMath.accrueUp(m.amount, d.cashMarginRate, m.postedOn, to, d.basis);
            if (m.byLender) c.lenderCashMargin += value;
            else c.borrowerCashMargin += value;
        }
        uint256 owed = c.repurchasePrice + c.lenderCashMargin;
        if (owed > c.borrowerCashMargin) c.borrowerPays = owed - c.borrowerCashMargin;
        else c.lenderPays = c.borrowerCashMargin - owed;
    }

    /// @dev Cancels every open call (the closing leg settles the whole exposure).
    function _cancelCalls(uint256 dealId, RepoTypes.State memory s, uint256 date) private {
        RepoTypes.RepoStorage storage $ = RepoTypes.layout();
        for (uint256 k = 0; k < 2; ++k) {
            RepoSide side = RepoSide(k);
            if (s.flags & RepoTypes.callFlag(side) != 0) {
                $.obligations[dealId][side].status = ObligationStatus.Cancelled;
                s.flags &= ~RepoTypes.callFlag(side);
                emit IRepoBook.MarginCallCancelled(dealId, side, date);
            }
        }
    }

    /// @dev Pays `amount` of free cash from `from` to `to`, with every compliance check of an ordinary transfer
    /// (the book is a settlement engine of the cash token: both parties signed the terms that oblige the payment).
    function _pay(IEncumberableToken cash, address from, address to, uint256 amount) private {
        cash.settlementTransfer(from, to, amount);
    }

    /// @dev Both accounts must act for their (active) party: the registry's authorised-signer check covers status.
    function _checkParties(RepoTypes.RepoStorage storage $, IRepoBook.Terms calldata t) private view {
        if (t.borrower == t.lender || t.borrower == 0) revert IRepoBook.RepoPartyInvalid(t.lender);
        if (!$.registry.isAuthorisedSigner(t.borrower, t.borrowerAccount)) {
            revert IRepoBook.RepoAccountNotOfParty(t.borrower, t.borrowerAccount);
        }
        if (!$.registry.isAuthorisedSigner(t.lender, t.lenderAccount)) {
            revert IRepoBook.RepoAccountNotOfParty(t.lender, t.lenderAccount);
        }
    }

    function _checkNumbers(IRepoBook.Terms calldata t) private pure {
        if (t.quantity == 0) revert IRepoBook.RepoTermInvalid("quantity", 0);
        if (t.purchasePrice == 0) revert IRepoBook.RepoTermInvalid("purchasePrice", 0);
        if (t.basis != 360 && t.basis != 365) revert IRepoBook.RepoTermInvalid("basis", t.basis);
        _checkMethod(t);
        if (t.tradeDate > t.startDate || t.startDate >= t.repurchaseDate) {
            revert IRepoBook.RepoDatesInvalid(t.tradeDate, t.startDate, t.repurchaseDate);
        }
        if (t.couponDayCount > uint8(type(DayCountConvention).max)) {
            revert IRepoBook.RepoTermInvalid("couponDayCount", t.couponDayCount);
        }
        if (t.marginDeadlineDays == 0 || t.marginDeadlineDays > MAX_MARGIN_DEADLINE_DAYS) {
            revert IRepoBook.RepoTermInvalid("marginDeadlineDays", t.marginDeadlineDays);
        }
    }

    /// @dev Method B: 0 < lower <= initial <= upper, lower < upper, no margin ratio. Method A: a margin ratio of
    /// at least 100% in steps of 1e-8 (a uint64 stays below 2^32 steps), and no corridor (all three terms zero:
    /// a Method A call does not depend on the LTV).
    function _checkMethod(IRepoBook.Terms calldata t) private pure {
        if (t.marginMethod > 1) revert IRepoBook.RepoTermInvalid("marginMethod", t.marginMethod);
        bool methodA = t.marginMethod == 1;
        uint256 mr = t.marginRatio;
        uint256 step = RepoTypes.MARGIN_RATIO_STEP;
        if (methodA ? (mr < 1e18 || mr % step != 0) : mr != 0) {
            revert IRepoBook.RepoTermInvalid("marginRatio", t.marginRatio);
        }
        if (
            methodA
                ? (t.lowerTrigger | t.initialLtv | t.upperTrigger) != 0
                : (t.lowerTrigger == 0 ||
                    t.lowerTrigger > t.initialLtv ||
                    t.initialLtv > t.upperTrigger ||
                    t.lowerTrigger == t.upperTrigger)
        ) revert IRepoBook.RepoCorridorInvalid(t.lowerTrigger, t.initialLtv, t.upperTrigger);
    }

    /// @dev Security, oracle feed, cash token and calendar; registers the security's data at first use.
    function _checkMarket(
        RepoTypes.RepoStorage storage $,
        IRepoBook.Terms calldata t
    ) private returns (uint8 cashDecimals) {
        RepoTypes.SecurityInfo storage info = $.securities[t.security];
        // A security is registered once, after the factory and the oracle vouched for it; neither forgets it.
        if (!info.known) {
            if (t.security == address(0) || $.factory.tokenType(t.security) != TokenType.Security) {
                revert IRepoBook.RepoUnknownSecurity(t.security);
            }
            _register(info, t.security);
            bytes12 isin = info.isin;
            if ($.oracle.currencyOf(isin) == bytes3(0)) revert IRepoBook.RepoSecurityNotPriced(t.security, isin);
        }
        if (info.isBond && t.couponDayCount != uint8(info.dayCount)) {
            revert IRepoBook.RepoDayCountMismatch(uint8(info.dayCount), t.couponDayCount);
        }
        RepoTypes.CashInfo memory cash = $.cash[t.currency];
        if (cash.token == address(0)) {
            // The factory keeps one cash token per currency for good; its decimals are fixed at issue.
            cash.token = $.factory.cashByCurrency(t.currency);
            if (cash.token == address(0)) revert IRepoBook.RepoUnknownCurrency(t.currency);
            cash.decimals = IERC20Metadata(cash.token).decimals();
            // Revaluation scales money by 10^(36 - decimals).
            if (cash.decimals > 18) revert IRepoBook.RepoTermInvalid("cashDecimals", cash.decimals);
            $.cash[t.currency] = cash;
        }
        cashDecimals = cash.decimals;
        if (!$.calendars[t.calendar]) {
            (bool exists, ) = $.calendar.calendarInfo(t.calendar);
            if (!exists) revert IRepoBook.RepoUnknownCalendar(t.calendar);
            $.calendars[t.calendar] = true;
        }
    }

    function _register(RepoTypes.SecurityInfo storage info, address security) private {
        ISecurityToken.Instrument memory ins = ISecurityToken(security).instrument();
        info.isin = ins.isin;
        info.currency = ins.currency;
        info.known = true;
        if (ins.kind == InstrumentKind.Bond) {
            uint8 decimals = IERC20Metadata(security).decimals();
            uint256 scale = 10 ** uint256(decimals);
            if (ins.faceValue % scale != 0) revert IRepoBook.RepoFaceValueNotUnitary(security, ins.faceValue, decimals);
            // The coupon schedule revaluation accrues on (CouponLib): a frequency dividing 12 unless zero-coupon.
            uint8 f = ins.couponFrequency;
            if ((ins.couponRate != 0 && (f == 0 || 12 % f != 0)) || ins.maturityDate <= ins.issueDate) {
                revert IRepoBook.RepoTermInvalid("couponFrequency", f);
            }
            info.isBond = true;
            info.frequency = f;
            info.dayCount = ins.dayCount;
            info.issueDate = ins.issueDate;
            info.maturityDate = ins.maturityDate;
            info.faceValuePerUnit = uint128(ins.faceValue / scale);
            info.couponRate = ins.couponRate;
        }
    }

    function _activeState(uint256 dealId, RepoTypes.Deal storage d) private view returns (RepoTypes.State memory s) {
        s = d.state;
        if (s.status != RepoStatus.Active) revert IRepoBook.RepoWrongStatus(dealId, s.status);
    }

    function _cashToken(bytes3 currency) private view returns (IEncumberableToken) {
        return IEncumberableToken(RepoTypes.layout().cash[currency].token);
    }
}
