// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";

import {SmartAccount} from "./SmartAccount.sol";

/// @title SmartAccountFactory
/// @notice Test factory of {SmartAccount}s at CREATE2 addresses known before deployment, as ERC-4337 account
///         factories make them: a payer can sign (ERC-6492) as an account that does not exist yet, and whoever
///         submits the signature deploys the account with {createAccount} first.
contract SmartAccountFactory {
    /// @notice An account for `owner` was deployed at `account` with `salt`.
    event AccountCreated(address indexed account, address indexed owner, bytes32 salt);

    /// @notice Deploys the account of `owner` for `salt`, or returns it if it is already deployed (idempotent, as
    ///         ERC-4337 factories are, so a counterfactual signature's deployment step never fails for having been
    ///         done). Anyone may call it: the account only ever obeys `owner`.
    /// @return account The account's address, equal to `getAddress(owner, salt)`.
    function createAccount(address owner, bytes32 salt) external returns (address account) {
        account = getAddress(owner, salt);
        if (account.code.length != 0) return account;
        new SmartAccount{salt: salt}(owner);
        emit AccountCreated(account, owner, salt);
    }

    /// @notice The address of the account of `owner` for `salt`, whether or not it is deployed yet. The owner is
    ///         the constructor's argument and so part of the address: nobody can take another owner's address.
    function getAddress(address owner, bytes32 salt) public view returns (address) {
        bytes memory code = abi.encodePacked(type(SmartAccount).creationCode, abi.encode(owner));
        return Create2.computeAddress(salt, keccak256(code));
    }
}
