// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IParticipantRegistry, ParticipantStatus} from "../interfaces/IParticipantRegistry.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {IHolidayCalendar} from "../interfaces/IHolidayCalendar.sol";
import {IPledgeBook, PledgeStatus} from "../interfaces/IPledgeBook.sol";

/**
 * @title PledgeTypes
 * @notice Storage layout of the pledge book and the helpers shared by {PledgeBook} and its linked library
 * {PledgeOperations}: the address table, the party checks, the status check.
 * @dev ERC-7201 namespace `csd.storage.PledgeBook`. Accounts (pledgers, pledgees, cash tokens) are kept once
 * in an address table and named in a pledge by their 32-bit index, so a pledge is four words at
 * registration (see {IPledgeBook-Pledge}).
 */
library PledgeTypes {
    uint8 internal constant PLEDGER_CONSENT = 1;
    uint8 internal constant PLEDGEE_CONSENT = 2;
    uint8 internal constant INPUTS_CHANGED = 4;
    /// @dev Set at the first repayment or pledged cash: from then on the balances word (slot 4) is read.
    uint8 internal constant BALANCES = 8;

    /// @dev Currency, decimals and address-table index of a cash token, read from the token at its first
    /// pledge and kept (currency and decimals are fixed when the token is issued).
    struct CashTokenInfo {
        bytes3 currency;
        uint8 decimals;
        uint32 index;
    }

    /// @dev The book's ERC-7201 namespace `csd.storage.PledgeBook`; append fields only, never reorder.
    struct PledgeBookStorage {
        IParticipantRegistry registry;
        IPriceOracle oracle;
        IHolidayCalendar calendar;
        uint256 count;
        mapping(uint256 id => IPledgeBook.Pledge) pledges;
        mapping(uint32 investorId => uint32 brokerId) brokers;
        mapping(address cashToken => CashTokenInfo) cashTokens;
        uint32 accountCount;
        mapping(address account => uint32 index) accountIndex;
        mapping(uint32 index => address account) accounts;
    }

    // keccak256(abi.encode(uint256(keccak256("csd.storage.PledgeBook")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 internal constant STORAGE_SLOT = 0xad623c14bf98a9845ba9f56df255709d2f9554b1bc4d8ad8946df25a499e5c00;

    /// @dev The book's storage.
    function layout() internal pure returns (PledgeBookStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @dev The index of `account` in the address table, added on first use (one-time cost of two slots).
    function intern(PledgeBookStorage storage $, address account) internal returns (uint32 index) {
        index = $.accountIndex[account];
        if (index == 0) {
            // Checked: the table holds at most 2^32 - 1 accounts.
            index = ++$.accountCount;
            $.accountIndex[account] = index;
            $.accounts[index] = account;
        }
    }

    /// @dev The pledge `id`, which must be in status `needed`.
    function requireStatus(
        PledgeBookStorage storage $,
        uint256 id,
        PledgeStatus needed
    ) internal view returns (IPledgeBook.Pledge storage p) {
        p = $.pledges[id];
        PledgeStatus status = p.status;
        if (status == PledgeStatus.None) revert IPledgeBook.PledgeUnknown(id);
        if (status != needed) revert IPledgeBook.PledgeWrongStatus(id, status, needed);
    }

    /// @dev True when `account` may act for the pledger: the pledger account, another signer of its
    /// investor, or a signer of the broker the investor authorised.
    function isPledgerSide(
        PledgeBookStorage storage $,
        address pledger,
        uint32 pledgerId,
        address account
    ) internal view returns (bool) {
        if (account == pledger) return $.registry.isActiveSigner(account);
        (uint32 id, , ParticipantStatus status) = $.registry.signerOf(account);
        if (id == 0 || status != ParticipantStatus.Active) return false;
        return id == pledgerId || (id == $.brokers[pledgerId] && $.registry.isActiveSigner(pledger));
    }

    /// @dev True when `account` is a signer of the active pledgee participant.
    function isPledgeeSide(
        PledgeBookStorage storage $,
        uint32 pledgeeId,
        address account
    ) internal view returns (bool) {
        return pledgeeId != 0 && $.registry.isAuthorisedSigner(pledgeeId, account);
    }

    /// @dev {isPledgerSide} for a stored pledge, whose pledger is kept as an account only.
    function actsForPledger(
        PledgeBookStorage storage $,
        address pledger,
        address account
    ) internal view returns (bool) {
        return isPledgerSide($, pledger, participantOf($, pledger), account);
    }

    /// @dev {isPledgeeSide} for a stored pledge, whose pledgee is kept as an account only.
    function actsForPledgee(
        PledgeBookStorage storage $,
        address pledgee,
        address account
    ) internal view returns (bool) {
        return isPledgeeSide($, participantOf($, pledgee), account);
    }

    /// @dev Participant id of `account` (0 when it is no signer).
    function participantOf(PledgeBookStorage storage $, address account) internal view returns (uint32 id) {
        (id, , ) = $.registry.signerOf(account);
    }
}
