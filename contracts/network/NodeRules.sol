// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {RulesBase} from "./RulesBase.sol";
import {INodeRules} from "../interfaces/IBesuPermissioning.sol";
import {IParticipantRegistry, ParticipantKind, ParticipantStatus} from "../interfaces/IParticipantRegistry.sol";

/**
 * @title NodeRules
 * @notice Which nodes may join the permissioned chain: enodes registered to an Active member
 * organisation (any kind but Investor). A node is registered as (enode id, host, port); register the
 * host name as a second entry when peers may be reached by name (Besu retries with reverse DNS).
 * @dev Enode ids and host names are compared case-insensitively. `connectionAllowed` never reverts on
 * content: wrong lengths, non-hex ids, zero ports and unknown nodes answer `false`.
 */
contract NodeRules is RulesBase, INodeRules {
    using EnumerableSet for EnumerableSet.Bytes32Set;

    /// @notice Role of the depository staff who admit and remove nodes.
    bytes32 public constant NODE_ADMIN_ROLE = keccak256("NODE_ADMIN_ROLE");
    /// @notice Length of an enode id: a 64-byte public key in hex without `0x`.
    uint256 public constant ENODE_ID_LENGTH = 128;
    /// @notice Longest host accepted (a DNS name is at most 253 characters).
    uint256 public constant MAX_HOST_LENGTH = 253;

    /// @notice A node admitted to the network.
    struct Node {
        uint32 participantId;
        uint16 port;
        string enodeId;
        string host;
    }

    /// @custom:storage-location erc7201:csd.storage.NodeRules
    struct NodeRulesStorage {
        mapping(bytes32 key => Node) nodes;
        EnumerableSet.Bytes32Set keys;
    }

    // keccak256(abi.encode(uint256(keccak256("csd.storage.NodeRules")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x40f0eac4379078600ab63941b51cbe74c025c01f36d113e2b4adf54417e5ca00;

    /// @notice Emitted when a node is admitted.
    event NodeAllowed(bytes32 indexed key, uint32 indexed participantId, string enodeId, string host, uint16 port);
    /// @notice Emitted when a node is removed.
    event NodeDenied(bytes32 indexed key, uint32 indexed participantId, string enodeId, string host, uint16 port);

    /// @notice Thrown when an enode id is not 128 hex characters.
    error NodeRulesInvalidEnodeId(string enodeId);
    /// @notice Thrown when a host is empty or longer than 253 characters.
    error NodeRulesInvalidHost(string host);
    /// @notice Thrown when the port is zero.
    error NodeRulesInvalidPort(uint16 port);
    /// @notice Thrown when the owner is not an active member organisation.
    error NodeRulesNotAMemberOrganisation(uint32 participantId);
    /// @notice Thrown when the node is already admitted.
    error NodeRulesNodeAlreadyAllowed(bytes32 key);
    /// @notice Thrown when the node is not admitted.
    error NodeRulesUnknownNode(bytes32 key);

    function _s() private pure returns (NodeRulesStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @notice Initialises the proxy.
    /// @param admin Consortium admin; also receives NODE_ADMIN_ROLE.
    /// @param registry_ The participant registry to read.
    function initialize(address admin, address registry_) external initializer {
        __RulesBase_init(admin, registry_);
        _grantRole(NODE_ADMIN_ROLE, admin);
    }

    /// @notice Admits a node of a member organisation.
    /// @dev Requires NODE_ADMIN_ROLE. Emits {NodeAllowed}.
    /// @param enodeId 128 hex characters (either case), no `0x`.
    /// @param host IP address or host name the node is reached at.
    /// @param port P2P port.
    /// @param participantId The organisation running the node (Active, not an investor).
    function allowNode(
        string calldata enodeId,
        string calldata host,
        uint16 port,
        uint32 participantId
    ) external onlyRole(NODE_ADMIN_ROLE) {
        (bool valid, bytes32 key, string memory id, string memory h) = _normalise(enodeId, host, port);
        if (!valid) {
            if (bytes(enodeId).length != ENODE_ID_LENGTH || !_isHex(bytes(enodeId))) {
                revert NodeRulesInvalidEnodeId(enodeId);
            }
            if (port == 0) revert NodeRulesInvalidPort(port);
            revert NodeRulesInvalidHost(host);
        }
        if (!_isActiveMember(participantId)) revert NodeRulesNotAMemberOrganisation(participantId);
        NodeRulesStorage storage $ = _s();
        if (!$.keys.add(key)) revert NodeRulesNodeAlreadyAllowed(key);
        $.nodes[key] = Node(participantId, port, id, h);
        emit NodeAllowed(key, participantId, id, h, port);
    }

    /// @notice Removes a node.
    /// @dev Requires NODE_ADMIN_ROLE. Emits {NodeDenied}.
    function denyNode(string calldata enodeId, string calldata host, uint16 port) external onlyRole(NODE_ADMIN_ROLE) {
        (, bytes32 key, , ) = _normalise(enodeId, host, port);
        NodeRulesStorage storage $ = _s();
        if (!$.keys.remove(key)) revert NodeRulesUnknownNode(key);
        Node memory n = $.nodes[key];
        delete $.nodes[key];
        emit NodeDenied(key, n.participantId, n.enodeId, n.host, n.port);
    }

    /// @inheritdoc INodeRules
    function connectionAllowed(
        string calldata enodeId,
        string calldata enodeHost,
        uint16 enodePort
    ) external view returns (bool) {
        (bool valid, bytes32 key, , ) = _normalise(enodeId, enodeHost, enodePort);
        if (!valid) return false;
        uint32 owner = _s().nodes[key].participantId;
        return owner != 0 && _isActiveMember(owner);
    }

    /// @notice All admitted nodes.
    function nodes() external view returns (Node[] memory list) {
        NodeRulesStorage storage $ = _s();
        uint256 n = $.keys.length();
        list = new Node[](n);
        for (uint256 i; i < n; ++i) {
            list[i] = $.nodes[$.keys.at(i)];
        }
    }

    /// @notice The key a node is stored under: keccak256 of the lower-case id, lower-case host and port.
    function nodeKey(string calldata enodeId, string calldata host, uint16 port) external pure returns (bytes32 key) {
        (, key, , ) = _normalise(enodeId, host, port);
    }

    function _isActiveMember(uint32 participantId) private view returns (bool) {
        // A registry that fails or answers anything but two words (including no code at all) means "no".
        (bool ok, bytes memory ret) = registry().staticcall(
            abi.encodeCall(IParticipantRegistry.kindAndStatusOf, (participantId))
        );
        if (!ok || ret.length != 64) return false;
        (uint256 kind, uint256 status) = abi.decode(ret, (uint256, uint256));
        return
            status == uint256(ParticipantStatus.Active) &&
            kind != uint256(ParticipantKind.Investor) &&
            kind != uint256(ParticipantKind.None);
    }

    /// @dev Lower-cases id and host and derives the key; `valid` is false on any malformed part.
    function _normalise(
        string calldata enodeId,
        string calldata host,
        uint16 port
    ) private pure returns (bool valid, bytes32 key, string memory id, string memory h) {
        bytes calldata rawId = bytes(enodeId);
        bytes calldata rawHost = bytes(host);
        if (rawId.length != ENODE_ID_LENGTH || rawHost.length == 0 || rawHost.length > MAX_HOST_LENGTH) {
            return (false, bytes32(0), "", "");
        }
        id = _lower(rawId);
        h = _lower(rawHost);
        valid = port != 0 && _isHex(bytes(id));
        key = keccak256(abi.encode(id, h, port));
    }

    function _lower(bytes calldata s) private pure returns (string memory) {
        bytes memory out = new bytes(s.length);
        for (uint256 i; i < s.length; ++i) {
            bytes1 c = s[i];
            out[i] = (c >= 0x41 && c <= 0x5A) ? bytes1(uint8(c) + 32) : c;
        }
        return string(out);
    }

    function _isHex(bytes memory s) private pure returns (bool) {
        for (uint256 i; i < s.length; ++i) {
            bytes1 c = s[i];
            bool digit = c >= 0x30 && c <= 0x39;
            bool lowerHex = c >= 0x61 && c <= 0x66;
            bool upperHex = c >= 0x41 && c <= 0x46;
            if (!digit && !lowerHex && !upperHex) return false;
        }
        return true;
    }
}
