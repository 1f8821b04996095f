// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ParticipantKind, ParticipantStatus} from "../interfaces/IParticipantRegistry.sol";
import {IEncumberableToken} from "../interfaces/IEncumberableToken.sol";
import {IPledgeBook, PledgeStatus} from "../interfaces/IPledgeBook.sol";
import {PledgeMath} from "../libraries/PledgeMath.sol";
import {PledgeTypes} from "./PledgeTypes.sol";

/**
 * @title PledgeOperations
 * @notice The pledge book's occasional operations (broker authority, consent by call, cancellation, top-up,
 * repayment, release), as a linked library the book calls by DELEGATECALL: it reads and writes the book's
 * storage ({PledgeTypes}) and emits the book's events. The caller (`msg.sender`) is the book's caller.
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
        if (shares != 0) IEncumberableToken(p.security).encumber(pledger, id, shares);
        if (cash != 0) IEncumberableToken($.accounts[p.cashToken]).encumber(pledger, id, cash);
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
        uint256 toInterest = amount < interest ? amount : interest;
        uint256 toPrincipal = amount - toInterest;
        interest -= toInterest;
        principal -= toPrincipal;
        if (interest > type(uint112).max) revert IPledgeBook.PledgeTermInvalid("interest", interest);
        p.principal = uint112(principal);
        p.interest = uint112(interest);
        p.accruedTo = uint32(date);
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
        address pledger = $.accounts[p.pledger];
        if (shares != 0) IEncumberableToken(p.security).release(pledger, id, shares);
        if (cash != 0) IEncumberableToken($.accounts[p.cashToken]).release(pledger, id, cash);
        emit IPledgeBook.PledgeReleased(id, shares, cash, pledgedShares, pledgedCash, full, msg.sender);
    }

    /// @dev Reverts unless the caller is a signer of the pledge's pledgee.
    function _requirePledgeeSide(PledgeTypes.PledgeBookStorage storage $, IPledgeBook.Pledge storage p) private view {
        address pledgee = $.accounts[p.pledgee];
        if (!PledgeTypes.actsForPledgee($, pledgee, msg.sender)) {
            revert IPledgeBook.PledgeNotPledgeeSide(pledgee, msg.sender);
        }
    }

    function _parties(
        PledgeTypes.PledgeBookStorage storage $,
        IPledgeBook.Pledge storage p
    ) private view returns (address pledger, address pledgee) {
        pledger = $.accounts[p.pledger];
        pledgee = $.accounts[p.pledgee];
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
