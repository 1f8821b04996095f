// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {DayCountConvention} from "../libraries/DayCountConvention.sol";
import {PledgeMath} from "../libraries/PledgeMath.sol";

/// @notice Lifecycle of a pledge: Requested → Active → Released | Enforced; Requested → Cancelled.
enum PledgeStatus {
    None,
    Requested,
    Active,
    Released,
    Enforced,
    Cancelled
}

/// @notice Why a pledge was not valued for a date (nothing is recorded; it can be valued again later).
enum PledgeValuationSkip {
    NoPrice,
    CalendarNotLoaded,
    DateNotClosed
}

/**
 * @title IPledgeBook
 * @notice Securities pledges (SPEC §5.2, DOMAIN.md §2): an investor pledges shares it keeps in its own
 * account to a bank or securities firm against a loan; the depository registers the pledge by encumbering
 * the shares, values it daily against its warning and liquidation lines, and enforces it on default.
 */
interface IPledgeBook {
    /// @notice Terms both parties agree to (EIP-712 `Terms`). Zero lines and target take the defaults.
    /// @param pledger Investor account holding the pledged shares.
    /// @param pledgee Account of the bank or securities firm that lends (receives enforced shares).
    /// @param security Security token pledged (issued by the depository's token factory).
    /// @param cashToken Cash token of the loan currency (units of principal and pledged cash; issued by the
    /// token factory, at most 18 decimals).
    /// @param quantity Shares pledged (token units).
    /// @param principal Loan principal (cash-token units).
    /// @param interestRate Simple annual rate, WAD.
    /// @param dayCount Interest basis (not ActActIcma).
    /// @param startDate First day of interest (day number).
    /// @param maturityDate Repayment date (day number); unpaid debt after it is a default.
    /// @param warningLine Warning line, WAD (0 = 160%).
    /// @param liquidationLine Liquidation line, WAD (0 = 140%).
    /// @param restoreTarget Ratio a top-up restores, WAD (0 = the initial ratio, at the initial price of
    /// {register}, at least the warning line).
    /// @param topUpDays Business days the pledger has to top up after a liquidation-level valuation.
    /// @param calendarId Calendar of those business days, known to the holiday calendars (zero: calendar days);
    /// a non-zero calendar must also be closed for a date before the pledge is valued for it.
    /// @param maxInitialRate Cap on the initial pledge rate (principal / value of the shares at the initial
    /// price of {register}), WAD (0 = 60%); registration above it is refused ({PledgeInitialRateAboveCap}).
    /// @param topUpAtWarning A top-up is due from the Warning level (false: from the Liquidation level).
    /// @param principalFirst Repayments reduce principal, interest stays accrued and owed until the principal is
    /// repaid (false: interest first, then principal).
    struct Terms {
        address pledger;
        address pledgee;
        address security;
        address cashToken;
        uint256 quantity;
        uint256 principal;
        uint256 interestRate;
        DayCountConvention dayCount;
        uint256 startDate;
        uint256 maturityDate;
        uint256 warningLine;
        uint256 liquidationLine;
        uint256 restoreTarget;
        uint256 topUpDays;
        bytes4 calendarId;
        uint256 maxInitialRate;
        bool topUpAtWarning;
        bool principalFirst;
    }

