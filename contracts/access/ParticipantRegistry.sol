// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {ConsortiumUpgradeable} from "./ConsortiumUpgradeable.sol";
import {IParticipantRegistry, ParticipantKind, ParticipantStatus} from "../interfaces/IParticipantRegistry.sol";

/**
 * @title ParticipantRegistry
 * @notice The depository's register of participants (SPEC §2): kind, status, identity hash, jurisdiction
 * and the addresses authorised to act for each organisation.
 * @dev Roles:
 * - `REGISTRAR_ROLE` onboards participants, corrects identity data, adds and removes signers;
 * - `SUPERVISOR_ROLE` suspends, reinstates and closes participants;
 * - `DEFAULT_ADMIN_ROLE` (the consortium admin) manages roles and upgrades.
 *
 * Hot path: every signer address has one storage word holding its participant id, kind and status, so
 * `signerOf` costs a single SLOAD. Status changes therefore rewrite the word of each of the participant's
 * signers; `MAX_SIGNERS` bounds that loop.
 */
contract ParticipantRegistry is ConsortiumUpgradeable, IParticipantRegistry {
    using EnumerableSet for EnumerableSet.AddressSet;

    /* TYPES */

    /// @dev Denormalised copy of what hot paths need about a signer, packed in one slot.
    struct SignerRecord {
        uint32 participantId;
        ParticipantKind kind;
        ParticipantStatus status;
    }

    /* CONSTANTS */

    /// @notice Role of the depository staff who onboard participants and manage their signers.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @notice Role of the depository staff who suspend, reinstate and close participants.
    bytes32 public constant SUPERVISOR_ROLE = keccak256("SUPERVISOR_ROLE");
    /// @inheritdoc IParticipantRegistry
    uint256 public constant MAX_SIGNERS = 32;

    /* STORAGE */

    /// @custom:storage-location erc7201:csd.storage.ParticipantRegistry
    struct RegistryStorage {
        uint32 count;
        mapping(uint32 participantId => Participant) participants;
        mapping(uint32 participantId => EnumerableSet.AddressSet) signers;
        mapping(address signer => SignerRecord) signerRecords;
        mapping(bytes32 identityHash => uint32 participantId) byIdentity;
    }

    // keccak256(abi.encode(uint256(keccak256("csd.storage.ParticipantRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x33a4171d9b3c69be4ed7d3eb380f6718b7456f77d7728e49f208a0a1aa8e6900;

    function _s() private pure returns (RegistryStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /* INITIALISER */

    /// @notice Initialises the proxy.
    /// @param admin Consortium admin (may be a timelock or multisig); also receives the registrar and
    /// supervisor roles so the first participants can be onboarded, and may hand them on.
    function initialize(address admin) external initializer {
        __Consortium_init(admin);
        _grantRole(REGISTRAR_ROLE, admin);
        _grantRole(SUPERVISOR_ROLE, admin);
    }

    /* REGISTRAR FUNCTIONS */

    /// @inheritdoc IParticipantRegistry
    function addParticipant(
        ParticipantKind kind,
        bytes32 identityHash,
        bytes2 jurisdiction,
        address[] calldata signers
    ) external onlyRole(REGISTRAR_ROLE) returns (uint32 participantId) {
        if (kind == ParticipantKind.None) revert RegistryInvalidKind(uint8(kind));
        _checkIdentity(identityHash, jurisdiction, 0);
        if (signers.length > MAX_SIGNERS) revert RegistryTooManySigners(0, MAX_SIGNERS);

        RegistryStorage storage $ = _s();
        participantId = ++$.count;
        $.participants[participantId] = Participant({
            kind: kind,
            status: ParticipantStatus.Active,
            jurisdiction: jurisdiction,
            onboardedAt: uint64(block.timestamp),
            identityHash: identityHash
        });
        $.byIdentity[identityHash] = participantId;
        emit ParticipantAdded(participantId, kind, identityHash, jurisdiction);

        for (uint256 i; i < signers.length; ++i) {
            _bindSigner($, participantId, kind, ParticipantStatus.Active, signers[i]);
        }
    }

    /// @inheritdoc IParticipantRegistry
    function updateIdentity(
        uint32 participantId,
        bytes32 identityHash,
        bytes2 jurisdiction
    ) external onlyRole(REGISTRAR_ROLE) {
        RegistryStorage storage $ = _s();
        Participant storage p = _existing($, participantId);
        if (p.status == ParticipantStatus.Closed) revert RegistryParticipantClosed(participantId);
        _checkIdentity(identityHash, jurisdiction, participantId);
        delete $.byIdentity[p.identityHash];
        $.byIdentity[identityHash] = participantId;
        p.identityHash = identityHash;
        p.jurisdiction = jurisdiction;
        emit ParticipantIdentityUpdated(participantId, identityHash, jurisdiction);
    }

    /// @inheritdoc IParticipantRegistry
    function addSigner(uint32 participantId, address signer) external onlyRole(REGISTRAR_ROLE) {
        RegistryStorage storage $ = _s();
        Participant storage p = _existing($, participantId);
        if (p.status == ParticipantStatus.Closed) revert RegistryParticipantClosed(participantId);
        if ($.signers[participantId].length() >= MAX_SIGNERS) {
            revert RegistryTooManySigners(participantId, MAX_SIGNERS);
        }
        _bindSigner($, participantId, p.kind, p.status, signer);
    }

    /// @inheritdoc IParticipantRegistry
    function removeSigner(uint32 participantId, address signer) external onlyRole(REGISTRAR_ROLE) {
        RegistryStorage storage $ = _s();
        _existing($, participantId);
        if (!$.signers[participantId].remove(signer)) revert RegistryNotASigner(signer, participantId);
        delete $.signerRecords[signer];
        emit SignerRemoved(participantId, signer);
    }

    /* SUPERVISOR FUNCTIONS */

    /// @inheritdoc IParticipantRegistry
    function suspend(uint32 participantId, bytes32 reason) external onlyRole(SUPERVISOR_ROLE) {
        _transition(participantId, ParticipantStatus.Active, ParticipantStatus.Suspended, reason);
    }

    /// @inheritdoc IParticipantRegistry
    function reinstate(uint32 participantId, bytes32 reason) external onlyRole(SUPERVISOR_ROLE) {
        _transition(participantId, ParticipantStatus.Suspended, ParticipantStatus.Active, reason);
    }

    /// @inheritdoc IParticipantRegistry
    function close(uint32 participantId, bytes32 reason) external onlyRole(SUPERVISOR_ROLE) {
        ParticipantStatus from = _existing(_s(), participantId).status;
        // Active and Suspended may close; a closed participant stays closed.
        _transition(
            participantId,
            from == ParticipantStatus.Closed ? ParticipantStatus.Active : from,
            ParticipantStatus.Closed,
            reason
        );
    }

    /* VIEWS */

    /// @inheritdoc IParticipantRegistry
    function signerOf(
        address account
    ) external view returns (uint32 participantId, ParticipantKind kind, ParticipantStatus status) {
        SignerRecord memory r = _s().signerRecords[account];
        return (r.participantId, r.kind, r.status);
    }

    /// @inheritdoc IParticipantRegistry
    function isActiveSigner(address account) external view returns (bool) {
        return _s().signerRecords[account].status == ParticipantStatus.Active;
    }

    /// @inheritdoc IParticipantRegistry
    function activeKindOf(address account) external view returns (ParticipantKind) {
        SignerRecord memory r = _s().signerRecords[account];
        return r.status == ParticipantStatus.Active ? r.kind : ParticipantKind.None;
    }

    /// @inheritdoc IParticipantRegistry
    function activeKindsOf(address a, address b) external view returns (ParticipantKind kindA, ParticipantKind kindB) {
        RegistryStorage storage $ = _s();
        SignerRecord memory ra = $.signerRecords[a];
        SignerRecord memory rb = $.signerRecords[b];
        kindA = ra.status == ParticipantStatus.Active ? ra.kind : ParticipantKind.None;
        kindB = rb.status == ParticipantStatus.Active ? rb.kind : ParticipantKind.None;
    }

    /// @inheritdoc IParticipantRegistry
    function isAuthorisedSigner(uint32 participantId, address account) external view returns (bool) {
        SignerRecord memory r = _s().signerRecords[account];
        return participantId != 0 && r.participantId == participantId && r.status == ParticipantStatus.Active;
    }

    /// @inheritdoc IParticipantRegistry
    function kindAndStatusOf(uint32 participantId) external view returns (ParticipantKind, ParticipantStatus) {
        Participant storage p = _s().participants[participantId];
        return (p.kind, p.status);
    }

    /// @inheritdoc IParticipantRegistry
    function participant(uint32 participantId) external view returns (Participant memory) {
        return _existing(_s(), participantId);
    }

    /// @inheritdoc IParticipantRegistry
    function signersOf(uint32 participantId) external view returns (address[] memory) {
        RegistryStorage storage $ = _s();
        _existing($, participantId);
        return $.signers[participantId].values();
    }

    /// @inheritdoc IParticipantRegistry
    function participantIdByIdentity(bytes32 identityHash) external view returns (uint32) {
        return _s().byIdentity[identityHash];
    }

    /// @inheritdoc IParticipantRegistry
    function participantCount() external view returns (uint32) {
        return _s().count;
    }

    /// @notice Version of this implementation.
    function version() external pure virtual returns (string memory) {
        return "1.0.0";
    }

    /* INTERNAL */

    function _existing(RegistryStorage storage $, uint32 participantId) private view returns (Participant storage p) {
        p = $.participants[participantId];
        if (p.status == ParticipantStatus.None) revert RegistryUnknownParticipant(participantId);
    }

    /// @dev Validates identity data; `self` is the participant allowed to already hold the hash.
    function _checkIdentity(bytes32 identityHash, bytes2 jurisdiction, uint32 self) private view {
        if (identityHash == bytes32(0)) revert RegistryEmptyIdentityHash();
        if (!_isUpperAlpha(jurisdiction[0]) || !_isUpperAlpha(jurisdiction[1])) {
            revert RegistryInvalidJurisdiction(jurisdiction);
        }
        uint32 holder = _s().byIdentity[identityHash];
        if (holder != 0 && holder != self) revert RegistryIdentityTaken(identityHash, holder);
    }

    function _isUpperAlpha(bytes1 c) private pure returns (bool) {
        return c >= 0x41 && c <= 0x5A;
    }

    function _bindSigner(
        RegistryStorage storage $,
        uint32 participantId,
        ParticipantKind kind,
        ParticipantStatus status,
        address signer
    ) private {
        if (signer == address(0)) revert RegistryZeroSigner();
        uint32 holder = $.signerRecords[signer].participantId;
        if (holder != 0) revert RegistrySignerTaken(signer, holder);
        $.signers[participantId].add(signer);
        $.signerRecords[signer] = SignerRecord(participantId, kind, status);
        emit SignerAdded(participantId, signer);
    }

    function _transition(
        uint32 participantId,
        ParticipantStatus expected,
        ParticipantStatus to,
        bytes32 reason
    ) private {
        RegistryStorage storage $ = _s();
        Participant storage p = _existing($, participantId);
        ParticipantStatus from = p.status;
        if (from != expected) revert RegistryInvalidTransition(participantId, from, to);
        p.status = to;
        address[] memory signers = $.signers[participantId].values();
        for (uint256 i; i < signers.length; ++i) {
            $.signerRecords[signers[i]].status = to;
        }
        emit ParticipantStatusChanged(participantId, from, to, reason);
    }
}
