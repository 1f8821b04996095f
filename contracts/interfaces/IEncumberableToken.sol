// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

/**
 * @title IEncumberableToken
 * @notice The compliance base shared by `SecurityToken` and `CashToken`: an ERC-20 whose every ordinary
 * movement is checked against the participant registry, account freezes, encumbrances and a pause, plus
 * the depository's agent operations and the encumbrance API used by the pledge and repo books.
 * @dev An encumbrance is a quantity of a holder's balance locked for a purpose. A purpose is the pair
 * (locker, dealId): the locking contract (or, for the depository's own purposes, the token itself) and
 * its deal id, so a pledge, a repo and a margin call on the same holder never mix. Encumbered units stay
 * in the holder's balance but never move by an ordinary transfer; `freeBalance = balance - totalEncumbered`, or
 * zero when the ERC-7943 freeze (the depository purpose `FROZEN_TOKENS_DEAL`, which alone may exceed what is
 * held) withholds more than the balance.
 *
 * Roles:
 * - `AGENT_ROLE` (the depository): mint on deposit, burn on withdrawal, freeze and unfreeze accounts,
 *   encumber and release under depository purposes (locker = the token), force-transfer;
 * - `PAUSER_ROLE` (the depository): pause and unpause;
 * - `LOCK_OPERATOR_ROLE` (the pledge and repo books): encumber, release and move units encumbered
 *   under their own purposes (locker = msg.sender);
 * - `SETTLEMENT_ROLE` (DvPSettlement): move free balances between active participants once both have
 *   instructed, with every compliance check of an ordinary transfer;
 * - `DEFAULT_ADMIN_ROLE` (the consortium admin and the token factory): grants and revokes the others.
 */
interface IEncumberableToken is IERC20Metadata {
    /* EVENTS */

    /// @notice Emitted when the depository credits a holder on deposit of the asset.
    /// @param to Holder credited.
    /// @param amount Units created.
    /// @param reason Reason code, e.g. the deposit reference.
    event Minted(address indexed to, uint256 amount, bytes32 indexed reason);
    /// @notice Emitted when the depository debits a holder on withdrawal of the asset.
    /// @param from Holder debited.
    /// @param amount Units destroyed.
    /// @param reason Reason code, e.g. the withdrawal reference.
    event Burned(address indexed from, uint256 amount, bytes32 indexed reason);
    /// @notice Emitted when an account is frozen: it neither sends nor receives.
    event AccountFrozen(address indexed account, bytes32 reason);
    /// @notice Emitted when a frozen account is released from its freeze.
    event AccountUnfrozen(address indexed account, bytes32 reason);
    /// @notice Emitted when a quantity of a holder's free balance is locked for a purpose, or when the ERC-7943
    /// freeze (purpose `FROZEN_TOKENS_DEAL`) is raised, possibly beyond the balance.
    /// @param holder Holder whose units are locked.
    /// @param locker Locking contract (the token itself for depository purposes).
    /// @param dealId Deal id within the locker.
    /// @param amount Units newly locked.
    /// @param purposeTotal Units locked under this purpose at this holder afterwards.
    event Encumbered(
        address indexed holder,
        address indexed locker,
        uint256 indexed dealId,
        uint256 amount,
        uint256 purposeTotal
    );
    /// @notice Emitted when locked units of a purpose become free again.
    event Released(
        address indexed holder,
        address indexed locker,
        uint256 indexed dealId,
        uint256 amount,
        uint256 purposeTotal
    );
    /// @notice Emitted when a locker moves units encumbered under its purpose to another holder.
    /// @param from Holder the units leave.
    /// @param to Holder the units reach.
    /// @param locker Locking contract.
    /// @param dealId Deal id within the locker.
    /// @param amount Units moved.
    /// @param keptEncumbered True when the units stay encumbered at `to` under the same purpose.
    event EncumbranceMoved(
        address indexed from,
        address indexed to,
        uint256 indexed dealId,
        address locker,
        uint256 amount,
        bool keptEncumbered
    );
    /// @notice Emitted when the depository moves units without the holder (court order, enforcement).
    /// @param from Holder debited.
    /// @param to Holder credited (units arrive free).
    /// @param amount Units moved.
    /// @param locker Locker of the encumbrance consumed (zero when none was named).
    /// @param dealId Deal id of the encumbrance consumed.
    /// @param consumed Units taken out of that encumbrance (the rest came from the free balance).
    /// @param reason Reason code, e.g. the court order reference.
    event ForcedTransfer(
        address indexed from,
        address indexed to,
        bytes32 indexed reason,
        uint256 amount,
        address locker,
        uint256 dealId,
        uint256 consumed
    );
    /// @notice Emitted when the token is paused: nothing moves but the depository's forced operations.
    event TokenPausedBy(address indexed account, bytes32 reason);
    /// @notice Emitted when the token is unpaused.
    event TokenUnpausedBy(address indexed account, bytes32 reason);

