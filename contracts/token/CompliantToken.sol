// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IEncumberableToken} from "../interfaces/IEncumberableToken.sol";
import {IERC7943Fungible} from "../interfaces/IERC7943.sol";
import {IParticipantRegistry, ParticipantKind} from "../interfaces/IParticipantRegistry.sol";

/**
 * @title CompliantToken
 * @notice The compliance base of `SecurityToken` and `CashToken`: an ERC-20 whose ordinary movements
 * (transfer, transferFrom, settlement, mint, burn) all pass one hook, {_update}, that refuses them when
 * the token is paused, when either side is not an active participant in the registry, when either side
 * is frozen, or when the sender's free (unencumbered, unfrozen) balance is short.
 * @dev Tokens live behind OpenZeppelin beacon proxies: one beacon upgrade serves every token of a kind.
 * Storage is ERC-7201 namespaced. For a lean transfer path each holder's balance, locked quantity and
 * freeze flag share one storage word, and the registry address and the pause flag share another: an
 * ordinary transfer reads three words of this contract and one word of the registry per side.
 *
 * Balances are held in 128 bits and the locked quantity in 120 bits. The locked quantity is the sum of the
 * books' and depository purposes' encumbrances, which never exceed the balance, plus the ERC-7943 freeze
 * counted up to `SUPPLY_CAP`, which may exceed it; the supply is capped at 2^119 - 1 so that the sum fits.
 * The free balance is `balance - locked`, zero when the freeze withholds more than is held.
 *
 * ERC-7943 (uRWA) is mapped onto these rules:
 * - `canSend(a)` and `canReceive(a)`: `a` is a signer of an active participant and its account is not frozen;
 * - `getFrozenTokens(a)` = encumbered + frozen = `totalEncumbered(a)`: every unit locked under a purpose
 *   (pledge, repo, depository holds) plus the freeze set through `setFrozenTokens`, recorded as the depository
 *   purpose (this token, `FROZEN_TOKENS_DEAL`); the freeze may exceed the balance, and then withholds the
 *   units the holder receives or the books release until it is lowered;
 * - the unfrozen (free) balance is `max(0, balance - getFrozenTokens(a))`;
 * - `canTransfer(from, to, amount)`: the token is not paused, `canSend(from)`, `canReceive(to)`, and `amount`
 *   within the unfrozen balance whenever it is within the balance (a transfer above the balance fails on the
 *   ERC-20 rule, which the standard keeps out of `canTransfer`);
 * - `setFrozenTokens` and `forcedTransfer`: AGENT_ROLE, the role that freezes and force-transfers.
 * An account freeze ({freeze}) is account-level: it shows as `canSend`/`canReceive` false, not as frozen units.
 */