    /// @notice A pledge as stored: three words written at registration, a balances word and a request word.
    /// A valuation reads slots 0–2 (and slot 3 once a repayment or pledged cash is recorded) and writes slot 0;
    /// enforcement reads the same. Accounts and the security are 32-bit indexes in the book's address table
    /// (the security's entry also keeps its ISIN, the oracle's feed id). The start date and the initial-rate
    /// cap are used at registration only: until then the start date is `accruedTo` (no repayment can precede
    /// registration) and a cap other than the default waits in slot 4 (flag bit 7), cleared at registration;
    /// both stay in {PledgeRequested}.
    /// Bounds (refused with {PledgeTermInvalid} naming the field): quantity < 2^96 and at most
    /// 2^66 x 10^(18 - cash decimals) (so no valuation can overflow), cash decimals <= 18, principal < 2^112,
    /// interest rate and lines < 2^64 (WAD, about 1,844 %), dates < 2^24 (day numbers up to the year 47,900),
    /// top-up days < 256, pledged cash < 2^128, unpaid interest < 2^112.
    /// @param security Security token pledged (address-table index).
    /// @param status Lifecycle status.
    /// @param level Level of the last valuation.
    /// @param flags Bit 0 pledger consent, bit 1 pledgee consent, bit 2 inputs changed since the last valuation,
    /// bit 3 balances recorded (slot 3 in use), bit 4 a calendar named, bit 5 top-up due from Warning, bit 6
    /// repayments principal first, bit 7 an initial-rate cap of the pledge's own in slot 4 (until registration).
    /// @param valuedDate Date of the last valuation (0 = never).
    /// @param topUpDue Due date of the open top-up obligation (0 = none).
    /// @param topUpDays Top-up deadline in business days.
    /// @param cashDecimals Decimals of the cash token.
    /// @param dayCount Interest basis.
    /// @param calendarId Calendar of the top-up deadline.
    /// @param pledger Pledger account (address-table index).
    /// @param pledgee Pledgee account (address-table index).
    /// @param cashToken Cash token of the loan currency (address-table index).
    /// @param shares Shares pledged (encumbered at the pledger).
    /// @param principal Outstanding principal.
    /// @param accruedTo Date up to which `interest` is accrued (the start date until the first repayment).
    /// @param maturityDate Maturity date.
    /// @param interestRate Annual rate, WAD.
    /// @param warningLine Warning line, WAD.
    /// @param liquidationLine Liquidation line, WAD.
    /// @param restoreTarget Restore target, WAD (0 until registration when defaulted).
    /// @param interest Interest accrued and unpaid up to `accruedTo` (zero until the first repayment).
    /// @param pledgedCash Cash pledged (encumbered at the pledger in the cash token; zero until pledged).
    /// @param maxInitialRate The pledge's own cap on the initial pledge rate, WAD, while Requested (zero: the
    /// default, or registered).
    struct Pledge {
        // slot 0: head, the only word a valuation writes
        uint32 security;
        PledgeStatus status;
        PledgeMath.Level level;
        uint8 flags;
        uint24 valuedDate;
        uint24 topUpDue;
        uint8 topUpDays;
        uint8 cashDecimals;
        DayCountConvention dayCount;
        bytes4 calendarId;
        uint32 pledger;
        uint32 pledgee;
        uint32 cashToken;
        // slot 1
        uint96 shares;
        uint112 principal;
        uint24 accruedTo;
        uint24 maturityDate;
        // slot 2
        uint64 interestRate;
        uint64 warningLine;
        uint64 liquidationLine;
        uint64 restoreTarget;
        // slot 3: balances, zero (never written) until the first repayment or pledged cash
        uint112 interest;
        uint128 pledgedCash;
        // slot 4: request, written only for a Requested pledge with a cap of its own, cleared at registration
        uint64 maxInitialRate;
    }

    /// @notice What a daily valuation publishes: `PledgeMath.Output` without the enforcement amounts (those
    /// are computed by `enforce` and shown by `preview`). Same fields, same order as the first twelve of
    /// `PledgeMath.Output`.
    /// @param principalOutstanding Principal after repayments.
    /// @param interestUnpaid Accrued unpaid interest.
    /// @param amountPayable principalOutstanding + interestUnpaid.
    /// @param shareValue shares x close, rounded down.
    /// @param collateralValue shareValue + pledged cash.
    /// @param ratio collateralValue / amountPayable, WAD, rounded down.
    /// @param level Normal, Warning or Liquidation.
    /// @param topUpShares When a top-up is due (Liquidation, or Warning under `topUpAtWarning`): extra shares
    /// restoring the target, rounded up to a whole board lot (else 0).
    /// @param topUpCash When a top-up is due: extra pledged cash restoring the target, rounded up (else 0).
    /// @param topUpRepayment When a top-up is due: early repayment restoring the target, rounded up (else 0).
    /// @param warningPrice Close (18 decimals) at which the ratio is at the warning line, rounded down.
    /// @param liquidationPrice Close at which the ratio is at the liquidation line, rounded down.
    struct Valuation {
        uint256 principalOutstanding;
        uint256 interestUnpaid;
        uint256 amountPayable;
        uint256 shareValue;
        uint256 collateralValue;
        uint256 ratio;
        PledgeMath.Level level;
        uint256 topUpShares;
        uint256 topUpCash;
        uint256 topUpRepayment;
        uint256 warningPrice;
        uint256 liquidationPrice;
    }