    /* ERRORS */

    /// @notice Thrown when `account` is not a signer of an active participant.
    error TokenNotActiveParticipant(address account);
    /// @notice Thrown when a frozen `account` would send or receive.
    error TokenAccountFrozen(address account);
    /// @notice Thrown when a movement would touch encumbered units of `account`.
    error TokenInsufficientFreeBalance(address account, uint256 free, uint256 needed);
    /// @notice Thrown when anything but a forced operation is tried on a paused token.
    error TokenIsPaused(address token);
    /// @notice Thrown when a release or move exceeds what is encumbered under the purpose.
    error TokenInsufficientEncumbrance(
        address holder,
        address locker,
        uint256 dealId,
        uint256 encumbered,
        uint256 needed
    );
    /// @notice Thrown when an amount is zero.
    error TokenZeroAmount();
    /// @notice Thrown when an account is zero where a holder is required.
    error TokenZeroAccount();
    /// @notice Thrown when a freeze or unfreeze would not change the account.
    error TokenFreezeUnchanged(address account, bool frozen);
    /// @notice Thrown when pause or unpause would not change the token.
    error TokenPauseUnchanged(bool paused);
    /// @notice Thrown when minting would take the supply above what balances can hold.
    error TokenSupplyCapExceeded(uint256 supply, uint256 cap);
    /// @notice Thrown when sender and receiver of a forced or locked move are the same account.
    error TokenSelfTransfer(address account);
    /// @notice Thrown when an ERC-7943 freeze of `amount` would unlock units that the books or other depository
    /// purposes of `account` lock (`encumbered`): those are released only by their own locker.
    error TokenFrozenBelowEncumbered(address account, uint256 encumbered, uint256 amount);

    /* AGENT OPERATIONS */

    /// @notice Credits `to` with `amount` new units on deposit of the underlying asset.
    /// @dev Requires AGENT_ROLE. `to` must be an active participant, not frozen; the token not paused.
    /// Emits {Transfer} from zero and {Minted}.
    /// @param to Holder credited.
    /// @param amount Units created.
    /// @param reason Reason code (deposit reference).
    function mint(address to, uint256 amount, bytes32 reason) external;

    /// @notice Destroys `amount` of `from`'s free units on withdrawal of the underlying asset.
    /// @dev Requires AGENT_ROLE. `from` must be an active participant, not frozen, with enough free
    /// balance; the token not paused. Emits {Transfer} to zero and {Burned}.
    /// @param from Holder debited.
    /// @param amount Units destroyed.
    /// @param reason Reason code (withdrawal reference).
    function burn(address from, uint256 amount, bytes32 reason) external;

    /// @notice Freezes an account: it neither sends nor receives by ordinary transfers.
    /// @dev Requires AGENT_ROLE. Emits {AccountFrozen}.
    /// @param account Account to freeze.
    /// @param reason Reason code (e.g. the court order).
    function freeze(address account, bytes32 reason) external;

    /// @notice Lifts a freeze.
    /// @dev Requires AGENT_ROLE. Emits {AccountUnfrozen}.
    /// @param account Account to unfreeze.
    /// @param reason Reason code.
    function unfreeze(address account, bytes32 reason) external;

    /// @notice Moves units without the holder's consent (court order, pledge enforcement). Units are
    /// taken first from the named encumbrance (up to `amount`), the rest from the free balance; they
    /// arrive free at `to`.
    /// @dev Requires AGENT_ROLE. Ignores pause and the sender's freeze and status; `to` must be an active
    /// participant and not frozen. Pass `locker = address(0)` to consume no encumbrance.
    /// Emits {Transfer} and {ForcedTransfer}.
    /// @param from Holder debited.
    /// @param to Holder credited.
    /// @param amount Units moved.
    /// @param locker Locker of the encumbrance to consume, or zero.
    /// @param dealId Deal id of the encumbrance to consume.
    /// @param reason Reason code (court order, enforcement reference).
    function forceTransfer(
        address from,
        address to,
        uint256 amount,
        address locker,
        uint256 dealId,
        bytes32 reason
    ) external;

    /// @notice Locks `amount` of `holder`'s free balance under a depository purpose (locker = this token).
    /// @dev Requires AGENT_ROLE. Emits {Encumbered}.
    function agentEncumber(address holder, uint256 dealId, uint256 amount) external;

