// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {RepoStatus, RepoSide, IRepoBook} from "../interfaces/IRepoBook.sol";
import {RepoMath} from "../libraries/RepoMath.sol";
import {DayCountConvention} from "../libraries/DayCountConvention.sol";
import {IParticipantRegistry} from "../interfaces/IParticipantRegistry.sol";
import {ITokenFactory} from "../interfaces/ITokenFactory.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {IHolidayCalendar} from "../interfaces/IHolidayCalendar.sol";

/**
 * @title RepoTypes
 * @notice Storage layout of the repo book, shared by {RepoBook} and its linked library {RepoRevaluation}.
 * @dev ERC-7201 namespace `csd.storage.RepoBook`. Per deal, the terms revaluation reads (the margin method
 * with them) are packed into four slots; accounts, purchased quantity and the terms hash take three more; the
 * mutable state is ONE slot, written once per revaluation, whose last revalued date is the idempotency marker.
 */
library RepoTypes {
    uint8 internal constant F_BORROWER_SIGNED = 1;
    uint8 internal constant F_LENDER_SIGNED = 2;
    uint8 internal constant F_ON_CHAIN = 4;
    uint8 internal constant F_BORROWER_AGREED = 8;
    uint8 internal constant F_LENDER_AGREED = 16;
    uint8 internal constant F_BORROWER_CALL = 32;
    uint8 internal constant F_LENDER_CALL = 64;
    /// @dev A stored margin ratio step (1e-8) in WAD.
    uint256 internal constant MARGIN_RATIO_STEP = 1e10;

    /// @dev Mutable state of a deal: one slot (1 + 1 + 1 + 4 + 8 + 12 bytes).
    struct State {
        RepoStatus status;
        uint8 flags;
        uint8 cashMargins;
        uint32 lastRevaluedDate;
        uint64 ltv;
        uint96 quantity;
    }

    /// @dev A deal: seven slots of terms, one of state.
    struct Deal {
        // slot 0: what revaluation needs to find its market data
        address security;
        bytes3 currency;
        bytes4 calendar;
        uint16 basis;
        uint8 marginDeadlineDays;
        uint8 cashDecimals;
        DayCountConvention couponDayCount;
        // slot 1
        uint128 purchasePrice;
        uint128 minimumTransfer;
        // slot 2
        uint64 repoRate;
        uint64 cashMarginRate;
        uint64 initialLtv;
        uint64 lowerTrigger;
        // slot 3
        uint64 upperTrigger;
        uint32 tradeDate;
        uint32 startDate;
        uint32 repurchaseDate;
        uint32 borrower;
        uint32 lender;
        // Method A margin ratio in steps of 1e-8 (1e8 = 100%); zero elects Method B. In the slot's last four
        // bytes, zero for every deal stored before the margin method was a term (they are Method B deals).
        uint32 marginRatioE8;
        // slot 4
        address borrowerAccount;
        uint96 quantity;
        // slot 5
        address lenderAccount;
        // slot 6
        bytes32 termsHash;
        // slot 7
        State state;
    }

    /// @dev Security data copied from the token at first use (two slots).
    struct SecurityInfo {
        bytes12 isin;
        bytes3 currency;
        bool known;
        bool isBond;
        uint8 frequency;
        DayCountConvention dayCount;
        uint32 issueDate;
        uint32 maturityDate;
        uint128 faceValuePerUnit;
        uint64 couponRate;
    }

    /// @dev The deal currency's cash token, resolved once through the factory (one slot).
    struct CashInfo {
        address token;
        uint8 decimals;
    }

    /// @dev Cash margin as stored: one slot.
    struct StoredMargin {
        uint128 amount;
        uint32 postedOn;
        bool byLender;
    }

    /// @dev The book's ERC-7201 namespace `csd.storage.RepoBook` (at {STORAGE_SLOT}). Kept in this library so the
    /// linked libraries share it; append fields only, never reorder.
    struct RepoStorage {
        IParticipantRegistry registry;
        ITokenFactory factory;
        IPriceOracle oracle;
        IHolidayCalendar calendar;
        uint256 dealCount;
        mapping(uint256 dealId => Deal) deals;
        mapping(uint256 dealId => mapping(RepoSide side => IRepoBook.Obligation)) obligations;
        mapping(uint256 dealId => mapping(uint256 index => StoredMargin)) margins;
        mapping(address security => SecurityInfo) securities;
        mapping(bytes3 currency => CashInfo) cash;
        mapping(bytes4 calendar => bool) calendars;
    }

    // keccak256(abi.encode(uint256(keccak256("csd.storage.RepoBook")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 internal constant STORAGE_SLOT = 0x01a8f555187ea2492b4f46dfc22ce71a7b50f5b958bf43175b77317513753c00;

    /// @dev The book's storage.
    function layout() internal pure returns (RepoStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @dev The cash margin transfers of a deal, as the math takes them.
    function loadMargins(uint256 dealId, uint256 count) internal view returns (RepoMath.CashMargin[] memory list) {
        list = new RepoMath.CashMargin[](count);
        mapping(uint256 => StoredMargin) storage stored = layout().margins[dealId];
        for (uint256 i = 0; i < count; ++i) {
            StoredMargin memory m = stored[i];
            list[i] = RepoMath.CashMargin(m.amount, m.postedOn, m.byLender);
        }
    }

    /// @dev The open-call flag of a side.
    function callFlag(RepoSide side) internal pure returns (uint8) {
        return side == RepoSide.Borrower ? F_BORROWER_CALL : F_LENDER_CALL;
    }
}