abstract contract CompliantToken is
    Initializable,
    AccessControlUpgradeable,
    IERC20Errors,
    IEncumberableToken,
    IERC7943Fungible
{
    /* TYPES */

    /// @dev A holder's hot state in one word. `encumbered` is the locked quantity: the purposes other than the
    /// ERC-7943 freeze (always <= balance) plus the freeze counted up to SUPPLY_CAP (see {_frozenShare}); it
    /// exceeds the balance only when the freeze withholds more than is held.
    struct Account {
        uint128 balance;
        uint120 encumbered;
        bool frozen;
    }

    /* CONSTANTS */

    /// @notice Role of the depository: mint, burn, freeze, force-transfer, depository encumbrances.
    bytes32 public constant AGENT_ROLE = keccak256("AGENT_ROLE");
    /// @notice Role that pauses and unpauses the token.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Role of the pledge and repo books: encumber, release and move their own encumbrances.
    bytes32 public constant LOCK_OPERATOR_ROLE = keccak256("LOCK_OPERATOR_ROLE");
    /// @notice Role of the settlement engine: move free balances between active participants.
    bytes32 public constant SETTLEMENT_ROLE = keccak256("SETTLEMENT_ROLE");
    /// @notice Highest total supply (and so balance and encumbrance) the token accepts: 2^119 - 1, so that a
    /// holder's encumbrances (<= balance) plus its ERC-7943 freeze counted up to the cap fit in 120 bits.
    uint256 public constant SUPPLY_CAP = type(uint120).max >> 1;
    /// @notice Deal id of the depository purpose (locker = this token) that holds the units frozen by
    /// {setFrozenTokens}.
    uint256 public constant FROZEN_TOKENS_DEAL = type(uint256).max;

    /* STORAGE */

    /// @custom:storage-location erc7201:csd.storage.CompliantToken
    struct TokenStorage {
        IParticipantRegistry registry;
        bool paused;
        uint8 decimals;
        uint256 totalSupply;
        string name;
        string symbol;
        mapping(address holder => Account) accounts;
        mapping(address owner => mapping(address spender => uint256)) allowances;
        mapping(address holder => mapping(address locker => mapping(uint256 dealId => uint256))) encumbrances;
    }

    // keccak256(abi.encode(uint256(keccak256("csd.storage.CompliantToken")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant TOKEN_STORAGE_SLOT = 0x0ff2673ab8f61b6debb38278b61361c29dec0be163c77a94ebc0ffa5c4491200;

    function _t() private pure returns (TokenStorage storage $) {
        assembly {
            $.slot := TOKEN_STORAGE_SLOT
        }
    }

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @dev Sets the ERC-20 metadata and the registry; grants DEFAULT_ADMIN_ROLE to the consortium admin
    /// and to the caller (the factory that deploys the proxy, so it can apply its standing roles).
    /// Runs only inside an initializer: `__AccessControl_init` reverts with NotInitializing otherwise.
    // solhint-disable-next-line func-name-mixedcase
    function __CompliantToken_init(
        address admin,
        address registry_,
        string memory name_,
        string memory symbol_,
        uint8 decimals_
    ) internal {
        if (admin == address(0) || registry_ == address(0)) revert TokenZeroAccount();
        __AccessControl_init();
        TokenStorage storage $ = _t();
        $.registry = IParticipantRegistry(registry_);
        $.decimals = decimals_;
        $.name = name_;
        $.symbol = symbol_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(DEFAULT_ADMIN_ROLE, _msgSender());
    }

    /* ERC-20 */

    /// @inheritdoc IERC20
    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(_msgSender(), to, value);
        return true;
    }

    /// @inheritdoc IERC20
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        _spendAllowance(from, _msgSender(), value);
        _transfer(from, to, value);
        return true;
    }

    /// @inheritdoc IERC20
    function approve(address spender, uint256 value) external returns (bool) {
        address owner = _msgSender();
        if (spender == address(0)) revert ERC20InvalidSpender(address(0));
        _t().allowances[owner][spender] = value;
        emit Approval(owner, spender, value);
        return true;
    }

    /// @inheritdoc IERC20
    function allowance(address owner, address spender) external view returns (uint256) {
        return _t().allowances[owner][spender];
    }

    /// @inheritdoc IERC20
    function balanceOf(address account) external view returns (uint256) {
        return _t().accounts[account].balance;
    }

    /// @inheritdoc IERC20
    function totalSupply() external view returns (uint256) {
        return _t().totalSupply;
    }

    /// @notice Token name.
    function name() external view returns (string memory) {
        return _t().name;
    }

    /// @notice Token symbol.
    function symbol() external view returns (string memory) {
        return _t().symbol;
    }

    /// @notice Decimals of the token's units, per instrument or currency.
    function decimals() external view returns (uint8) {
        return _t().decimals;
    }

    /* AGENT OPERATIONS */

    /// @inheritdoc IEncumberableToken
    function mint(address to, uint256 amount, bytes32 reason) external onlyRole(AGENT_ROLE) {
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        if (amount == 0) revert TokenZeroAmount();
        _update(address(0), to, amount);
        emit Minted(to, amount, reason);
    }

    /// @inheritdoc IEncumberableToken
    function burn(address from, uint256 amount, bytes32 reason) external onlyRole(AGENT_ROLE) {
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        if (amount == 0) revert TokenZeroAmount();
        _update(from, address(0), amount);
        emit Burned(from, amount, reason);
    }

    /// @inheritdoc IEncumberableToken
    function freeze(address account, bytes32 reason) external onlyRole(AGENT_ROLE) {
        _setFrozen(account, true);
        emit AccountFrozen(account, reason);
    }

    /// @inheritdoc IEncumberableToken
    function unfreeze(address account, bytes32 reason) external onlyRole(AGENT_ROLE) {
        _setFrozen(account, false);
        emit AccountUnfrozen(account, reason);
    }

    /// @inheritdoc IEncumberableToken
    /// @dev Naming the ERC-7943 freeze (this token, `FROZEN_TOKENS_DEAL`) consumes only frozen units the balance
    /// holds, lowering the freeze by them, and emits {Released} and {Frozen} before {Transfer}.
    function forceTransfer(
        address from,
        address to,
        uint256 amount,
        address locker,
        uint256 dealId,
        bytes32 reason
    ) external onlyRole(AGENT_ROLE) {
        TokenStorage storage $ = _t();
        _checkMove(from, to, amount);
        _checkReceiver($, to);
        Account storage a = $.accounts[from];
        uint256 free = _unlocked(a.balance, a.encumbered);
        uint256 consumed;
        if (locker == address(this) && dealId == FROZEN_TOKENS_DEAL) {
            consumed = _consumeFreeze($, a, from, amount, free);
        } else if (locker != address(0)) {
            uint256 e = $.encumbrances[from][locker][dealId];
            consumed = e < amount ? e : amount;
            if (consumed != 0) {
                unchecked {
                    // consumed <= e, and e <= a.encumbered (the purposes of a holder sum to its total).
                    $.encumbrances[from][locker][dealId] = e - consumed;
                    a.encumbered -= uint120(consumed);
                }
            }
        }
        // The consumed units move as they are; the rest must fit in the free balance.
        unchecked {
            // consumed <= amount.
            if (amount - consumed > free) revert TokenInsufficientFreeBalance(from, free + consumed, amount);
        }
        _moveBalance($, a, from, to, amount);
        emit ForcedTransfer(from, to, reason, amount, locker, dealId, consumed);
    }

    /// @inheritdoc IEncumberableToken
    /// @dev On `FROZEN_TOKENS_DEAL` it raises the ERC-7943 freeze by free units and also emits {Frozen}.
    function agentEncumber(address holder, uint256 dealId, uint256 amount) external onlyRole(AGENT_ROLE) {
        // On the freeze: the units are free, so the freeze stays within the balance (below SUPPLY_CAP) and its
        // share in the locked quantity grows by exactly `amount`.
        _encumber(holder, address(this), dealId, amount);
        if (dealId == FROZEN_TOKENS_DEAL) emit Frozen(holder, _frozenOf(_t(), holder));
    }

    /// @inheritdoc IEncumberableToken
    /// @dev On `FROZEN_TOKENS_DEAL` it lowers the ERC-7943 freeze and also emits {Frozen}.
    function agentRelease(address holder, uint256 dealId, uint256 amount) external onlyRole(AGENT_ROLE) {
        if (dealId != FROZEN_TOKENS_DEAL) {
            _release(holder, address(this), dealId, amount);
            return;
        }
        if (holder == address(0)) revert TokenZeroAccount();
        if (amount == 0) revert TokenZeroAmount();
        TokenStorage storage $ = _t();
        uint256 e = $.encumbrances[holder][address(this)][FROZEN_TOKENS_DEAL];
        if (e < amount) revert TokenInsufficientEncumbrance(holder, address(this), FROZEN_TOKENS_DEAL, e, amount);
        Account storage a = $.accounts[holder];
        uint256 others = a.encumbered - _frozenShare(e);
        uint256 left = e - amount;
        _writeFreeze($, a, holder, others, left);
        emit Released(holder, address(this), FROZEN_TOKENS_DEAL, amount, left);
        emit Frozen(holder, _frozenTotal(others, left));
    }

    /// @inheritdoc IEncumberableToken
    function pause(bytes32 reason) external onlyRole(PAUSER_ROLE) {
        TokenStorage storage $ = _t();
        if ($.paused) revert TokenPauseUnchanged(true);
        $.paused = true;
        emit TokenPausedBy(_msgSender(), reason);
    }

    /// @inheritdoc IEncumberableToken
    function unpause(bytes32 reason) external onlyRole(PAUSER_ROLE) {
        TokenStorage storage $ = _t();
        if (!$.paused) revert TokenPauseUnchanged(false);
        $.paused = false;
        emit TokenUnpausedBy(_msgSender(), reason);
    }

    /* ERC-7943 (uRWA) */

    /**
     * @inheritdoc IERC7943Fungible
     * @dev Requires AGENT_ROLE. `amount` is the total that cannot move, recorded as given: the units locked by
     * the books and other depository purposes stay locked and count towards it, and the rest is the freeze,
     * recorded as the depository purpose (this token, `FROZEN_TOKENS_DEAL`). As ERC-7943 requires, `amount` may
     * exceed the balance (any uint256): the free balance is then zero, and the freeze withholds the units the
     * holder receives or the books release until it is lowered. Refuses only an amount below what the other
     * purposes lock (TokenFrozenBelowEncumbered): those are released by their own locker. Works on frozen
     * accounts and paused tokens. Emits {Encumbered} or {Released} for the purpose when it changes, then
     * {Frozen} with `amount`.
     */
    function setFrozenTokens(address account, uint256 amount) external onlyRole(AGENT_ROLE) returns (bool) {
        if (account == address(0)) revert TokenZeroAccount();
        TokenStorage storage $ = _t();
        Account storage a = $.accounts[account];
        uint256 held = $.encumbrances[account][address(this)][FROZEN_TOKENS_DEAL];
        uint256 others = a.encumbered - _frozenShare(held);
        if (amount < others) revert TokenFrozenBelowEncumbered(account, others, amount);
        uint256 target;
        unchecked {
            // others <= amount.
            target = amount - others;
        }
        if (target != held) {
            _writeFreeze($, a, account, others, target);
            unchecked {
                // Each branch subtracts the smaller from the larger.
                if (target > held) emit Encumbered(account, address(this), FROZEN_TOKENS_DEAL, target - held, target);
                else emit Released(account, address(this), FROZEN_TOKENS_DEAL, held - target, target);
            }
        }
        emit Frozen(account, amount);
        return true;
    }

    /**
     * @inheritdoc IERC7943Fungible
     * @dev Requires AGENT_ROLE. Takes the free units first, then frozen units the balance holds; never units
     * locked by the books or other depository purposes (use {forceTransfer} naming the purpose). Ignores pause
     * and the sender's freeze and status, like {forceTransfer}; `to` must pass {canReceive}. When it takes
     * frozen units it first unfreezes exactly those, as ERC-7943 requires: the freeze shrinks by the units taken
     * and {Released} and {Frozen} (the new `getFrozenTokens`) come before {Transfer}. A freeze above the
     * balance thus keeps withholding the same quantity beyond what is held (the community ERC20uRWA instead
     * lowers the freeze to the balance left; both agree whenever the freeze is within the balance). Emits
     * {Transfer} and the ERC-7943 {ForcedTransfer}.
     */
    function forcedTransfer(address from, address to, uint256 amount) external onlyRole(AGENT_ROLE) returns (bool) {
        _checkMove(from, to, amount);
        if (!canReceive(to)) revert ERC7943CannotReceive(to);
        TokenStorage storage $ = _t();
        Account storage a = $.accounts[from];
        uint256 balance = a.balance;
        if (amount > balance) revert ERC20InsufficientBalance(from, balance, amount);
        uint256 free = _unlocked(balance, a.encumbered);
        if (amount > free) {
            uint256 taken;
            unchecked {
                // free < amount.
                taken = _consumeFreeze($, a, from, amount - free, free);
            }
            // Short even with every frozen unit held: the rest is locked by other purposes.
            if (free + taken < amount) revert TokenInsufficientFreeBalance(from, free + taken, amount);
        }
        _moveBalance($, a, from, to, amount);
        emit ForcedTransfer(from, to, amount);
        return true;
    }

    /* LOCK OPERATOR OPERATIONS */

    /// @inheritdoc IEncumberableToken
    function encumber(address holder, uint256 dealId, uint256 amount) external onlyRole(LOCK_OPERATOR_ROLE) {
        _encumber(holder, _msgSender(), dealId, amount);
    }

    /// @inheritdoc IEncumberableToken
    function release(address holder, uint256 dealId, uint256 amount) external onlyRole(LOCK_OPERATOR_ROLE) {
        _release(holder, _msgSender(), dealId, amount);
    }

    /// @inheritdoc IEncumberableToken
    function moveEncumbered(
        address from,
        address to,
        uint256 dealId,
        uint256 amount,
        bool keepEncumbered
    ) external onlyRole(LOCK_OPERATOR_ROLE) {
        TokenStorage storage $ = _t();
        if ($.paused) revert TokenIsPaused(address(this));
        _checkMove(from, to, amount);
        address locker = _msgSender();
        uint256 e = $.encumbrances[from][locker][dealId];
        if (e < amount) revert TokenInsufficientEncumbrance(from, locker, dealId, e, amount);
        Account storage a = $.accounts[from];
        if (a.frozen) revert TokenAccountFrozen(from);
        _checkReceiver($, to);
        unchecked {
            // amount <= e <= a.encumbered.
            $.encumbrances[from][locker][dealId] = e - amount;
            a.encumbered -= uint120(amount);
        }
        _moveBalance($, a, from, to, amount);
        if (keepEncumbered) {
            unchecked {
                // The receiver's encumbrances stay <= its balance, which just grew by amount and is <= SUPPLY_CAP,
                // and its freeze counts for at most SUPPLY_CAP: the sum stays below 2^120.
                $.encumbrances[to][locker][dealId] += amount;
                $.accounts[to].encumbered += uint120(amount);
            }
        }
        emit EncumbranceMoved(from, to, dealId, locker, amount, keepEncumbered);
    }

    /// @inheritdoc IEncumberableToken
    function takeEncumbered(
        address from,
        address to,
        uint256 dealId,
        uint256 amount
    ) external onlyRole(LOCK_OPERATOR_ROLE) {
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        TokenStorage storage $ = _t();
        address locker = _msgSender();
        uint256 e = $.encumbrances[from][locker][dealId];
        if (e < amount) revert TokenInsufficientEncumbrance(from, locker, dealId, e, amount);
        Account storage a = $.accounts[from];
        if (amount != 0) {
            if ($.paused) revert TokenIsPaused(address(this));
            if (to == address(0)) revert ERC20InvalidReceiver(address(0));
            if (from == to) revert TokenSelfTransfer(from);
            if (a.frozen) revert TokenAccountFrozen(from);
            _checkReceiver($, to);
        } else if (e == 0) {
            revert TokenZeroAmount();
        }
        delete $.encumbrances[from][locker][dealId];
        unchecked {
            // e <= a.encumbered: the purpose's units are part of the holder's total.
            a.encumbered -= uint120(e);
        }
        if (amount != 0) {
            _moveBalance($, a, from, to, amount);
            emit EncumbranceMoved(from, to, dealId, locker, amount, false);
        }
        // Cannot underflow: amount <= e was checked.
        unchecked {
            if (e > amount) emit Released(from, locker, dealId, e - amount, 0);
        }
    }

    /* SETTLEMENT OPERATIONS */

    /// @inheritdoc IEncumberableToken
    function settlementTransfer(address from, address to, uint256 amount) external onlyRole(SETTLEMENT_ROLE) {
        _transfer(from, to, amount);
    }

    /// @inheritdoc IEncumberableToken
    function deliverEncumbered(
        address from,
        address to,
        uint256 dealId,
        uint256 amount
    ) external onlyRole(SETTLEMENT_ROLE) {
        _checkMove(from, to, amount);
        _transfer(from, to, amount);
        // Only the units just delivered are locked: they are part of the receiver's balance now.
        TokenStorage storage $ = _t();
        address locker = _msgSender();
        uint256 total;
        unchecked {
            // The receiver's encumbrances stay <= its balance, which just grew by amount and is <= SUPPLY_CAP,
            // and its freeze counts for at most SUPPLY_CAP: the sum stays below 2^120.
            $.accounts[to].encumbered += uint120(amount);
            total = $.encumbrances[to][locker][dealId] + amount;
        }
        $.encumbrances[to][locker][dealId] = total;
        emit Encumbered(to, locker, dealId, amount, total);
    }

    /* VIEWS */

    /// @inheritdoc IEncumberableToken
    function encumbered(address holder, address locker, uint256 dealId) external view returns (uint256) {
        return _t().encumbrances[holder][locker][dealId];
    }

    /// @inheritdoc IEncumberableToken
    /// @dev The ERC-7943 freeze counts as recorded, so the total may exceed the balance (saturates at 2^256 - 1).
    function totalEncumbered(address holder) external view returns (uint256) {
        return _frozenOf(_t(), holder);
    }

    /// @inheritdoc IEncumberableToken
    function freeBalance(address holder) external view returns (uint256) {
        Account storage a = _t().accounts[holder];
        return _unlocked(a.balance, a.encumbered);
    }

    /// @inheritdoc IEncumberableToken
    function isFrozen(address account) external view returns (bool) {
        return _t().accounts[account].frozen;
    }

    /// @inheritdoc IEncumberableToken
    function paused() external view returns (bool) {
        return _t().paused;
    }

    /// @inheritdoc IEncumberableToken
    function registry() external view returns (address) {
        return address(_t().registry);
    }

    /// @inheritdoc IERC7943Fungible
    function canSend(address account) public view returns (bool) {
        return _eligible(_t(), account);
    }

    /// @inheritdoc IERC7943Fungible
    function canReceive(address account) public view returns (bool) {
        return _eligible(_t(), account);
    }

    /// @inheritdoc IERC7943Fungible
    /// @dev Encumbered + frozen: `totalEncumbered(account)`, the freeze set by {setFrozenTokens} as recorded, so
    /// it may exceed the balance (saturates at 2^256 - 1).
    function getFrozenTokens(address account) external view returns (uint256) {
        return _frozenOf(_t(), account);
    }

    /// @inheritdoc IERC7943Fungible
    /// @dev False when the token is paused, when `from` cannot send or `to` cannot receive, or when `amount` is
    /// within the balance of `from` but exceeds its unfrozen balance `max(0, balance - getFrozenTokens(from))`.
    /// An amount above the balance is not refused here: ERC-7943 leaves balance checks to ERC-20, and the
    /// transfer fails with ERC20InsufficientBalance.
    function canTransfer(address from, address to, uint256 amount) external view returns (bool) {
        TokenStorage storage $ = _t();
        if ($.paused || !_eligible($, from) || !_eligible($, to)) return false;
        Account storage a = $.accounts[from];
        return amount > a.balance || amount <= _unlocked(a.balance, a.encumbered);
    }

    /// @notice ERC-165: true for IERC165, IAccessControl, IERC20, IERC20Metadata and IERC7943Fungible.
    function supportsInterface(
        bytes4 interfaceId
    ) public view virtual override(AccessControlUpgradeable, IERC165) returns (bool) {
        return
            interfaceId == type(IERC7943Fungible).interfaceId ||
            interfaceId == type(IERC20).interfaceId ||
            interfaceId == type(IERC20Metadata).interfaceId ||
            super.supportsInterface(interfaceId);
    }

    /* INTERNAL */

    function _transfer(address from, address to, uint256 value) internal {
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        _update(from, to, value);
    }

    /**
     * @dev The single compliance hook of every ordinary movement (transfer, transferFrom, settlement,
     * mint from zero, burn to zero). Refuses, in this order: a paused token; a sender, then a receiver, that
     * is not an active participant (one registry call for both sides of a transfer); a sender that is
     * frozen, lacks the balance or lacks the free (unencumbered, unfrozen) balance
     * (ERC7943InsufficientUnfrozenBalance, with the free balance, zero when the freeze exceeds the balance);
     * a receiver that is frozen.
     */
    function _update(address from, address to, uint256 value) internal virtual {
        TokenStorage storage $ = _t();
        IParticipantRegistry reg = $.registry;
        if ($.paused) revert TokenIsPaused(address(this));
        if (from != address(0) && to != address(0)) {
            // An ordinary transfer: ask the registry about both sides in one call.
            (ParticipantKind kindFrom, ParticipantKind kindTo) = reg.activeKindsOf(from, to);
            if (kindFrom == ParticipantKind.None) revert TokenNotActiveParticipant(from);
            if (kindTo == ParticipantKind.None) revert TokenNotActiveParticipant(to);
        } else if (from != address(0)) {
            if (reg.activeKindOf(from) == ParticipantKind.None) revert TokenNotActiveParticipant(from);
        } else {
            // A mint: {mint} has refused a zero receiver, so `to` is an account.
            if (reg.activeKindOf(to) == ParticipantKind.None) revert TokenNotActiveParticipant(to);
        }
        if (from == address(0)) {
            uint256 supply = $.totalSupply + value;
            if (supply > SUPPLY_CAP) revert TokenSupplyCapExceeded(supply, SUPPLY_CAP);
            $.totalSupply = supply;
        } else {
            Account storage a = $.accounts[from];
            uint256 balance = a.balance;
            uint256 locked = a.encumbered;
            if (a.frozen) revert TokenAccountFrozen(from);
            if (value > balance) revert ERC20InsufficientBalance(from, balance, value);
            unchecked {
                // value <= balance <= SUPPLY_CAP and locked < 2^120: the sum cannot overflow. Past the first
                // test only a zero value under a freeze above the balance passes.
                if (value + locked > balance) {
                    uint256 free = _unlocked(balance, locked);
                    if (value > free) revert ERC7943InsufficientUnfrozenBalance(from, value, free);
                }
                a.balance = uint128(balance - value);
            }
        }
        if (to == address(0)) {
            unchecked {
                // value was taken from a balance, and balances sum to the total supply.
                $.totalSupply -= value;
            }
        } else {
            Account storage b = $.accounts[to];
            if (b.frozen) revert TokenAccountFrozen(to);
            unchecked {
                // balances sum to the total supply, which is <= SUPPLY_CAP < 2^128.
                b.balance += uint128(value);
            }
        }
        emit Transfer(from, to, value);
    }

    /// @dev Debits `a` (the account of `from`) and credits `to` by `amount`, for forced and locked moves
    /// whose checks the caller has made. The caller has checked that amount is within the balance less the
    /// purposes it does not take, so the purposes other than the freeze stay within the balance.
    function _moveBalance(TokenStorage storage $, Account storage a, address from, address to, uint256 amount) private {
        unchecked {
            // amount <= balance; the receiver's balance stays <= total supply <= SUPPLY_CAP.
            a.balance -= uint128(amount);
            $.accounts[to].balance += uint128(amount);
        }
        emit Transfer(from, to, amount);
    }

    /// @dev Common argument checks of forced and locked moves.
    function _checkMove(address from, address to, uint256 amount) private pure {
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        if (from == to) revert TokenSelfTransfer(from);
        if (amount == 0) revert TokenZeroAmount();
    }

    /// @dev A receiver of a forced or locked move must be an active participant and not frozen.
    function _checkReceiver(TokenStorage storage $, address to) private view {
        if ($.registry.activeKindOf(to) == ParticipantKind.None) revert TokenNotActiveParticipant(to);
        if ($.accounts[to].frozen) revert TokenAccountFrozen(to);
    }

    /// @dev ERC-7943 account-level eligibility: an active participant whose account is not frozen.
    function _eligible(TokenStorage storage $, address account) private view returns (bool) {
        return !$.accounts[account].frozen && $.registry.activeKindOf(account) != ParticipantKind.None;
    }

    function _encumber(address holder, address locker, uint256 dealId, uint256 amount) private {
        if (holder == address(0)) revert TokenZeroAccount();
        if (amount == 0) revert TokenZeroAmount();
        TokenStorage storage $ = _t();
        Account storage a = $.accounts[holder];
        uint256 free = _unlocked(a.balance, a.encumbered);
        if (amount > free) revert TokenInsufficientFreeBalance(holder, free, amount);
        uint256 total;
        unchecked {
            // amount <= free, so a.encumbered + amount <= balance < 2^120, and so is every purpose's share.
            a.encumbered += uint120(amount);
            total = $.encumbrances[holder][locker][dealId] + amount;
        }
        $.encumbrances[holder][locker][dealId] = total;
        emit Encumbered(holder, locker, dealId, amount, total);
    }

    function _release(address holder, address locker, uint256 dealId, uint256 amount) private {
        if (holder == address(0)) revert TokenZeroAccount();
        if (amount == 0) revert TokenZeroAmount();
        TokenStorage storage $ = _t();
        uint256 e = $.encumbrances[holder][locker][dealId];
        if (e < amount) revert TokenInsufficientEncumbrance(holder, locker, dealId, e, amount);
        unchecked {
            // amount <= e <= the holder's total encumbered.
            $.encumbrances[holder][locker][dealId] = e - amount;
            $.accounts[holder].encumbered -= uint120(amount);
        }
        emit Released(holder, locker, dealId, amount, e - amount);
    }

    /// @dev Unfreezes up to `amount` of the frozen units `from` holds (the freeze beyond the balance is nothing to
    /// take), for {forcedTransfer} and {forceTransfer} naming the freeze, which then move them: lowers the freeze
    /// by exactly the units taken and emits {Released} and {Frozen} (before the move's {Transfer}). Returns the
    /// units taken.
    function _consumeFreeze(
        TokenStorage storage $,
        Account storage a,
        address from,
        uint256 amount,
        uint256 free
    ) private returns (uint256 consumed) {
        mapping(uint256 dealId => uint256) storage own = $.encumbrances[from][address(this)];
        uint256 frozen = own[FROZEN_TOKENS_DEAL];
        Account memory acc = a;
        unchecked {
            // The freeze's share is part of the locked quantity, and the other purposes stay within the balance.
            uint256 others = acc.encumbered - _frozenShare(frozen);
            // Frozen units held: what the other purposes leave of the balance, less the free ones (<= frozen).
            uint256 held = acc.balance - others - free;
            consumed = held < amount ? held : amount;
            if (consumed != 0) {
                uint256 left = frozen - consumed;
                own[FROZEN_TOKENS_DEAL] = left;
                a.encumbered = uint120(others + _frozenShare(left));
                emit Released(from, address(this), FROZEN_TOKENS_DEAL, consumed, left);
                emit Frozen(from, _frozenTotal(others, left));
            }
        }
    }

    /// @dev Records the ERC-7943 freeze of `account` (purpose: this token, FROZEN_TOKENS_DEAL) as `frozen` and
    /// sets its locked quantity to `others` (the other purposes, <= balance <= SUPPLY_CAP) plus the freeze's
    /// share (<= SUPPLY_CAP): the sum fits in 120 bits.
    function _writeFreeze(
        TokenStorage storage $,
        Account storage a,
        address account,
        uint256 others,
        uint256 frozen
    ) private {
        $.encumbrances[account][address(this)][FROZEN_TOKENS_DEAL] = frozen;
        a.encumbered = uint120(others + _frozenShare(frozen));
    }

    /// @dev The part of a freeze counted in the locked quantity: the freeze up to SUPPLY_CAP. No balance
    /// exceeds SUPPLY_CAP, so the free balance `max(0, balance - locked)` is the same as with the whole freeze.
    function _frozenShare(uint256 frozen) private pure returns (uint256) {
        return frozen < SUPPLY_CAP ? frozen : SUPPLY_CAP;
    }

    /// @dev Units of a balance that the locked quantity leaves free: `balance - locked`, zero when the freeze
    /// withholds more than is held.
    function _unlocked(uint256 balance, uint256 locked) private pure returns (uint256) {
        unchecked {
            return balance > locked ? balance - locked : 0;
        }
    }

    /// @dev ERC-7943 frozen tokens: the other purposes plus the freeze as recorded, saturating at 2^256 - 1.
    function _frozenTotal(uint256 others, uint256 frozen) private pure returns (uint256) {
        unchecked {
            return frozen > type(uint256).max - others ? type(uint256).max : others + frozen;
        }
    }

    /// @dev All purposes of `holder` summed, the freeze as recorded: {getFrozenTokens} and {totalEncumbered}.
    function _frozenOf(TokenStorage storage $, address holder) private view returns (uint256) {
        uint256 locked = $.accounts[holder].encumbered;
        uint256 frozen = $.encumbrances[holder][address(this)][FROZEN_TOKENS_DEAL];
        uint256 share = _frozenShare(frozen);
        if (frozen == share) return locked;
        return _frozenTotal(locked - share, frozen);
    }

    function _setFrozen(address account, bool frozen) private {
        if (account == address(0)) revert TokenZeroAccount();
        Account storage a = _t().accounts[account];
        if (a.frozen == frozen) revert TokenFreezeUnchanged(account, frozen);
        a.frozen = frozen;
    }

    /// @dev As OpenZeppelin's ERC20: a short allowance is refused first; otherwise the allowance is written back
    /// through the approval path, which refuses the zero owner as approver (the zero address never approves,
    /// so only a zero amount reaches that check).
    function _spendAllowance(address owner, address spender, uint256 value) private {
        TokenStorage storage $ = _t();
        uint256 current = $.allowances[owner][spender];
        if (current != type(uint256).max) {
            if (current < value) revert ERC20InsufficientAllowance(spender, current, value);
            if (owner == address(0)) revert ERC20InvalidApprover(address(0));
            unchecked {
                // value <= current.
                $.allowances[owner][spender] = current - value;
            }
        }
    }
}
