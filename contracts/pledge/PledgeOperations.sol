// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IParticipantRegistry, ParticipantKind, ParticipantStatus} from "../interfaces/IParticipantRegistry.sol";
import {IEncumberableToken} from "../interfaces/IEncumberableToken.sol";
import {ISecurityToken, ICashToken} from "../interfaces/ISecurityToken.sol";
import {TokenType} from "../interfaces/ITokenFactory.sol";
import {DayCountConvention} from "../libraries/DayCountConvention.sol";
import {IPledgeBook, PledgeStatus} from "../interfaces/IPledgeBook.sol";
import {PledgeMath} from "../libraries/PledgeMath.sol";
import {PledgeTypes} from "./PledgeTypes.sol";

/**
 * @title PledgeOperations
 * @notice The pledge book's occasional operations (broker authority, the check of a request's terms, parties,
 * tokens and calendar, consent by call, cancellation, top-up, repayment, release), as a linked library the
 * book calls by DELEGATECALL: it reads and writes the book's storage ({PledgeTypes}) and emits the book's
 * events. The caller (`msg.sender`) is the book's caller.
 * @dev State is written before tokens move; a failed token move reverts the whole call.
 */
library PledgeOperations {
    /// @notice See {IPledgeBook-authoriseBroker}.
    /// @param brokerId Broker participant id.
    function authoriseBroker(uint32 brokerId) external {
        PledgeTypes.PledgeBookStorage storage $ = PledgeTypes.layout();
        uint32 investorId = _investorOf($, msg.sender);
        (ParticipantKind kind, ParticipantStatus status) = $.registry.kindAndStatusOf(brokerId);
        if (kind != ParticipantKind.Broker || status != ParticipantStatus.Active) {
            revert IPledgeBook.PledgeNotBroker(brokerId);
        }
        $.brokers[investorId] = brokerId;
        emit IPledgeBook.BrokerAuthorised(investorId, brokerId, msg.sender);
    }

    /// @notice See {IPledgeBook-revokeBroker}.
    function revokeBroker() external {
        PledgeTypes.PledgeBookStorage storage $ = PledgeTypes.layout();
        uint32 investorId = _investorOf($, msg.sender);
        uint32 brokerId = $.brokers[investorId];
        if (brokerId == 0) revert IPledgeBook.PledgeNoBroker(investorId);
        delete $.brokers[investorId];
        emit IPledgeBook.BrokerRevoked(investorId, brokerId, msg.sender);
    }

    /// @notice See {IPledgeBook-consent}.
    /// @param id Pledge id.
    function consent(uint256 id) external {
        PledgeTypes.PledgeBookStorage storage $ = PledgeTypes.layout();
        IPledgeBook.Pledge storage p = PledgeTypes.requireStatus($, id, PledgeStatus.Requested);
        (address pledger, address pledgee) = _parties($, p);
        bool pledgerSide;
        if (PledgeTypes.actsForPledger($, pledger, pledgee, msg.sender)) {
            pledgerSide = true;
        } else if (!PledgeTypes.actsForPledgee($, pledgee, msg.sender)) {
            revert IPledgeBook.PledgeNotPledgeeSide(pledgee, msg.sender);
        }
        uint8 bit = pledgerSide ? PledgeTypes.PLEDGER_CONSENT : PledgeTypes.PLEDGEE_CONSENT;
        if (p.flags & bit != 0) revert IPledgeBook.PledgeAlreadyConsented(id, pledgerSide);
        p.flags |= bit;
        emit IPledgeBook.PledgeConsented(id, pledgerSide, msg.sender);
    }

    /// @notice See {IPledgeBook-cancel}.
    /// @param id Pledge id.
    /// @param depository Whether the caller holds DEPOSITORY_ROLE.
    function cancel(uint256 id, bool depository) external {
        PledgeTypes.PledgeBookStorage storage $ = PledgeTypes.layout();
        IPledgeBook.Pledge storage p = PledgeTypes.requireStatus($, id, PledgeStatus.Requested);
        (address pledger, address pledgee) = _parties($, p);
        if (
            !depository &&
            !PledgeTypes.actsForPledger($, pledger, pledgee, msg.sender) &&
            !PledgeTypes.actsForPledgee($, pledgee, msg.sender)
        ) revert IPledgeBook.PledgeNotPledgerSide(pledger, msg.sender);
        p.status = PledgeStatus.Cancelled;
        emit IPledgeBook.PledgeCancelled(id, msg.sender);
    }

    /// @notice See {IPledgeBook-topUp}.
    /// @param id Pledge id.
    /// @param shares Extra shares.
    /// @param cash Extra pledged cash.
    /// @param depository Whether the caller holds DEPOSITORY_ROLE.
    function topUp(uint256 id, uint256 shares, uint256 cash, bool depository) external {
        PledgeTypes.PledgeBookStorage storage $ = PledgeTypes.layout();
        IPledgeBook.Pledge storage p = PledgeTypes.requireStatus($, id, PledgeStatus.Active);
        (address pledger, address pledgee) = _parties($, p);
        if (!depository && !PledgeTypes.actsForPledger($, pledger, pledgee, msg.sender)) {
            revert IPledgeBook.PledgeNotPledgerSide(pledger, msg.sender);
        }
        if (shares == 0 && cash == 0) revert IPledgeBook.PledgeZeroAmount();
        uint256 sharesAfter = p.shares + shares;
        uint256 cashAfter = p.pledgedCash + cash;
        if (sharesAfter > PledgeTypes.maxShares(p.cashDecimals)) {
            revert IPledgeBook.PledgeTermInvalid("quantity", sharesAfter);
        }
        if (cashAfter > type(uint128).max) revert IPledgeBook.PledgeTermInvalid("pledgedCash", cashAfter);
        p.shares = uint96(sharesAfter);
        p.flags |= PledgeTypes.INPUTS_CHANGED;
        if (cash != 0) {
            p.pledgedCash = uint128(cashAfter);
            p.flags |= PledgeTypes.BALANCES;
        }
        if (shares != 0) IEncumberableToken($.accounts[p.security].account).encumber(pledger, id, shares);
        if (cash != 0) IEncumberableToken($.accounts[p.cashToken].account).encumber(pledger, id, cash);
        emit IPledgeBook.PledgeToppedUp(id, shares, cash, sharesAfter, cashAfter, msg.sender);
    }

    /// @notice See {IPledgeBook-repay}.
    /// @param id Pledge id.
    /// @param amount Amount repaid.
    /// @param date Value date.
    function repay(uint256 id, uint256 amount, uint256 date) external {
        PledgeTypes.PledgeBookStorage storage $ = PledgeTypes.layout();
        IPledgeBook.Pledge storage p = PledgeTypes.requireStatus($, id, PledgeStatus.Active);
        _requirePledgeeSide($, p);
        if (amount == 0) revert IPledgeBook.PledgeZeroAmount();
        uint256 today = block.timestamp / 1 days;
        uint256 from = p.accruedTo;
        if (date < from || date > today) revert IPledgeBook.PledgeDateInvalid(date, from, today);
        uint256 principal = p.principal;
        uint256 interest = p.interest + PledgeMath.interestUp(principal, p.interestRate, p.dayCount, from, date);
        if (amount > principal + interest) revert IPledgeBook.PledgeRepaymentExceedsDebt(amount, principal + interest);
        uint256 toInterest;
        uint256 toPrincipal;
        (principal, interest, toInterest, toPrincipal) = PledgeMath.applyRepayment(
            principal,
            interest,
            amount,
            p.flags & PledgeTypes.PRINCIPAL_FIRST != 0
        );
        if (interest > type(uint112).max) revert IPledgeBook.PledgeTermInvalid("interest", interest);
        p.principal = uint112(principal);
        p.interest = uint112(interest);
        // A date up to today fits 24 bits.
        p.accruedTo = uint24(date);
        p.flags |= PledgeTypes.INPUTS_CHANGED | PledgeTypes.BALANCES;
        emit IPledgeBook.PledgeRepaid(id, date, amount, toInterest, toPrincipal, principal, interest, msg.sender);
    }

    /// @notice See {IPledgeBook-release}.
    /// @param id Pledge id.
    /// @param shares Shares to release.
    /// @param cash Pledged cash to release.
    function release(uint256 id, uint256 shares, uint256 cash) external {
        PledgeTypes.PledgeBookStorage storage $ = PledgeTypes.layout();
        IPledgeBook.Pledge storage p = PledgeTypes.requireStatus($, id, PledgeStatus.Active);
        _requirePledgeeSide($, p);
        if (shares == 0 && cash == 0) revert IPledgeBook.PledgeZeroAmount();
        uint256 pledgedShares = p.shares;
        uint256 pledgedCash = p.pledgedCash;
        if (shares > pledgedShares || cash > pledgedCash) {
            revert IPledgeBook.PledgeReleaseExceedsPledged(shares, pledgedShares, cash, pledgedCash);
        }
        // Cannot underflow: both amounts were checked against what is pledged.
        unchecked {
            pledgedShares -= shares;
            pledgedCash -= cash;
        }
        p.shares = uint96(pledgedShares);
        if (cash != 0) p.pledgedCash = uint128(pledgedCash);
        bool full = pledgedShares == 0 && pledgedCash == 0;
        if (full) p.status = PledgeStatus.Released;
        else p.flags |= PledgeTypes.INPUTS_CHANGED;
        address pledger = $.accounts[p.pledger].account;
        if (shares != 0) IEncumberableToken($.accounts[p.security].account).release(pledger, id, shares);
        if (cash != 0) IEncumberableToken($.accounts[p.cashToken].account).release(pledger, id, cash);
        emit IPledgeBook.PledgeReleased(id, shares, cash, pledgedShares, pledgedCash, full, msg.sender);
    }

    /// @notice See {IPledgeBook-setBoardLot} (the book checks the role).
    /// @param security Security token.
    /// @param boardLot Board lot in token units.
    function setBoardLot(address security, uint256 boardLot) external {
        PledgeTypes.PledgeBookStorage storage $ = PledgeTypes.layout();
        if (boardLot == 0 || boardLot > type(uint32).max) revert IPledgeBook.PledgeTermInvalid("boardLot", boardLot);
        _security($, security);
        $.boardLots[security] = uint32(boardLot);
        emit IPledgeBook.PledgeBoardLotSet(security, boardLot, msg.sender);
    }

    /// @notice See {IPledgeBook-request}.
    /// @param t The terms.
    /// @return id New pledge id.
    function request(IPledgeBook.Terms calldata t) external returns (uint256 id) {
        (
            uint32 pledgerId,
            uint32 pledgeeId,
            PledgeTypes.CashTokenInfo memory cashInfo,
            PledgeTypes.SecurityInfo memory securityInfo
        ) = _checkTerms(t);
        PledgeTypes.PledgeBookStorage storage $ = PledgeTypes.layout();
        uint8 flags;
        uint32 via = PledgeTypes.pledgerSideOf($, t.pledger, pledgerId, msg.sender);
        // A signer of the pledger's broker that is the pledgee requests for the pledgee.
        if (via != 0 && via != pledgeeId) flags = PledgeTypes.PLEDGER_CONSENT;
        else if (PledgeTypes.isPledgeeSide($, pledgeeId, msg.sender)) flags = PledgeTypes.PLEDGEE_CONSENT;
        else revert IPledgeBook.PledgeNotPledgerSide(t.pledger, msg.sender);
        id = _store($, t, flags, cashInfo, securityInfo.index, true);
        emit IPledgeBook.PledgeConsented(id, flags == PledgeTypes.PLEDGER_CONSENT, msg.sender);
    }

    /// @notice Checks the terms and stores a pledge with both sides' consent, for {IPledgeBook-requestSigned}
    /// and {IPledgeBook-registerSigned}: the book checks both signatures in the same call (a refused one reverts
    /// it all) and emits the consents. Emits {IPledgeBook-PledgeRequested}.
    /// @param t The terms.
    /// @param keepCap Keep a cap of the pledge's own in the request word, for a later registration.
    /// @return id New pledge id.
    /// @return pledgerId Participant id of the pledger.
    /// @return pledgeeId Participant id of the pledgee.
    /// @return isin ISIN of the security.
    function requestConsented(
        IPledgeBook.Terms calldata t,
        bool keepCap
    ) external returns (uint256 id, uint32 pledgerId, uint32 pledgeeId, bytes12 isin) {
        PledgeTypes.CashTokenInfo memory cashInfo;
        PledgeTypes.SecurityInfo memory securityInfo;
        (pledgerId, pledgeeId, cashInfo, securityInfo) = _checkTerms(t);
        id = _store(
            PledgeTypes.layout(),
            t,
            PledgeTypes.PLEDGER_CONSENT | PledgeTypes.PLEDGEE_CONSENT,
            cashInfo,
            securityInfo.index,
            keepCap
        );
        isin = securityInfo.isin;
    }

    /// @dev Validates a pledge request's terms and parties (see {IPledgeBook-Terms}); returns the parties'
    /// participant ids and the kept data of the cash token and of the security (its index and ISIN).
    function _checkTerms(
        IPledgeBook.Terms calldata t
    )
        private
        returns (
            uint32 pledgerId,
            uint32 pledgeeId,
            PledgeTypes.CashTokenInfo memory cashInfo,
            PledgeTypes.SecurityInfo memory securityInfo
        )
    {
        PledgeTypes.PledgeBookStorage storage $ = PledgeTypes.layout();
        {
            ParticipantKind kind;
            ParticipantStatus status;
            IParticipantRegistry registry = $.registry;
            (pledgerId, kind, status) = registry.signerOf(t.pledger);
            if (kind != ParticipantKind.Investor || status != ParticipantStatus.Active) {
                revert IPledgeBook.PledgePartyInvalid(t.pledger, uint8(kind), uint8(status));
            }
            (pledgeeId, kind, status) = registry.signerOf(t.pledgee);
            if (
                (kind != ParticipantKind.Bank && kind != ParticipantKind.Broker) || status != ParticipantStatus.Active
            ) {
                revert IPledgeBook.PledgePartyInvalid(t.pledgee, uint8(kind), uint8(status));
            }
        }
        if (t.principal == 0 || t.principal > type(uint112).max)
            revert IPledgeBook.PledgeTermInvalid("principal", t.principal);
        if (t.interestRate > type(uint64).max) revert IPledgeBook.PledgeTermInvalid("interestRate", t.interestRate);
        if (t.dayCount == DayCountConvention.ActActIcma)
            revert IPledgeBook.PledgeTermInvalid("dayCount", uint8(t.dayCount));
        if (t.startDate == 0 || t.startDate > type(uint24).max)
            revert IPledgeBook.PledgeTermInvalid("startDate", t.startDate);
        if (t.maturityDate <= t.startDate || t.maturityDate > type(uint24).max) {
            revert IPledgeBook.PledgeTermInvalid("maturityDate", t.maturityDate);
        }
        if (t.topUpDays > type(uint8).max) revert IPledgeBook.PledgeTermInvalid("topUpDays", t.topUpDays);
        uint256 warning = t.warningLine == 0 ? PledgeTypes.DEFAULT_WARNING_LINE : t.warningLine;
        uint256 liquidation = t.liquidationLine == 0 ? PledgeTypes.DEFAULT_LIQUIDATION_LINE : t.liquidationLine;
        if (warning > type(uint64).max) revert IPledgeBook.PledgeTermInvalid("warningLine", warning);
        if (liquidation > warning) revert IPledgeBook.PledgeTermInvalid("liquidationLine", liquidation);
        if (t.restoreTarget != 0 && (t.restoreTarget < warning || t.restoreTarget > type(uint64).max)) {
            revert IPledgeBook.PledgeTermInvalid("restoreTarget", t.restoreTarget);
        }
        if (t.maxInitialRate > type(uint64).max)
            revert IPledgeBook.PledgeTermInvalid("maxInitialRate", t.maxInitialRate);
        (cashInfo, securityInfo) = _checkAssets($, t);
    }

    /// @dev Writes a new pledge in status Requested (three words; the balances word stays zero, the request word
    /// holds a cap of the pledge's own when `keepCap`, for a later registration) and emits {PledgeRequested}.
    function _store(
        PledgeTypes.PledgeBookStorage storage $,
        IPledgeBook.Terms calldata t,
        uint8 flags,
        PledgeTypes.CashTokenInfo memory cashInfo,
        uint32 security,
        bool keepCap
    ) private returns (uint256 id) {
        id = ++$.count;
        IPledgeBook.Pledge storage p = $.pledges[id];
        uint32 pledger = PledgeTypes.intern($, t.pledger);
        uint32 pledgee = PledgeTypes.intern($, t.pledgee);
        if (t.calendarId != bytes4(0)) flags |= PledgeTypes.CALENDAR;
        if (t.topUpAtWarning) flags |= PledgeTypes.TOP_UP_AT_WARNING;
        if (t.principalFirst) flags |= PledgeTypes.PRINCIPAL_FIRST;
        if (keepCap && t.maxInitialRate != 0) {
            flags |= PledgeTypes.OWN_CAP;
            p.maxInitialRate = uint64(t.maxInitialRate);
        }
        p.security = security;
        p.status = PledgeStatus.Requested;
        p.flags = flags;
        p.topUpDays = uint8(t.topUpDays);
        p.cashDecimals = cashInfo.decimals;
        p.dayCount = t.dayCount;
        p.calendarId = t.calendarId;
        p.pledger = pledger;
        p.pledgee = pledgee;
        p.cashToken = cashInfo.index;
        p.shares = uint96(t.quantity);
        p.principal = uint112(t.principal);
        // Until registration the accrued-to date is the start date; dates were checked below 2^24.
        p.accruedTo = uint24(t.startDate);
        p.maturityDate = uint24(t.maturityDate);
        p.interestRate = uint64(t.interestRate);
        p.warningLine = uint64(t.warningLine == 0 ? PledgeTypes.DEFAULT_WARNING_LINE : t.warningLine);
        p.liquidationLine = uint64(t.liquidationLine == 0 ? PledgeTypes.DEFAULT_LIQUIDATION_LINE : t.liquidationLine);
        p.restoreTarget = uint64(t.restoreTarget);
        emit IPledgeBook.PledgeRequested(id, t.pledger, t.pledgee, t, msg.sender);
    }

    /// @dev Validates the calendar, the tokens (vouched for by the factory, same currency) and the quantity;
    /// returns the cash token's and the security's data.
    function _checkAssets(
        PledgeTypes.PledgeBookStorage storage $,
        IPledgeBook.Terms calldata t
    ) private returns (PledgeTypes.CashTokenInfo memory cashInfo, PledgeTypes.SecurityInfo memory securityInfo) {
        bytes4 calendarId = t.calendarId;
        if (calendarId != bytes4(0) && !$.knownCalendars[calendarId]) {
            (bool exists, ) = $.calendar.calendarInfo(calendarId);
            if (!exists) revert IPledgeBook.PledgeCalendarUnknown(calendarId);
            $.knownCalendars[calendarId] = true;
        }
        securityInfo = _security($, t.security);
        cashInfo = _cashToken($, t.cashToken);
        if (t.quantity == 0 || t.quantity > PledgeTypes.maxShares(cashInfo.decimals)) {
            revert IPledgeBook.PledgeTermInvalid("quantity", t.quantity);
        }
        if (securityInfo.currency != cashInfo.currency)
            revert IPledgeBook.PledgeCurrencyMismatch(securityInfo.currency, cashInfo.currency);
    }

    /// @dev The kept price currency, address-table index and ISIN of `security`; at its first use the factory
    /// must vouch for it as a security token, and its currency and ISIN are read and kept (an instrument's data
    /// is fixed at issue), the ISIN also in its address-table entry for the valuations.
    function _security(
        PledgeTypes.PledgeBookStorage storage $,
        address security
    ) private returns (PledgeTypes.SecurityInfo memory info) {
        info = $.securities[security];
        if (info.index == 0) {
            // A currency without an index: vouched for before securities were indexed.
            if (info.currency == bytes3(0)) {
                if ($.factory.tokenType(security) != TokenType.Security)
                    revert IPledgeBook.PledgeNotSecurityToken(security);
                info.currency = ISecurityToken(security).currency();
            }
            info.isin = ISecurityToken(security).isin();
            info.index = PledgeTypes.intern($, security);
            $.accounts[info.index].isin = info.isin;
            $.securities[security] = info;
        }
    }

    /// @dev The kept currency, decimals and address-table index of `token`; at its first pledge the factory must
    /// vouch for it as a cash token of at most 18 decimals, and its data is read and kept.
    function _cashToken(
        PledgeTypes.PledgeBookStorage storage $,
        address token
    ) private returns (PledgeTypes.CashTokenInfo memory info) {
        info = $.cashTokens[token];
        if (info.currency == bytes3(0)) {
            if ($.factory.tokenType(token) != TokenType.Cash) revert IPledgeBook.PledgeNotCashToken(token);
            uint8 decimals = IEncumberableToken(token).decimals();
            if (decimals > 18) revert IPledgeBook.PledgeTermInvalid("cashDecimals", decimals);
            info = PledgeTypes.CashTokenInfo(ICashToken(token).currency(), decimals, PledgeTypes.intern($, token));
            $.cashTokens[token] = info;
        }
    }

    /// @dev Reverts unless the caller is a signer of the pledge's pledgee.
    function _requirePledgeeSide(PledgeTypes.PledgeBookStorage storage $, IPledgeBook.Pledge storage p) private view {
        address pledgee = $.accounts[p.pledgee].account;
        if (!PledgeTypes.actsForPledgee($, pledgee, msg.sender)) {
            revert IPledgeBook.PledgeNotPledgeeSide(pledgee, msg.sender);
        }
    }

    function _parties(
        PledgeTypes.PledgeBookStorage storage $,
        IPledgeBook.Pledge storage p
    ) private view returns (address pledger, address pledgee) {
        pledger = $.accounts[p.pledger].account;
        pledgee = $.accounts[p.pledgee].account;
    }

    function _investorOf(PledgeTypes.PledgeBookStorage storage $, address account) private view returns (uint32 id) {
        ParticipantKind kind;
        ParticipantStatus status;
        (id, kind, status) = $.registry.signerOf(account);
        if (kind != ParticipantKind.Investor || status != ParticipantStatus.Active) {
            revert IPledgeBook.PledgeNotInvestor(account);
        }
    }
}
