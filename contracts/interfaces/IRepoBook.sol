// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {RepoMath} from "../libraries/RepoMath.sol";

/// @notice Lifecycle of a repo deal. Legal moves: Proposed → Signed (both signatures) → Accepted (agent) →
/// Active (opening leg) → Repurchased | Terminated (both parties agreed, closing leg) | Defaulted (an obligation
/// overdue) → ClosedOut (agent). Proposed, Signed and Accepted may be Cancelled.
enum RepoStatus {
    None,
    Proposed,
    Signed,
    Accepted,
    Active,
    Repurchased,
    Terminated,
    Defaulted,
    ClosedOut,
    Cancelled
}

/// @notice Status of a margin-call obligation.
enum ObligationStatus {
    None,
    Open,
    Settled,
    Cancelled,
    Overdue
}

/// @notice The party that owes an obligation: the cash borrower (LTV above the upper trigger) or the cash
/// lender (LTV below the lower trigger).
enum RepoSide {
    Borrower,
    Lender
}

/// @notice Why a deal was not revalued for a date. Only Holiday is recorded (the date counts as done); after
/// any other skip the deal can be revalued for that date later.
/// DateNotClosed: the date is not closed for the deal's calendar or the feed's ({IPriceOracle-closeBusinessDate}).
/// ValueOutOfRange: a price x FX, value or call of the deal lies outside what the book computes or stores
/// (dirty price x FX above 2^155, a call above 2^128 - 1).
enum RevaluationSkip {
    Holiday,
    BeforeStart,
    NoPrice,
    NoFxRate,
    CalendarNotLoaded,
    OutsideBondLife,
    MarginPostedLater,
    DateNotClosed,
    ValueOutOfRange
}

/**
 * @title IRepoBook
 * @notice One book holding every repo deal with an LTV corridor by id (SPEC §5.1, DOMAIN.md §1, §6): signing
 * with EIP-712 signatures of authorised signers, acceptance and settlement by the tri-party agent, daily
 * revaluation from the price oracle, margin-call obligations, repurchase, early termination and default.
 * @dev Units as in {RepoMath}: money in the smallest unit of the deal currency's cash token, prices and FX 18
 * decimals, rates and ratios WAD, dates day numbers, quantities token units.
 */
interface IRepoBook {
    /// @notice The terms both parties sign.
    /// @param borrower Participant id of the cash borrower (seller of the securities).
    /// @param lender Participant id of the cash lender (buyer of the securities).
    /// @param borrowerAccount Signer address of the borrower holding the securities and receiving the cash.
    /// @param lenderAccount Signer address of the lender paying the cash and holding the collateral.
    /// @param security Security token of the purchased securities.
    /// @param quantity Purchased quantity, token units.
    /// @param currency Deal currency (ISO 4217 ASCII); its cash token must exist.
    /// @param purchasePrice Cash paid on the purchase date, cash-token units.
    /// @param repoRate Repo rate, WAD per year.
    /// @param basis Interest basis: 360 or 365 (actual days / basis).
    /// @param tradeDate Signing date (day number).
    /// @param startDate First day of interest: purchase date (GMRA) or signing date (the pilot).
    /// @param repurchaseDate Date of the closing leg.
    /// @param initialLtv LTV a margin transfer restores, WAD.
    /// @param lowerTrigger Below this LTV the lender owes margin, WAD.
    /// @param upperTrigger Above this LTV the borrower owes margin, WAD.
    /// @param marginDeadlineDays Business days on the deal calendar from a call to its due date (1..30).
    /// @param minimumTransfer No obligation when the cash size of a call is below this, cash-token units.
    /// @param cashMarginRate Interest on cash margin, WAD per year.
    /// @param calendar Holiday calendar (MIC) of the deal's business days.
    /// @param couponDayCount Day count of accrued coupon ({DayCountConvention} index); must be the instrument's
    /// (equities: any valid index, unused).
    /// @param marginMethod GMRA margin method elected: 0 = Method B (the LTV corridor: a call restores the
    /// initial LTV), 1 = Method A (margin ratio: any exposure from the minimum transfer amount is called).
    /// @param marginRatio Method A margin ratio MR (market value at trade / purchase price), WAD, at least 1e18;
    /// zero under Method B. Under Method A the corridor terms must be zero (no corridor applies).
    struct Terms {
        uint32 borrower;
        uint32 lender;
        address borrowerAccount;
        address lenderAccount;
        address security;
        uint96 quantity;
        bytes3 currency;
        uint128 purchasePrice;
        uint64 repoRate;
        uint16 basis;
        uint32 tradeDate;
        uint32 startDate;
        uint32 repurchaseDate;
        uint64 initialLtv;
        uint64 lowerTrigger;
        uint64 upperTrigger;
        uint8 marginDeadlineDays;
        uint128 minimumTransfer;
        uint64 cashMarginRate;
        bytes4 calendar;
        uint8 couponDayCount;
        uint8 marginMethod;
        uint64 marginRatio;
    }

