// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IParticipantRegistry, ParticipantStatus} from "../interfaces/IParticipantRegistry.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {IHolidayCalendar} from "../interfaces/IHolidayCalendar.sol";
import {IPledgeBook, PledgeStatus} from "../interfaces/IPledgeBook.sol";
import {ITokenFactory} from "../interfaces/ITokenFactory.sol";
import {PledgeMath} from "../libraries/PledgeMath.sol";
import {FixedPointMath} from "../libraries/FixedPointMath.sol";

/**
 * @title PledgeTypes
 * @notice Storage layout of the pledge book and the helpers shared by {PledgeBook} and its linked library
 * {PledgeOperations}: the address table, the party checks, the status check.
 * @dev ERC-7201 namespace `csd.storage.PledgeBook`. Accounts (pledgers, pledgees, cash and security tokens) are
 * kept once in an address table and named in a pledge by their 32-bit index, a security's entry with its ISIN,
 * so a pledge is three words at registration (see {IPledgeBook-Pledge}).
 */
library PledgeTypes {
    using FixedPointMath for uint256;

    uint8 internal constant PLEDGER_CONSENT = 1;
    uint8 internal constant PLEDGEE_CONSENT = 2;
    uint8 internal constant INPUTS_CHANGED = 4;
    /// @dev Set at the first repayment or pledged cash: from then on the balances word (slot 3) is read.
    uint8 internal constant BALANCES = 8;

    /// @dev Default warning line, 160%.
    uint256 internal constant DEFAULT_WARNING_LINE = 1.6e18;
    /// @dev Default liquidation line, 140%.
    uint256 internal constant DEFAULT_LIQUIDATION_LINE = 1.4e18;
    /// @dev Set when the pledge names a calendar (checked closed before a valuation, counts the top-up deadline).
    uint8 internal constant CALENDAR = 16;
    /// @dev Set when the terms call a top-up from the Warning level (else from Liquidation).
    uint8 internal constant TOP_UP_AT_WARNING = 32;
    /// @dev Set when the terms apply repayments to principal first (else interest first).
    uint8 internal constant PRINCIPAL_FIRST = 64;
    /// @dev Set while a Requested pledge keeps an initial-rate cap of its own in the request word (slot 4).
    uint8 internal constant OWN_CAP = 128;
    /// @dev Default cap on the initial pledge rate, 60%.
    uint256 internal constant DEFAULT_MAX_INITIAL_RATE = 0.6e18;

    /// @dev Optional outputs of {compute}.
    uint8 internal constant WITH_TOP_UPS = 1;
    uint8 internal constant WITH_ENFORCEMENT = 2;
    /// @dev The ratio and the warning and liquidation line prices.
    uint8 internal constant WITH_RATIO = 4;

    /// @dev Currency, decimals and address-table index of a cash token, read from the token at its first
    /// pledge and kept (currency and decimals are fixed when the token is issued).
    struct CashTokenInfo {
        bytes3 currency;
        uint8 decimals;
        uint32 index;
    }

    /// @dev Price currency, address-table index and ISIN of a security token, read from the token and kept
    /// once the factory vouched for it (all are fixed at issue). An entry with a currency and no index (kept
    /// before securities were indexed) is completed at the security's next use.
    struct SecurityInfo {
        bytes3 currency;
        uint32 index;
        bytes12 isin;
    }

    /// @dev An entry of the address table: the account, and for a security token its ISIN (the oracle's feed
    /// id), in the same word so that one read names both.
    struct Account {
        address account;
        bytes12 isin;
    }

    /// @dev The book's ERC-7201 namespace `csd.storage.PledgeBook`; append fields only, never reorder. Declared
    /// in this library, it is not seen by the upgrades plugin (which checks the namespaces a contract declares):
    /// a change here or in {IPledgeBook-Pledge} is checked by hand (docs/pledge.md, Upgrades).
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
        /// @dev Index to account (an address in the low 160 bits as before; a security's ISIN above it).
        mapping(uint32 index => Account) accounts;
        /// @dev The token factory that vouches for security and cash tokens.
        ITokenFactory factory;
        /// @dev Each security pledged so far (set once the factory vouched for it; the currency in the low bytes
        /// as before, the index and ISIN added).
        mapping(address security => SecurityInfo) securities;
        /// @dev Calendars the holiday calendars confirmed to exist (they are never removed).
        mapping(bytes4 calendarId => bool) knownCalendars;
        /// @dev Board lot of each security the depository set one for (0: never set, any quantity).
        mapping(address security => uint32 boardLot) boardLots;
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
            $.accounts[index].account = account;
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

    /// @dev The participant through which `account` may act for the pledger: `pledgerId` for the pledger account
    /// or another signer of its investor, the broker's id for a signer of the broker the investor authorised,
    /// 0 when it may not. A broker that is also the pledgee acts for the pledgee only: callers compare the
    /// answer with the pledgee's participant id (an investor is never a pledgee).
    function pledgerSideOf(
        PledgeBookStorage storage $,
        address pledger,
        uint32 pledgerId,
        address account
    ) internal view returns (uint32) {
        if (account == pledger) return $.registry.isActiveSigner(account) ? pledgerId : 0;
        (uint32 id, , ParticipantStatus status) = $.registry.signerOf(account);
        if (id == 0 || status != ParticipantStatus.Active) return 0;
        if (id == pledgerId || (id == $.brokers[pledgerId] && $.registry.isActiveSigner(pledger))) return id;
        return 0;
    }

    /// @dev True when `account` is a signer of the active pledgee participant.
    function isPledgeeSide(
        PledgeBookStorage storage $,
        uint32 pledgeeId,
        address account
    ) internal view returns (bool) {
        return pledgeeId != 0 && $.registry.isAuthorisedSigner(pledgeeId, account);
    }

    /// @dev {pledgerSideOf} for a stored pledge, whose parties are kept as accounts only: true when `account`
    /// acts for the pledger and is not a signer of the pledgee (the pledger's broker being the pledgee).
    function actsForPledger(
        PledgeBookStorage storage $,
        address pledger,
        address pledgee,
        address account
    ) internal view returns (bool) {
        uint32 pledgerId = participantOf($, pledger);
        uint32 via = pledgerSideOf($, pledger, pledgerId, account);
        return via != 0 && (via == pledgerId || via != participantOf($, pledgee));
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

    /// @dev The close of the security of ISIN `isin` for `date` as recorded at the date's close (the oracle's
    /// `closedPriceAt`), or 0 with `notClosed` set when the feed's calendar has not closed the date, or 0 alone
    /// when no price is readable then (none, stale, superseded).
    function closedPrice(
        IPriceOracle oracle,
        bytes12 isin,
        uint256 date
    ) internal view returns (uint256 price, bool notClosed) {
        try oracle.closedPriceAt(isin, date) returns (uint256 p, uint32) {
            return (p, false);
        } catch (bytes memory reason) {
            bytes4 selector;
            if (reason.length >= 4) {
                assembly ("memory-safe") {
                    selector := mload(add(reason, 0x20))
                }
            }
            return (0, selector == IPriceOracle.OracleDateNotClosed.selector);
        }
    }

    /// @dev `PledgeMath.value` over the running debt: the stored interest (accrued to `accruedTo`) plus one
    /// accrual segment to `date`, which is what `PledgeMath.debt` yields after walking the same repayments.
    /// `parts` selects the optional outputs: the top-up sizes (when a top-up is due, extra shares in whole board
    /// lots) for valuations, the enforcement amounts for enforcement, the ratio and line prices for valuations
    /// and previews; outputs not selected stay zero.
    function compute(
        IPledgeBook.Pledge storage p,
        uint256 date,
        uint256 price,
        uint8 parts
    ) internal view returns (PledgeMath.Output memory out) {
        uint8 d = p.cashDecimals;
        uint256 shares = p.shares;
        uint256 interest;
        uint256 cash;
        uint8 flags = p.flags;
        // The balances word is read only once something was recorded in it.
        if (flags & BALANCES != 0) {
            interest = p.interest;
            cash = p.pledgedCash;
        }
        out.principalOutstanding = p.principal;
        out.interestUnpaid =
            interest + PledgeMath.interestUp(out.principalOutstanding, p.interestRate, p.dayCount, p.accruedTo, date);
        out.amountPayable = out.principalOutstanding + out.interestUnpaid;
        {
            uint256 scale = PledgeMath.priceScale(d);
            out.shareValue = PledgeMath.shareValueScaled(shares, price, scale);
            out.collateralValue = out.shareValue + cash;
            if (parts & WITH_RATIO != 0) {
                out.ratio = PledgeMath.ratioDown(out.collateralValue, out.amountPayable);
                (out.warningPrice, out.liquidationPrice) = PledgeMath.linePricesScaled(
                    out.amountPayable,
                    cash,
                    shares,
                    p.warningLine,
                    p.liquidationLine,
                    scale
                );
            }
        }
        out.level = PledgeMath.levelOf(out.collateralValue, out.amountPayable, p.warningLine, p.liquidationLine);
        if (parts & WITH_TOP_UPS != 0 && PledgeMath.topUpDue(out.level, flags & TOP_UP_AT_WARNING != 0)) {
            _topUps(p, out, price, d);
        }
        if (parts & WITH_ENFORCEMENT != 0) {
            (out.enforcementCash, out.enforcementShares, out.enforcementShortfall) = PledgeMath.enforcementAmounts(
                cash,
                shares,
                out.shareValue,
                out.amountPayable,
                price,
                d
            );
        }
    }

    /// @dev The top-up sizes of a valuation that calls a top-up: extra shares in whole board lots of the security.
    function _topUps(IPledgeBook.Pledge storage p, PledgeMath.Output memory out, uint256 price, uint8 d) private view {
        (out.topUpShares, out.topUpCash, out.topUpRepayment) = PledgeMath.topUps(
            out.collateralValue,
            out.amountPayable,
            p.restoreTarget,
            price,
            d
        );
        PledgeBookStorage storage $ = layout();
        out.topUpShares = PledgeMath.toBoardLotUp(out.topUpShares, $.boardLots[$.accounts[p.security].account]);
    }

    /// @dev Largest share quantity a pledge may hold with a cash token of `cashDecimals` (at most 18): below
    /// 2^96 and at most 2^66 x 10^(18 - cashDecimals), so shares x any oracle price (< 2^128) stays below 2^194
    /// in cash units and no valuation step (collateral x WAD, target x payable) can overflow.
    function maxShares(uint8 cashDecimals) internal pure returns (uint256) {
        uint256 scale = 10 ** (18 - uint256(cashDecimals));
        // 2^66 x 10^18 < 2^127: no overflow.
        uint256 bound = (uint256(1) << 66) * scale;
        return bound < type(uint96).max ? bound : type(uint96).max;
    }
}