    /* EVENTS */

    /// @notice Emitted when an investor authorises a broker to request and sign pledges on its behalf.
    event BrokerAuthorised(uint32 indexed investorId, uint32 indexed brokerId, address by);
    /// @notice Emitted when an investor withdraws its broker's authority.
    event BrokerRevoked(uint32 indexed investorId, uint32 indexed brokerId, address by);
    /// @notice Emitted when a pledge is requested; carries the full terms.
    /// @param id Pledge id.
    /// @param pledger Pledger account.
    /// @param pledgee Pledgee account.
    /// @param terms The terms as given (zero lines mean defaults, resolved in the stored pledge).
    /// @param by Account that submitted the request.
    event PledgeRequested(
        uint256 indexed id,
        address indexed pledger,
        address indexed pledgee,
        Terms terms,
        address by
    );
    /// @notice Emitted when one side consents to a requested pledge (by call or by signature).
    /// @param id Pledge id.
    /// @param pledgerSide True for the pledger's side, false for the pledgee's.
    /// @param signer Account whose call or signature gave the consent.
    event PledgeConsented(uint256 indexed id, bool pledgerSide, address indexed signer);
    /// @notice Emitted when the depository registers a pledge and the shares are encumbered.
    /// @param id Pledge id.
    /// @param shares Shares encumbered at the pledger.
    /// @param restoreTarget Restore target in force, WAD.
    /// @param initialPrice Initial price (18 decimals): the start date's, or after a later close the price as it
    /// stands at registration (see {register}).
    /// @param initialRate Initial pledge rate: principal / value of the shares at `initialPrice`, WAD, rounded up.
    /// @param by Depository signer.
    event PledgeRegistered(
        uint256 indexed id,
        uint256 shares,
        uint256 restoreTarget,
        uint256 initialPrice,
        uint256 initialRate,
        address by
    );
    /// @notice Emitted when the depository sets the board lot of a security (extra shares are whole lots).
    event PledgeBoardLotSet(address indexed security, uint256 boardLot, address by);
    /// @notice Emitted when a requested pledge is cancelled before registration.
    event PledgeCancelled(uint256 indexed id, address by);
    /// @notice Emitted for every valuation: its inputs and outputs (PledgeMath.Output but the enforcement amounts).
    /// @param id Pledge id.
    /// @param date Valuation date.
    /// @param closePrice Close used (18 decimals).
    /// @param shares Pledged shares.
    /// @param pledgedCash Pledged cash.
    /// @param out The valuation result.
    event PledgeValued(
        uint256 indexed id,
        uint256 indexed date,
        uint256 closePrice,
        uint256 shares,
        uint256 pledgedCash,
        Valuation out
    );
    /// @notice Emitted when the level changes (Normal → Warning is the warning notice).
    event PledgeLevelChanged(uint256 indexed id, uint256 indexed date, PledgeMath.Level from, PledgeMath.Level to);
    /// @notice Emitted when a valuation opens a top-up obligation (at Liquidation, or Warning under `topUpAtWarning`).
    /// @param id Pledge id.
    /// @param date Valuation date.
    /// @param shares Extra shares that restore the target.
    /// @param cash Extra pledged cash that restores the target.
    /// @param repayment Early repayment that restores the target.
    /// @param dueDate Last day to top up; after it the pledge is in default.
    event PledgeTopUpCalled(
        uint256 indexed id,
        uint256 indexed date,
        uint256 shares,
        uint256 cash,
        uint256 repayment,
        uint256 dueDate
    );
    /// @notice Emitted when a valuation finds the level above the line that called the top-up and closes the
    /// obligation.
    event PledgeTopUpCleared(uint256 indexed id, uint256 indexed date);
    /// @notice Emitted when a pledge is not valued for `date`, with the reason: no price readable at the date's
    /// close (none, stale or superseded), a year of the pledge's calendar not loaded for the top-up deadline,
    /// or the date not yet closed for the pledge's calendar or the security's feed. Nothing is recorded.
    event PledgeValuationSkipped(uint256 indexed id, uint256 indexed date, PledgeValuationSkip reason);
    /// @notice Emitted when shares or cash are added to the pledge (top-up, pledged dividends).
    event PledgeToppedUp(
        uint256 indexed id,
        uint256 shares,
        uint256 cash,
        uint256 sharesAfter,
        uint256 cashAfter,
        address by
    );
    /// @notice Emitted when the pledgee records a repayment (interest first, or principal first under
    /// `principalFirst`).
    event PledgeRepaid(
        uint256 indexed id,
        uint256 indexed date,
        uint256 amount,
        uint256 toInterest,
        uint256 toPrincipal,
        uint256 principalAfter,
        uint256 interestAfter,
        address by
    );
    /// @notice Emitted when the pledgee consents to releasing shares or cash; `full` when nothing is left.
    event PledgeReleased(
        uint256 indexed id,
        uint256 shares,
        uint256 cash,
        uint256 sharesAfter,
        uint256 cashAfter,
        bool full,
        address by
    );
    /// @notice Emitted when the depository enforces a pledge in default.
    /// @param id Pledge id.
    /// @param date Enforcement date (valuation date of the amounts).
    /// @param closePrice Close used.
    /// @param amountPayable Debt at that date.
    /// @param cashTransferred Pledged cash moved to the pledgee.
    /// @param sharesTransferred Shares moved to the pledgee.
    /// @param shortfall Debt left uncovered at the close.
    /// @param sharesReleased Shares returned to the pledger's free balance.
    /// @param cashReleased Cash returned to the pledger's free balance.
    event PledgeEnforced(
        uint256 indexed id,
        uint256 indexed date,
        uint256 closePrice,
        uint256 amountPayable,
        uint256 cashTransferred,
        uint256 sharesTransferred,
        uint256 shortfall,
        uint256 sharesReleased,
        uint256 cashReleased
    );

