// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @notice What a participant is in the market. `None` marks an unknown address.
enum ParticipantKind {
    None,
    Depository,
    Bank,
    Broker,
    Platform,
    Investor,
    Oracle,
    Regulator
}

/// @notice Lifecycle of a participant: Active ⇄ Suspended → Closed (terminal). `None` marks an unknown id.
enum ParticipantStatus {
    None,
    Active,
    Suspended,
    Closed
}

/**
 * @title IParticipantRegistry
 * @notice The depository's register of market participants, their status and their authorised signer
 * addresses. The chain keeps only a hash of each participant's real-name identity document; the
 * depository holds the mapping to real names off chain.
 */
interface IParticipantRegistry {
    /// @notice A participant record.
    /// @param kind What the participant is.
    /// @param status Active, Suspended or Closed.
    /// @param jurisdiction ISO 3166-1 alpha-2 country code, e.g. "RU", "CN", "GB".
    /// @param onboardedAt Timestamp of onboarding.
    /// @param identityHash Hash of the real-name identity document (never the document).
    struct Participant {
        ParticipantKind kind;
        ParticipantStatus status;
        bytes2 jurisdiction;
        uint64 onboardedAt;
        bytes32 identityHash;
    }

    /* EVENTS */

    /// @notice Emitted when the depository onboards a participant after KYC.
    event ParticipantAdded(
        uint32 indexed participantId,
        ParticipantKind kind,
        bytes32 indexed identityHash,
        bytes2 jurisdiction
    );
    /// @notice Emitted when a participant's identity hash or jurisdiction is corrected.
    event ParticipantIdentityUpdated(uint32 indexed participantId, bytes32 identityHash, bytes2 jurisdiction);
    /// @notice Emitted on every status change, with the reason code the supervisor gave.
    event ParticipantStatusChanged(
        uint32 indexed participantId,
        ParticipantStatus from,
        ParticipantStatus to,
        bytes32 reason
    );
    /// @notice Emitted when an address is authorised to act for a participant.
    event SignerAdded(uint32 indexed participantId, address indexed signer);
    /// @notice Emitted when an address stops acting for a participant.
    event SignerRemoved(uint32 indexed participantId, address indexed signer);

    /* ERRORS */

    /// @notice Thrown when a participant kind is `None` or out of range.
    error RegistryInvalidKind(uint8 kind);
    /// @notice Thrown when the identity hash is zero.
    error RegistryEmptyIdentityHash();
    /// @notice Thrown when another participant already has this identity hash.
    error RegistryIdentityTaken(bytes32 identityHash, uint32 participantId);
    /// @notice Thrown when a jurisdiction is not two upper-case letters.
    error RegistryInvalidJurisdiction(bytes2 jurisdiction);
    /// @notice Thrown when no participant has this id.
    error RegistryUnknownParticipant(uint32 participantId);
    /// @notice Thrown when a signer address is zero.
    error RegistryZeroSigner();
    /// @notice Thrown when a signer address already acts for a participant.
    error RegistrySignerTaken(address signer, uint32 participantId);
    /// @notice Thrown when an address is not a signer of the given participant.
    error RegistryNotASigner(address signer, uint32 participantId);
    /// @notice Thrown when a participant would exceed the maximum number of signers.
    error RegistryTooManySigners(uint32 participantId, uint256 max);
    /// @notice Thrown when a status change is not a legal transition.
    error RegistryInvalidTransition(uint32 participantId, ParticipantStatus from, ParticipantStatus to);
    /// @notice Thrown when a closed participant is changed.
    error RegistryParticipantClosed(uint32 participantId);

    /* REGISTRAR FUNCTIONS */

    /// @notice Onboards a participant after off-chain KYC.
    /// @dev Requires REGISTRAR_ROLE. Emits {ParticipantAdded} and one {SignerAdded} per signer.
    /// @param kind What the participant is (not `None`).
    /// @param identityHash Hash of the real-name identity document; unique across participants.
    /// @param jurisdiction ISO 3166-1 alpha-2 country code in upper case.
    /// @param signers Addresses authorised to act for the participant (may be empty).
    /// @return participantId The new participant's id (sequential from 1).
    function addParticipant(
        ParticipantKind kind,
        bytes32 identityHash,
        bytes2 jurisdiction,
        address[] calldata signers
    ) external returns (uint32 participantId);

    /// @notice Corrects a participant's identity hash or jurisdiction.
    /// @dev Requires REGISTRAR_ROLE. Emits {ParticipantIdentityUpdated}.
    function updateIdentity(uint32 participantId, bytes32 identityHash, bytes2 jurisdiction) external;

    /// @notice Authorises an address to act for a participant.
    /// @dev Requires REGISTRAR_ROLE. The participant must not be closed. Emits {SignerAdded}.
    function addSigner(uint32 participantId, address signer) external;

    /// @notice Revokes an address's authority without touching the participant.
    /// @dev Requires REGISTRAR_ROLE. Emits {SignerRemoved}.
    function removeSigner(uint32 participantId, address signer) external;

    /* SUPERVISOR FUNCTIONS */

    /// @notice Suspends an active participant: its signers stop being active at once.
    /// @dev Requires SUPERVISOR_ROLE. Emits {ParticipantStatusChanged}.
    function suspend(uint32 participantId, bytes32 reason) external;

    /// @notice Reinstates a suspended participant.
    /// @dev Requires SUPERVISOR_ROLE. Emits {ParticipantStatusChanged}.
    function reinstate(uint32 participantId, bytes32 reason) external;

    /// @notice Closes a participant for good (from Active or Suspended).
    /// @dev Requires SUPERVISOR_ROLE. Emits {ParticipantStatusChanged}.
    function close(uint32 participantId, bytes32 reason) external;

    /* VIEWS */

    /// @notice Hot-path lookup: which participant an address acts for, its kind and its status, in one
    /// storage read. Unknown addresses return (0, None, None).
    function signerOf(
        address account
    ) external view returns (uint32 participantId, ParticipantKind kind, ParticipantStatus status);

    /// @notice True when `account` is a signer of an Active participant.
    function isActiveSigner(address account) external view returns (bool);

    /// @notice The kind of the active participant `account` acts for, or `None`.
    function activeKindOf(address account) external view returns (ParticipantKind);

    /// @notice Both sides of a transfer in one call: the kinds of the active participants `a` and `b` act
    /// for, `None` for an inactive or unknown address.
    function activeKindsOf(address a, address b) external view returns (ParticipantKind kindA, ParticipantKind kindB);

    /// @notice True when `account` acts for participant `participantId` and that participant is Active.
    function isAuthorisedSigner(uint32 participantId, address account) external view returns (bool);

    /// @notice Kind and status of a participant in one call; (None, None) for an unknown id. Never reverts.
    function kindAndStatusOf(uint32 participantId) external view returns (ParticipantKind, ParticipantStatus);

    /// @notice A participant's record. Reverts with {RegistryUnknownParticipant} for unknown ids.
    function participant(uint32 participantId) external view returns (Participant memory);

    /// @notice The addresses that act for a participant.
    function signersOf(uint32 participantId) external view returns (address[] memory);

    /// @notice The participant registered with an identity hash, or 0.
    function participantIdByIdentity(bytes32 identityHash) external view returns (uint32);

    /// @notice Number of participants ever onboarded (ids run from 1 to this number).
    function participantCount() external view returns (uint32);

    /// @notice Maximum number of signers per participant.
    function MAX_SIGNERS() external view returns (uint256);
}