    /// @notice Frees `amount` locked under a depository purpose (locker = this token).
    /// @dev Requires AGENT_ROLE. Emits {Released}.
    function agentRelease(address holder, uint256 dealId, uint256 amount) external;

    /// @notice Stops every movement except forced ones.
    /// @dev Requires PAUSER_ROLE. Emits {TokenPausedBy}.
    function pause(bytes32 reason) external;

    /// @notice Resumes movements.
    /// @dev Requires PAUSER_ROLE. Emits {TokenUnpausedBy}.
    function unpause(bytes32 reason) external;

    /* LOCK OPERATOR OPERATIONS */

    /// @notice Locks `amount` of `holder`'s free balance under the purpose (msg.sender, dealId).
    /// @dev Requires LOCK_OPERATOR_ROLE. The holder's free balance must cover `amount`; works on frozen
    /// holders and paused tokens (locking moves nothing). Emits {Encumbered}.
    /// @param holder Holder whose units are locked.
    /// @param dealId Deal id within the calling locker.
    /// @param amount Units to lock.
    function encumber(address holder, uint256 dealId, uint256 amount) external;

    /// @notice Frees `amount` locked under the purpose (msg.sender, dealId).
    /// @dev Requires LOCK_OPERATOR_ROLE. Emits {Released}.
    function release(address holder, uint256 dealId, uint256 amount) external;

    /// @notice Moves units encumbered under (msg.sender, dealId) from `from` to `to`, either still
    /// encumbered at `to` under the same purpose or free.
    /// @dev Requires LOCK_OPERATOR_ROLE. The token must not be paused, neither side frozen, and `to` an
    /// active participant. Emits {Transfer} and {EncumbranceMoved}.
    /// @param from Holder the units leave.
    /// @param to Holder the units reach.
    /// @param dealId Deal id within the calling locker.
    /// @param amount Units to move.
    /// @param keepEncumbered True to keep the units locked at `to` under the same purpose.
    function moveEncumbered(address from, address to, uint256 dealId, uint256 amount, bool keepEncumbered) external;

    /// @notice Takes `amount` of the units encumbered under (msg.sender, dealId) at `from` to `to` as free
    /// units and releases whatever remains of that encumbrance (enforcement of a pledge in one call).
    /// @dev Requires LOCK_OPERATOR_ROLE and `amount` within the encumbrance. When `amount` is not zero:
    /// the token not paused, `from` not frozen, `to` another, active and not frozen participant. `amount`
    /// may be zero (release only) but not with an empty encumbrance. Emits {Transfer} and
    /// {EncumbranceMoved} (keptEncumbered false) for the units taken, {Released} for the rest.
    /// @param from Holder of the encumbrance.
    /// @param to Receiver of the units taken (free).
    /// @param dealId Deal id within the calling locker.
    /// @param amount Units to take (0 to release everything).
    function takeEncumbered(address from, address to, uint256 dealId, uint256 amount) external;

    /* SETTLEMENT OPERATIONS */

    /// @notice Moves free units between two active participants on behalf of the settlement engine.
    /// @dev Requires SETTLEMENT_ROLE. Applies every check of an ordinary transfer. Emits {Transfer}.
    function settlementTransfer(address from, address to, uint256 amount) external;

    /// @notice Delivers free units of `from` to `to` and locks them at `to` under the purpose
    /// (msg.sender, dealId), in one step: collateral that reaches its taker already encumbered.
    /// @dev Requires SETTLEMENT_ROLE. Applies every check of an ordinary transfer and refuses a zero amount
    /// or a delivery to the sender itself; only the delivered units are locked, never units the receiver
    /// held before. Releasing or moving the lock later needs
    /// LOCK_OPERATOR_ROLE, like any other purpose. Emits {Transfer} and {Encumbered}.
    /// @param from Holder the free units leave.
    /// @param to Holder the units reach, locked.
    /// @param dealId Deal id within the calling locker.
    /// @param amount Units to deliver.
    function deliverEncumbered(address from, address to, uint256 dealId, uint256 amount) external;

    /* VIEWS */

    /// @notice Units of `holder` locked under the purpose (locker, dealId).
    function encumbered(address holder, address locker, uint256 dealId) external view returns (uint256);

    /// @notice Units of `holder` locked under all purposes, the ERC-7943 freeze as set (it may exceed the balance).
    function totalEncumbered(address holder) external view returns (uint256);

    /// @notice Units of `holder` an ordinary transfer may move: balance less total encumbered, at least zero.
    function freeBalance(address holder) external view returns (uint256);

    /// @notice True when `account` is frozen.
    function isFrozen(address account) external view returns (bool);

    /// @notice True when the token is paused.
    function paused() external view returns (bool);

    /// @notice The participant registry compliance reads.
    function registry() external view returns (address);
}