    /* ERRORS */

    /// @notice Thrown when no pledge has this id.
    error PledgeUnknown(uint256 id);
    /// @notice Thrown when the pledge is not in the status the operation needs.
    error PledgeWrongStatus(uint256 id, PledgeStatus status, PledgeStatus needed);
    /// @notice Thrown when `account` may not act for the pledger `pledger`.
    error PledgeNotPledgerSide(address pledger, address account);
    /// @notice Thrown when `account` may not act for the pledgee `pledgee`.
    error PledgeNotPledgeeSide(address pledgee, address account);
    /// @notice Thrown when a party is not an active participant of an allowed kind.
    error PledgePartyInvalid(address account, uint8 kind, uint8 status);
    /// @notice Thrown when a term is out of range; `field` names it.
    error PledgeTermInvalid(bytes32 field, uint256 value);
    /// @notice Thrown when the security's price currency differs from the cash token's currency.
    error PledgeCurrencyMismatch(bytes3 securityCurrency, bytes3 cashCurrency);
    /// @notice Thrown when a signature's deadline has passed.
    error PledgeSignatureExpired(uint256 deadline, uint256 timestamp);
    /// @notice Thrown when the side already consented.
    error PledgeAlreadyConsented(uint256 id, bool pledgerSide);
    /// @notice Thrown when registration is asked before both sides consented.
    error PledgeConsentMissing(uint256 id, bool pledgerConsent, bool pledgeeConsent);
    /// @notice Thrown when a date is outside [earliest, latest].
    error PledgeDateInvalid(uint256 date, uint256 earliest, uint256 latest);
    /// @notice Thrown when an amount is zero.
    error PledgeZeroAmount();
    /// @notice Thrown when a repayment exceeds the debt at its date.
    error PledgeRepaymentExceedsDebt(uint256 amount, uint256 owed);
    /// @notice Thrown when a release asks for more than is pledged.
    error PledgeReleaseExceedsPledged(uint256 shares, uint256 pledgedShares, uint256 cash, uint256 pledgedCash);
    /// @notice Thrown when enforcement is asked of a pledge that is not in default at `date`.
    error PledgeNotInDefault(uint256 id, uint256 date, uint256 topUpDue, uint256 maturityDate);
    /// @notice Thrown when the caller is not a signer of an active investor.
    error PledgeNotInvestor(address account);
    /// @notice Thrown when a participant is not an active broker.
    error PledgeNotBroker(uint32 brokerId);
    /// @notice Thrown when an investor has no broker to revoke.
    error PledgeNoBroker(uint32 investorId);
    /// @notice Thrown when no readable price exists for the security at the date.
    error PledgeNoPrice(address security, uint256 date);
    /// @notice Thrown when the pledged security is not a security token of the depository's token factory.
    error PledgeNotSecurityToken(address token);
    /// @notice Thrown when the loan's cash token is not a cash token of the depository's token factory.
    error PledgeNotCashToken(address token);
    /// @notice Thrown when the terms name a calendar the holiday calendars do not know.
    error PledgeCalendarUnknown(bytes4 calendarId);
    /// @notice Thrown at registration when the initial pledge rate is above the pledge's cap.
    /// @param id Pledge id.
    /// @param initialRate Initial pledge rate, WAD, rounded up.
    /// @param maxInitialRate The cap, WAD.
    error PledgeInitialRateAboveCap(uint256 id, uint256 initialRate, uint256 maxInitialRate);
    /// @notice Thrown when a signer of the pledgee, the pledger's authorised broker, signs for the pledger.
    error PledgeBrokerIsPledgee(uint32 brokerId, address signer);