    /// @notice The mutable state of a deal.
    /// @param status Lifecycle status.
    /// @param borrowerSigned Borrower's signature recorded.
    /// @param lenderSigned Lender's signature recorded.
    /// @param onChain Opening leg settled through tokens (obligations and closing leg then settle on chain).
    /// @param borrowerAgreedTermination Borrower agreed to terminate early.
    /// @param lenderAgreedTermination Lender agreed to terminate early.
    /// @param borrowerCallOpen A margin call on the borrower is open.
    /// @param lenderCallOpen A margin call on the lender is open.
    /// @param cashMargins Number of cash margin transfers held.
    /// @param lastRevaluedDate Last business date revalued or skipped as a holiday (0 = never).
    /// @param ltv LTV of the last revaluation, WAD (saturated at 2^64 − 1).
    /// @param quantity Collateral held: purchased quantity plus net securities margin.
    struct DealState {
        RepoStatus status;
        bool borrowerSigned;
        bool lenderSigned;
        bool onChain;
        bool borrowerAgreedTermination;
        bool lenderAgreedTermination;
        bool borrowerCallOpen;
        bool lenderCallOpen;
        uint8 cashMargins;
        uint32 lastRevaluedDate;
        uint64 ltv;
        uint96 quantity;
    }

    /// @notice A margin-call obligation (at most one per deal and side).
    /// @param status Open, Settled, Cancelled or Overdue.
    /// @param raisedOn Business date of the revaluation that raised it.
    /// @param dueDate Last business date to settle it.
    /// @param updatedOn Business date of the revaluation that last sized it.
    /// @param cash Cash that restores the initial LTV (borrower: rounded up; lender: down).
    /// @param quantity Securities that restore the initial LTV (borrower: rounded up; lender: down).
    struct Obligation {
        ObligationStatus status;
        uint32 raisedOn;
        uint32 dueDate;
        uint32 updatedOn;
        uint128 cash;
        uint128 quantity;
    }

    /// @notice Market inputs of one revaluation (the rest of the inputs are the deal's terms and state).
    /// @param cleanPrice Oracle clean price per token unit, 18 decimals of the security's currency.
    /// @param priceDate Business date of that price.
    /// @param fxRate Deal currency per unit of the security's currency, 18 decimals.
    /// @param fxDate Business date of the FX rate (the valuation date when no conversion is needed).
    /// @param quantity Collateral quantity valued.
    /// @param oldLtv LTV of the previous revaluation (0 before the first).
    struct RevaluationInputs {
        uint256 cleanPrice;
        uint32 priceDate;
        uint256 fxRate;
        uint32 fxDate;
        uint256 quantity;
        uint256 oldLtv;
    }

    /// @notice The closing leg (repurchase or early termination).
    /// @param status Repurchased or Terminated.
    /// @param closeDate Date interest ran to (the repurchase date, or the termination day).
    /// @param repurchasePrice Purchase price plus repo interest (rounded up).
    /// @param borrowerCashMargin Borrower cash margin with interest, netted.
    /// @param lenderCashMargin Lender cash margin with interest, netted.
    /// @param borrowerPays Net cash the borrower pays (0 when the lender pays).
    /// @param lenderPays Net cash the lender pays (0 when the borrower pays).
    /// @param quantity Collateral returned to the borrower.
    /// @param onChain True when tokens moved.
    struct Closing {
        RepoStatus status;
        uint256 closeDate;
        uint256 repurchasePrice;
        uint256 borrowerCashMargin;
        uint256 lenderCashMargin;
        uint256 borrowerPays;
        uint256 lenderPays;
        uint256 quantity;
        bool onChain;
    }

