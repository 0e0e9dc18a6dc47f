// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title SmartAccount
/// @notice Test payer: a minimal smart-contract account (a smart wallet) owned by one EOA. The owner sends batches of
///         calls through it, and it signs as ERC-1271 says a contract signs: {isValidSignature} accepts the owner's
///         ECDSA signature. Permits from this account are what {SubscriptionFactory-activateWithPermitSignature}
///         takes.
/// @dev The signature check is over the hash exactly as given, with no domain of the account's own. That is enough
///      for a test account, but a production account must not do it: a signature by the owner is then valid for
///      every account that owner has, so whatever one of them signed can be replayed as another's. ERC-7739
///      (a nested EIP-712 type hash that binds the account's address) is the production answer.
contract SmartAccount is IERC1271 {
    /// @notice One call in a batch.
    struct Call {
        /// @dev The account called.
        address target;
        /// @dev Wei sent with the call.
        uint256 value;
        /// @dev The call's calldata.
        bytes data;
    }

    /// @dev What {isValidSignature} returns for a valid signature: the ERC-1271 magic value, its own selector.
    bytes4 private constant _VALID = IERC1271.isValidSignature.selector;

    /// @dev What {isValidSignature} returns for any other signature.
    bytes4 private constant _INVALID = 0xffffffff;

    /// @dev The EOA that controls this account: the only caller of {executeBatch} and the only valid signer.
    address private immutable _OWNER;

    /// @notice Only the owner may send calls through this account; `caller` tried.
    error NotOwner(address caller);

    /// @param owner_ The EOA that controls this account.
    constructor(address owner_) {
        _OWNER = owner_;
    }

    /// @notice Accepts ether, so the account can pay for calls that send value.
    receive() external payable {}

    /// @notice Makes each call of `calls` from this account, in order. Only the owner may call. Atomic: if any call
    ///         reverts, the whole batch reverts with that call's revert data.
    function executeBatch(Call[] calldata calls) external payable {
        if (msg.sender != _OWNER) revert NotOwner(msg.sender);
        for (uint256 i; i < calls.length; ++i) {
            Call calldata call = calls[i];
            Address.functionCallWithValue(call.target, call.data, call.value);
        }
    }

    /// @notice ERC-1271: whether this account signed `hash`. Valid (`0x1626ba7e`) when `signature` is a 65-byte ECDSA
    ///         signature (r, s, v) by the owner over `hash` exactly, with no prefix; `0xffffffff` for anything else.
    /// @dev Replayable across accounts of one owner: see the contract's documentation.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length != 65) return _INVALID;
        (address signer, ECDSA.RecoverError error, ) = ECDSA.tryRecover(hash, signature);
        return error == ECDSA.RecoverError.NoError && signer == _OWNER ? _VALID : _INVALID;
    }

    /// @notice The EOA that controls this account.
    function owner() external view returns (address) {
        return _OWNER;
    }
}