    /* BROKERS */

    /// @notice Authorises broker `brokerId` to request, sign and top up pledges for the caller's investor.
    /// @dev Requires the caller to be a signer of an active investor and `brokerId` an active Broker.
    /// Emits {BrokerAuthorised}.
    /// @param brokerId Broker participant id.
    function authoriseBroker(uint32 brokerId) external;

    /// @notice Withdraws the authority of the caller's investor's broker.
    /// @dev Requires the caller to be a signer of an active investor that has a broker. Emits {BrokerRevoked}.
    function revokeBroker() external;

    /* LIFECYCLE */

    /// @notice Requests a pledge by call; the caller's side consents (pledger, its broker or pledgee signer).
    /// @dev Requires valid terms and a caller acting for one side. A signer of the pledger's authorised broker
    /// acts for the pledger unless that broker is the pledgee: then it acts for the pledgee only, and the
    /// pledger side must be given by the investor's own signer. Emits {PledgeRequested}, {PledgeConsented}.
    /// @param terms Pledge terms.
    /// @return id New pledge id.
    function request(Terms calldata terms) external returns (uint256 id);

    /// @notice Requests a pledge with both sides' EIP-712 signatures of `PledgeRequest(terms, nonce, deadline)`,
    /// nonce = `nonces(terms.pledger)`.
    /// @dev Requires valid terms, an active participant as caller, a deadline not passed, the pledger-side
    /// signature by the pledger, another signer of its investor or of its authorised broker (not when that
    /// broker is the pledgee: {PledgeBrokerIsPledgee}), and the pledgee-side signature by a signer of the
    /// pledgee. Consumes the nonce. Emits {PledgeRequested} and two {PledgeConsented}.
    /// @param terms Pledge terms.
    /// @param deadline Last timestamp the signatures are valid.
    /// @param pledgerSignature Pledger-side signature.
    /// @param pledgeeSignature Pledgee-side signature.
    /// @return id New pledge id.
    function requestSigned(
        Terms calldata terms,
        uint256 deadline,
        bytes calldata pledgerSignature,
        bytes calldata pledgeeSignature
    ) external returns (uint256 id);