    /// @notice A party's signature submitted with the agent's acceptance.
    /// @param signer Authorised signer of the borrower or the lender.
    /// @param deadline Last timestamp the signature is valid.
    /// @param signature EIP-712 signature (EOA or ERC-1271) of {RepoSignature} at the signer's nonce.
    struct PartySignature {
        address signer;
        uint256 deadline;
        bytes signature;
    }

    /* EVENTS */

    /// @notice Emitted when a deal is proposed, with every term.
    /// @param dealId Deal id.
    /// @param proposer Address that proposed.
    /// @param termsHash EIP-712 struct hash of the terms (what each party signs).
    /// @param terms The terms.
    event RepoProposed(uint256 indexed dealId, address indexed proposer, bytes32 termsHash, Terms terms);
    /// @notice Emitted when a party's signature over the terms is recorded.
    /// @param dealId Deal id.
    /// @param participantId Party that signed.
    /// @param signer Authorised signer whose signature was checked.
    /// @param nonce Signer nonce consumed.
    event RepoSigned(uint256 indexed dealId, uint32 indexed participantId, address signer, uint256 nonce);
    /// @notice Emitted when the tri-party agent accepts a signed deal.
    event RepoAccepted(uint256 indexed dealId, address indexed agent);
    /// @notice Emitted when the opening leg settles and the deal becomes active.
    /// @param dealId Deal id.
    /// @param security Security token (indexed: the per-security index of open deals is built from this).
    /// @param onChain True when tokens moved; false when the agent confirmed an off-chain settlement.
    /// @param quantity Securities delivered to the lender.
    /// @param purchasePrice Cash paid to the borrower.
    /// @param settlementRef Agent's settlement settlementRef (zero on chain).
    event RepoOpened(
        uint256 indexed dealId,
        address indexed security,
        bool onChain,
        uint256 quantity,
        uint256 purchasePrice,
        bytes32 settlementRef
    );
    /// @notice Emitted once per deal and business date revalued, with all inputs and outputs.
    /// @param dealId Deal id.
    /// @param date Business date.
    /// @param inputs Market inputs and the previous LTV.
    /// @param output Repurchase price, accrued coupon, dirty price, market value, cash margins, exposure,
    /// LTV, action, the call in cash and securities and the transaction exposure under the deal's margin method
    /// (see {RepoMath.Output}).
    event RepoRevalued(uint256 indexed dealId, uint256 indexed date, RevaluationInputs inputs, RepoMath.Output output);
    /// @notice Emitted when a deal is not revalued for a date, with the reason.
    event RepoRevaluationSkipped(uint256 indexed dealId, uint256 indexed date, RevaluationSkip reason);
    /// @notice Emitted when a revaluation raises a margin call.
    /// @param dealId Deal id.
    /// @param side Party that owes.
    /// @param date Business date of the revaluation.
    /// @param dueDate Last business date to settle.
    /// @param cash Cash that restores the initial LTV.
    /// @param quantity Securities that restore the initial LTV.
    event MarginCallRaised(
        uint256 indexed dealId,
        RepoSide indexed side,
        uint256 date,
        uint256 dueDate,
        uint256 cash,
        uint256 quantity
    );
    /// @notice Emitted when a later revaluation resizes an open margin call (its due date is kept).
    event MarginCallResized(
        uint256 indexed dealId,
        RepoSide indexed side,
        uint256 date,
        uint256 cash,
        uint256 quantity
    );
    /// @notice Emitted when a revaluation (back inside the corridor) or the closing leg cancels an open call.
    event MarginCallCancelled(uint256 indexed dealId, RepoSide indexed side, uint256 date);
    /// @notice Emitted when a margin call is settled.
    /// @param dealId Deal id.
    /// @param side Party that owed.
    /// @param inSecurities True when settled in securities, false in cash.
    /// @param amount Securities (token units) or cash (cash-token units) transferred.
    /// @param onChain True when tokens moved; false when the agent confirmed an off-chain transfer.
    /// @param postedOn Day the margin was received (cash margin interest runs from it).
    /// @param settlementRef Agent's settlement settlementRef (zero on chain).
    event MarginCallSettled(
        uint256 indexed dealId,
        RepoSide indexed side,
        bool inSecurities,
        uint256 amount,
        bool onChain,
        uint256 postedOn,
        bytes32 settlementRef
    );
    /// @notice Emitted when the agent records a margin transfer agreed outside a call (settled off chain).
    event MarginTransferRecorded(
        uint256 indexed dealId,
        RepoSide indexed side,
        bool inSecurities,
        uint256 amount,
        uint256 postedOn,
        bytes32 settlementRef
    );
    /// @notice Emitted when an open call passes its due date: the deal defaults.
    event MarginCallOverdue(uint256 indexed dealId, RepoSide indexed side, uint256 dueDate, address by);
    /// @notice Emitted when a party agrees to terminate early.
    event RepoTerminationAgreed(uint256 indexed dealId, uint32 indexed participantId);
    /// @notice Emitted when the closing leg settles.
    /// @param dealId Deal id.
    /// @param closing What the closing leg settled.
    event RepoClosed(uint256 indexed dealId, Closing closing);
    /// @notice Emitted when the agent closes out a defaulted deal.
    /// @param dealId Deal id.
    /// @param collateralToBorrower True when the collateral went back to the borrower (lender defaulted),
    /// false when the lender keeps it free (borrower defaulted).
    /// @param quantity Collateral released.
    /// @param settlementRef Agent's close-out reference.
    event RepoClosedOut(uint256 indexed dealId, bool collateralToBorrower, uint256 quantity, bytes32 settlementRef);
    /// @notice Emitted when a deal is cancelled before its opening leg.
    event RepoCancelled(uint256 indexed dealId, address indexed by);
    /// @notice Emitted when a document (GMRA, annex, confirmation) is attached.
    event RepoDocumentAttached(uint256 indexed dealId, bytes32 indexed documentHash, string uri, address by);
    /// @notice Emitted when a party or the agent posts a message on a deal.
    event RepoMessagePosted(uint256 indexed dealId, bytes32 indexed contentHash, string uri, address by);

