// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @notice Life of a trade: Instructed (one side) → Matched (both) → Settled, or → Cancelled.
enum TradeStatus {
    None,
    Instructed,
    Matched,
    Settled,
    Cancelled
}

/**
 * @title IDvPSettlement
 * @notice Delivery versus payment between two participants (SPEC §3): the seller delivers `quantity` of
 * a security token, the buyer pays `amount` of a cash token, both legs in one transaction or neither.
 * Each side instructs the same terms, or one side submits both with the other's EIP-712 signature.
 * @dev A trade is identified by the EIP-712 struct hash of its terms (`tradeId`); its terms travel in
 * calldata and only its status sits in storage. `tradeRef` makes otherwise equal trades distinct.
 */
interface IDvPSettlement {
    /// @notice The terms both sides agree on.
    /// @param security Security token delivered by the seller (issued by the token factory).
    /// @param quantity Units of the security.
    /// @param cash Cash token paid by the buyer (issued by the token factory).
    /// @param amount Units of cash.
    /// @param seller Holder address that delivers the security and receives the cash.
    /// @param buyer Holder address that pays the cash and receives the security.
    /// @param settlementDate Intended settlement date, a day number (days since 1970-01-01, UTC).
    /// @param tradeRef Trade reference chosen by the parties.
    struct Trade {
        address security;
        uint256 quantity;
        address cash;
        uint256 amount;
        address seller;
        address buyer;
        uint32 settlementDate;
        bytes32 tradeRef;
    }

    /// @notice What storage keeps per trade.
    struct TradeState {
        TradeStatus status;
        bool sellerInstructed;
        bool buyerInstructed;
    }

    /* EVENTS */

    /// @notice Emitted when one side instructs a trade (the terms are in the event).
    /// @param tradeId Struct hash of the terms.
    /// @param party The side's holder address (seller or buyer).
    /// @param by The signer who instructed (or whose signature was presented).
    /// @param trade The terms.
    event TradeInstructed(bytes32 indexed tradeId, address indexed party, address indexed by, Trade trade);
    /// @notice Emitted when both sides have instructed the same terms.
    event TradeMatched(bytes32 indexed tradeId);
    /// @notice Emitted when both legs have moved.
    event TradeSettled(
        bytes32 indexed tradeId,
        address indexed seller,
        address indexed buyer,
        uint256 quantity,
        uint256 amount
    );
    /// @notice Emitted when a trade is cancelled.
    /// @param tradeId The trade.
    /// @param by Who cancelled it.
    /// @param expired True when its settlement window had passed.
    event TradeCancelled(bytes32 indexed tradeId, address indexed by, bool expired);

    /* ERRORS */

    /// @notice Thrown when a term is invalid (field named).
    error DvPInvalidTrade(string field);
    /// @notice Thrown when a token was not issued by the factory as the expected type.
    error DvPUnknownToken(address token);
    /// @notice Thrown when `caller` does not act for `party`.
    error DvPNotAuthorised(address caller, address party);
    /// @notice Thrown when a side has already instructed the trade.
    error DvPAlreadyInstructed(bytes32 tradeId, address party);
    /// @notice Thrown when a trade is not in a status that allows the call.
    error DvPWrongStatus(bytes32 tradeId, TradeStatus status);
    /// @notice Thrown when settlement is tried before the settlement date.
    error DvPNotYetDue(bytes32 tradeId, uint256 settlementDate, uint256 today);
    /// @notice Thrown when the settlement window has passed.
    error DvPExpired(bytes32 tradeId, uint256 lastDay, uint256 today);
    /// @notice Thrown when a matched trade is cancelled unilaterally before its window has passed.
    error DvPMatchedNotExpired(bytes32 tradeId, uint256 lastDay);
    /// @notice Thrown when a signature's deadline has passed.
    error DvPSignatureExpired(uint256 deadline, uint256 timestamp);
    /// @notice Thrown when the signature is not by `signer`, or `signer` does not act for `party`.
    error DvPInvalidSignature(address signer, address party);

    /* FUNCTIONS */

    /// @notice Instructs one side of a trade; on match both legs settle at once if the date has come.
    /// @dev The caller must be `seller` or `buyer`, or an active signer of the same participant. The
    /// trade must be new or instructed by the other side only, and its window not passed.
    /// Emits {TradeInstructed}, and {TradeMatched} (then {TradeSettled} when due) on match.
    /// @param trade The terms.
    /// @return tradeId Struct hash of the terms.
    function instruct(Trade calldata trade) external returns (bytes32 tradeId);

    /// @notice Instructs both sides at once: the caller's side directly, the counterparty's by an
    /// EIP-712 `Instruction` signature of one of its authorised signers (nonce + deadline).
    /// @dev Consumes `signer`'s nonce. Emits {TradeInstructed} twice and {TradeMatched}, then
    /// {TradeSettled} when due.
    /// @param trade The terms.
    /// @param signer The counterparty's signer who signed.
    /// @param deadline Timestamp after which the signature is void.
    /// @param signature EIP-712 signature (or ERC-1271 for contract signers).
    /// @return tradeId Struct hash of the terms.
    function instructWithSignature(
        Trade calldata trade,
        address signer,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 tradeId);

    /// @notice Settles a matched trade: the security from seller to buyer and the cash from buyer to
    /// seller, in one transaction, or nothing.
    /// @dev Anyone may call (both sides consented); between the settlement date and the last day of the
    /// window. Every compliance check of the tokens applies. Emits {TradeSettled}.
    function settle(Trade calldata trade) external;

    /// @notice Cancels a trade not yet settled.
    /// @dev A party (or its signer) may cancel before match, or after the window has passed; the
    /// OPERATOR_ROLE may cancel any unsettled trade. Emits {TradeCancelled}.
    function cancel(Trade calldata trade) external;

    /// @notice The id (EIP-712 struct hash) of a trade's terms.
    function tradeId(Trade calldata trade) external pure returns (bytes32);

    /// @notice Status and instructed sides of a trade.
    function tradeState(bytes32 tradeId) external view returns (TradeState memory);

    /// @notice Days after the settlement date a matched trade can still settle.
    function SETTLEMENT_WINDOW_DAYS() external view returns (uint256);
}