    /// @notice Requests and registers a pledge in one depository transaction, with both sides' EIP-712
    /// signatures of `PledgeRequest(terms, nonce, deadline)`, nonce = `nonces(terms.pledger)`.
    /// @dev Requires DEPOSITORY_ROLE, valid terms, a deadline not passed, the signatures `requestSigned`
    /// requires, a free balance covering the shares, the start date reached, an initial price readable and an
    /// initial pledge rate at most the cap ({PledgeInitialRateAboveCap}), as {register}. Consumes the nonce.
    /// Emits {PledgeRequested}, two {PledgeConsented} and {PledgeRegistered}.
    /// @param terms Pledge terms.
    /// @param deadline Last timestamp the signatures are valid.
    /// @param pledgerSignature Pledger-side signature.
    /// @param pledgeeSignature Pledgee-side signature.
    /// @return id New pledge id, Active.
    function registerSigned(
        Terms calldata terms,
        uint256 deadline,
        bytes calldata pledgerSignature,
        bytes calldata pledgeeSignature
    ) external returns (uint256 id);

    /// @notice The other side's consent to a requested pledge, by call.
    /// @dev Requires status Requested and a caller acting for a side that has not consented. Emits {PledgeConsented}.
    /// @param id Pledge id.
    function consent(uint256 id) external;

    /// @notice Registers a requested pledge: encumbers the shares at the pledger and activates it.
    /// @dev Requires DEPOSITORY_ROLE, status Requested, both consents, a free balance covering the shares, the
    /// start date reached, an initial price readable and an initial pledge rate at most the cap
    /// ({PledgeInitialRateAboveCap}). The initial price is the start date's: the oracle's `priceAt` for the
    /// start date. After a later close was pushed the oracle (which keeps a feed's latest price only) no
    /// longer holds it, and the price as it stands at registration, `priceAt` for today, values the shares
    /// being encumbered. {PledgeNoPrice} names the start date when it is still ahead, today when no price is
    /// readable. Emits {PledgeRegistered}.
    /// @param id Pledge id.
    function register(uint256 id) external;

    /// @notice Cancels a pledge before registration.
    /// @dev Requires status Requested and a caller acting for either side or DEPOSITORY_ROLE. Emits {PledgeCancelled}.
    /// @param id Pledge id.
    function cancel(uint256 id) external;

    /// @notice Values active pledges at `date` from the market data as of the date's close (permissionless;
    /// passes over pledges not Active, already valued at `date` with unchanged inputs, or valued at a later
    /// date). Whoever calls it and whenever, a pledge's valuation for `date` is the one computed from the close.
    /// @dev Requires `date` not after today. A pledge is skipped with {PledgeValuationSkipped} and nothing
    /// recorded when `date` is not closed for its calendar (`DateNotClosed`; the security's feed calendar is
    /// checked by the oracle's `closedPriceAt`), when no price is readable at the close (`NoPrice`), or when its
    /// top-up deadline needs a calendar year not loaded (`CalendarNotLoaded`); one pledge never reverts the batch.
    /// Per pledge valued emits {PledgeValued}, and when due {PledgeLevelChanged}, {PledgeTopUpCalled},
    /// {PledgeTopUpCleared}.
    /// @param ids Pledge ids.
    /// @param date Business date (day number).
    /// @return valued Number of pledges valued.
    function value(uint256[] calldata ids, uint256 date) external returns (uint256 valued);