    /* ERRORS */

    /// @notice Thrown when a term is out of range; `field` names it.
    error RepoTermInvalid(string field, uint256 value);
    /// @notice Thrown unless 0 < lowerTrigger <= initialLtv <= upperTrigger and lowerTrigger < upperTrigger
    /// (Method B), or unless all three are zero (Method A).
    error RepoCorridorInvalid(uint256 lowerTrigger, uint256 initialLtv, uint256 upperTrigger);
    /// @notice Thrown unless tradeDate <= startDate < repurchaseDate.
    error RepoDatesInvalid(uint256 tradeDate, uint256 startDate, uint256 repurchaseDate);
    /// @notice Thrown when a party is not an active participant, or both parties are the same.
    error RepoPartyInvalid(uint32 participantId);
    /// @notice Thrown when an account does not act for the party.
    error RepoAccountNotOfParty(uint32 participantId, address account);
    /// @notice Thrown when the security is not a token of the factory.
    error RepoUnknownSecurity(address security);
    /// @notice Thrown when the oracle has no feed for the security.
    error RepoSecurityNotPriced(address security, bytes12 isin);
    /// @notice Thrown when no cash token exists for the deal currency.
    error RepoUnknownCurrency(bytes3 currency);
    /// @notice Thrown when the calendar is not configured.
    error RepoUnknownCalendar(bytes4 calendar);
    /// @notice Thrown when the coupon day count is not the instrument's.
    error RepoDayCountMismatch(uint8 instrument, uint8 given);
    /// @notice Thrown when a bond's face value per token unit is not a whole number of 18-decimal units.
    error RepoFaceValueNotUnitary(address security, uint256 faceValue, uint8 decimals);
    /// @notice Thrown when no deal has this id.
    error RepoUnknownDeal(uint256 dealId);
    /// @notice Thrown when a deal is not in the status an operation needs.
    error RepoWrongStatus(uint256 dealId, RepoStatus status);
    /// @notice Thrown when the caller may not act on the deal.
    error RepoNotAuthorised(uint256 dealId, address account);
    /// @notice Thrown when a signature's deadline has passed.
    error RepoSignatureExpired(uint256 deadline, uint256 timestamp);
    /// @notice Thrown when a signature does not verify for the signer and its current nonce.
    error RepoSignatureInvalid(address signer);
    /// @notice Thrown when the signer does not act for either party of the deal.
    error RepoSignerNotParty(uint256 dealId, address signer);
    /// @notice Thrown when a party has signed already.
    error RepoAlreadySigned(uint256 dealId, uint32 participantId);
    /// @notice Thrown when a revaluation date lies after today.
    error RepoDateInFuture(uint256 date, uint256 today);
    /// @notice Thrown when no obligation of this side is open.
    error RepoNoOpenObligation(uint256 dealId, RepoSide side);
    /// @notice Thrown when an obligation is not yet past its due date.
    error RepoObligationNotDue(uint256 dealId, RepoSide side, uint256 dueDate, uint256 today);
    /// @notice Thrown when an on-chain operation is asked of an off-chain deal or the reverse.
    error RepoSettlementModeMismatch(uint256 dealId, bool onChain);
    /// @notice Thrown when the closing leg is asked for before the repurchase date without an agreed termination.
    error RepoNotMatured(uint256 dealId, uint256 repurchaseDate, uint256 today);
    /// @notice Thrown when a deal already holds the maximum number of cash margin transfers.
    error RepoTooManyCashMargins(uint256 dealId, uint256 max);
    /// @notice Thrown when a margin transfer amount is zero or would return more collateral than held.
    error RepoMarginAmountInvalid(uint256 dealId, uint256 amount, uint256 held);
    /// @notice Thrown when a recorded margin's date is before the last revaluation, the start, or after today.
    error RepoMarginDateInvalid(uint256 dealId, uint256 postedOn);
    /// @notice Thrown when a party agrees to terminate twice.
    error RepoAlreadyAgreed(uint256 dealId, uint32 participantId);