    /// @notice Adds shares and/or pledged cash (top-up, or dividends on the pledged shares).
    /// @dev Requires status Active, a non-zero amount, a caller acting for the pledger or DEPOSITORY_ROLE, and the
    /// pledger's free balances covering the amounts. Emits {PledgeToppedUp}.
    /// @param id Pledge id.
    /// @param shares Extra shares to encumber.
    /// @param cash Extra cash to encumber in the loan's cash token.
    function topUp(uint256 id, uint256 shares, uint256 cash) external;

    /// @notice Records a repayment received by the pledgee: accrued interest first, then principal (or principal
    /// first, interest staying accrued and owed, when the terms say so).
    /// @dev Requires status Active, a pledgee-side caller, 0 < amount ≤ debt at `date`, and
    /// accruedTo ≤ date ≤ today. Emits {PledgeRepaid}.
    /// @param id Pledge id.
    /// @param amount Amount repaid (cash-token units).
    /// @param date Value date of the repayment.
    function repay(uint256 id, uint256 amount, uint256 date) external;

    /// @notice The pledgee's consent to release shares and/or pledged cash; releasing everything ends the pledge.
    /// @dev Requires status Active, a pledgee-side caller, a non-zero amount within what is pledged.
    /// Emits {PledgeReleased}.
    /// @param id Pledge id.
    /// @param shares Shares to release.
    /// @param cash Pledged cash to release.
    function release(uint256 id, uint256 shares, uint256 cash) external;

    /// @notice Sets the board lot of `security`: extra shares a top-up asks for are a whole number of lots
    /// (1 until set: any quantity).
    /// @dev Requires DEPOSITORY_ROLE, a security token of the token factory and a lot of at least 1 below 2^32.
    /// Emits {PledgeBoardLotSet}.
    /// @param security Security token.
    /// @param boardLot Board lot in token units (100 on SSE/SZSE).
    function setBoardLot(address security, uint256 boardLot) external;

    /// @notice Board lot of `security` kept by the book (1 when never set).
    function boardLotOf(address security) external view returns (uint256);

    /// @notice Enforces a pledge in default: pledged cash first, then the shares that cover the rest of the
    /// debt at the close (rounded up), move to the pledgee; everything else is released to the pledger.
    /// @dev Requires DEPOSITORY_ROLE, status Active, max(valuedDate, accruedTo) ≤ date ≤ today, a readable price
    /// for the date (the oracle's `priceAt`, as the depository decides; otherwise {PledgeNoPrice}),
    /// and a default at `date`: an open top-up past its due date with the level still at or below the line that
    /// called it (Liquidation, or Warning under `topUpAtWarning`), or debt
    /// left after maturity. Emits {PledgeEnforced}.
    /// @param id Pledge id.
    /// @param date Valuation date of the enforcement.
    function enforce(uint256 id, uint256 date) external;

    /* VIEWS */

    /// @notice A stored pledge as its five packed storage words, in the layout of {Pledge} (solidity packing,
    /// first field in the low bytes), with the pledger, pledgee, cash token and security its indexes name.
    /// Decoded by `decodePledge` in `lib/pledge.ts`; a typed copy would not fit the contract size limit.
    /// @param id Pledge id.
    /// @return words Slots 0..4 of the pledge.
    /// @return accounts Pledger, pledgee, cash token and security addresses.
    function pledgeWords(uint256 id) external view returns (bytes32[5] memory words, address[4] memory accounts);
    /// @notice Number of pledges (ids run from 1).
    function pledgeCount() external view returns (uint256);
    /// @notice Broker authorised by an investor (0 = none).
    function brokerOf(uint32 investorId) external view returns (uint32);
    /// @notice Valuation of a pledge at `date` with the oracle's price at the date's close, without writing
    /// anything; reverts {PledgeNoPrice} before the close.
    function preview(uint256 id, uint256 date) external view returns (PledgeMath.Output memory out, uint256 closePrice);
}