    /* PARTIES */

    /**
     * @notice Proposes a deal.
     * @dev Requires an authorised signer of the borrower or the lender, or AGENT_ROLE. Validates every term
     * (custom errors name the field). Emits {RepoProposed}.
     * @param terms The terms.
     * @return dealId The new deal's id (from 1).
     */
    function propose(Terms calldata terms) external returns (uint256 dealId);

    /**
     * @notice Records a party's EIP-712 signature over the full terms; the second signature moves the deal to
     * Signed. Anyone may submit a signature: the signature is the authority.
     * @dev Requires status Proposed; `signer` an authorised signer (registry) of the borrower or the lender
     * that has not signed; `block.timestamp <= deadline`; a valid signature (EOA or ERC-1271) of
     * `RepoSignature(uint256 dealId,Terms terms,uint256 nonce,uint256 deadline)` at the signer's current
     * nonce, which is consumed. Emits {RepoSigned}.
     * @param dealId Deal id.
     * @param signer Signer address.
     * @param deadline Last timestamp the signature is valid.
     * @param signature The signature.
     */
    function sign(uint256 dealId, address signer, uint256 deadline, bytes calldata signature) external;

    /**
     * @notice Settles an open margin call through tokens, in cash or securities (the payer chooses).
     * @dev Requires an authorised signer of the party that owes; an on-chain deal, Active, with the call Open.
     * Borrower securities: encumbered at the borrower and moved to the lender, still encumbered. Borrower cash:
     * paid to the lender (title transfer, interest-bearing). Lender securities: returned free to the borrower.
     * Lender cash: paid to the borrower. Emits {MarginCallSettled}.
     * @param dealId Deal id.
     * @param side Party that owes.
     * @param inSecurities True to deliver securities, false cash.
     */
    function settleObligation(uint256 dealId, RepoSide side, bool inSecurities) external;

    /**
     * @notice Records a party's agreement to terminate early; with both agreements the closing leg may settle
     * before the repurchase date.
     * @dev Requires an authorised signer of the borrower or the lender; status Active. Emits {RepoTerminationAgreed}.
     * @param dealId Deal id.
     */
    function agreeTermination(uint256 dealId) external;

    /**
     * @notice Cancels a deal before its opening leg.
     * @dev Requires an authorised signer of either party or AGENT_ROLE; status Proposed, Signed or Accepted.
     * Emits {RepoCancelled}.
     * @param dealId Deal id.
     */
    function cancel(uint256 dealId) external;

    /**
     * @notice Attaches a document (hash and URI) to a deal.
     * @dev Requires an authorised signer of either party or AGENT_ROLE. Emits {RepoDocumentAttached}.
     * @param dealId Deal id.
     * @param documentHash Hash of the document.
     * @param uri Where the document is kept.
     */
    function attachDocument(uint256 dealId, bytes32 documentHash, string calldata uri) external;

    /**
     * @notice Posts a message on a deal (content kept off chain).
     * @dev Requires an authorised signer of either party or AGENT_ROLE. Emits {RepoMessagePosted}.
     * @param dealId Deal id.
     * @param contentHash Hash of the message.
     * @param uri Where the message is kept.
     */
    function postMessage(uint256 dealId, bytes32 contentHash, string calldata uri) external;

    /**
     * @notice Moves a deal to Defaulted when an open call is past its due date.
     * @dev Requires an authorised signer of either party or AGENT_ROLE; today > due date. Emits
     * {MarginCallOverdue}.
     * @param dealId Deal id.
     * @param side Party that owes.
     */
    function markOverdue(uint256 dealId, RepoSide side) external;

    /* AGENT */

    /**
     * @notice The tri-party agent accepts a signed deal.
     * @dev Requires AGENT_ROLE; status Signed. Emits {RepoAccepted}.
     * @param dealId Deal id.
     */
    function accept(uint256 dealId) external;

    /**
     * @notice Records the parties' signatures and accepts the deal in one transaction (the agent collected the
     * signatures off chain).
     * @dev Requires AGENT_ROLE; status Proposed or Signed; every signature checked as by {sign}; after them the
     * deal must be signed by both parties. Emits {RepoSigned} per signature and {RepoAccepted}.
     * @param dealId Deal id.
     * @param signatures Signatures of the parties that have not signed yet.
     */
    function acceptWithSignatures(uint256 dealId, PartySignature[] calldata signatures) external;

    /**
     * @notice Settles the opening leg through tokens, atomically: the securities move to the lender under the
     * deal's encumbrance, the purchase price to the borrower.
     * @dev Requires AGENT_ROLE; status Accepted; the book holds LOCK_OPERATOR_ROLE on both tokens and the
     * accounts hold the free balances. Emits {RepoOpened}.
     * @param dealId Deal id.
     */
    function settleOpening(uint256 dealId) external;

    /**
     * @notice Confirms an opening leg settled off chain.
     * @dev Requires AGENT_ROLE; status Accepted. Emits {RepoOpened}.
     * @param dealId Deal id.
     * @param settlementRef Settlement settlementRef.
     */
    function confirmOpening(uint256 dealId, bytes32 settlementRef) external;

    /**
     * @notice Confirms that an open call of an off-chain deal was settled off chain.
     * @dev Requires AGENT_ROLE; an off-chain deal, Active, with the call Open. Emits {MarginCallSettled}.
     * @param dealId Deal id.
     * @param side Party that owed.
     * @param inSecurities True when settled in securities.
     * @param settlementRef Settlement settlementRef.
     */
    function confirmObligation(uint256 dealId, RepoSide side, bool inSecurities, bytes32 settlementRef) external;

    /**
     * @notice Records a margin transfer the parties agreed outside a call, settled off chain (e.g. margin
     * posted before the deal was booked).
     * @dev Requires AGENT_ROLE; an off-chain deal, Active; a non-zero amount; a cash margin's date between the
     * start (or the last revaluation) and today; a lender securities return below the collateral held.
     * Emits {MarginTransferRecorded}.
     * @param dealId Deal id.
     * @param side Party that transferred.
     * @param inSecurities True for securities, false for cash.
     * @param amount Units transferred.
     * @param postedOn Day the margin was received.
     * @param settlementRef Settlement settlementRef.
     */
    function recordMarginTransfer(
        uint256 dealId,
        RepoSide side,
        bool inSecurities,
        uint256 amount,
        uint32 postedOn,
        bytes32 settlementRef
    ) external;

    /**
     * @notice Settles the closing leg through tokens: the borrower pays the repurchase price net of cash
     * margins, the lender returns all collateral, free. Open calls are cancelled.
     * @dev Requires AGENT_ROLE; an on-chain deal, Active; today on or after the repurchase date, or both parties
     * agreed to terminate (interest then runs to today). Emits {RepoClosed}.
     * @param dealId Deal id.
     */
    function settleRepurchase(uint256 dealId) external;

    /**
     * @notice Confirms a closing leg settled off chain.
     * @dev Requires AGENT_ROLE; an off-chain deal, Active; matured or termination agreed. Emits {RepoClosed}.
     * @param dealId Deal id.
     */
    function confirmRepurchase(uint256 dealId) external;

    /**
     * @notice Closes out a defaulted deal: the collateral is released to the lender (borrower default) or
     * returned to the borrower (lender default); the net claims are settled under the GMRA off chain.
     * @dev Requires AGENT_ROLE; status Defaulted. Emits {RepoClosedOut}.
     * @param dealId Deal id.
     * @param collateralToBorrower True when the lender defaulted.
     * @param settlementRef Close-out settlementRef.
     */
    function closeOutDefault(uint256 dealId, bool collateralToBorrower, bytes32 settlementRef) external;

    /* ANYONE */

    /**
     * @notice Revalues the given deals for a business date. Permissionless and idempotent: a deal already
     * revalued (or skipped as a holiday) for this date or a later one is left untouched, so a second call
     * changes nothing. Only a closed date is revalued, from the oracle's data as of its close
     * ({IPriceOracle-closedPriceAt}, {IPriceOracle-closedFxRate}), so whoever calls and whenever, the result for
     * the date is the same.
     * @dev Reverts only on a date after today; nothing one deal holds reverts the batch. Per deal: not Active →
     * ignored; the date not closed for its calendar (or its feed's) → DateNotClosed; before its start, on a
     * holiday of its calendar, without a price or FX rate, with its calendar year not loaded, outside the
     * bond's life, before a cash margin's date, or with values out of range → {RepoRevaluationSkipped} (only a
     * holiday is recorded as done; any other skip can be retried). Worthless collateral is valued: LTV at the
     * maximum and a borrower call in cash for the whole exposure. Otherwise emits {RepoRevalued} and raises,
     * resizes or cancels calls ({MarginCallRaised}, {MarginCallResized}, {MarginCallCancelled}) so that the
     * open calls match the deal's margin method: the corridor rule (Method B), or any transaction exposure from
     * the minimum transfer amount (Method A).
     * @param dealIds Deals to revalue (unknown ids are ignored).
     * @param date Business date (day number).
     * @return revalued Deals revalued.
     * @return calls Deals whose revaluation left a call open.
     */
    function revalue(uint256[] calldata dealIds, uint256 date) external returns (uint256 revalued, uint256 calls);

    /* VIEWS */

    /// @notice The terms of a deal.
    function terms(uint256 dealId) external view returns (Terms memory);

    /// @notice The state of a deal.
    function dealState(uint256 dealId) external view returns (DealState memory);

    /// @notice The obligation of a side (the current or last one).
    function obligation(uint256 dealId, RepoSide side) external view returns (Obligation memory);

    /// @notice The cash margin transfers held by a deal.
    function cashMargins(uint256 dealId) external view returns (RepoMath.CashMargin[] memory);

    /// @notice Statuses of many deals in one call (for tools building the per-security index).
    function statusesOf(uint256[] calldata dealIds) external view returns (RepoStatus[] memory);

    /// @notice EIP-712 struct hash of the deal's terms (what each party signs, inside {SIGNATURE_TYPEHASH}).
    function termsHash(uint256 dealId) external view returns (bytes32);

    /// @notice Number of deals proposed so far (ids are 1..dealCount).
    function dealCount() external view returns (uint256);
}
