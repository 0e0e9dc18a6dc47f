// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ITokensSender
/// @notice The hook {HookToken} calls on an account that registered one, before tokens leave it (ERC-777's
///         `tokensToSend`, without the user and operator data).
interface ITokensSender {
    /// @notice `amount` of the calling token is about to move from `from` to `to` at the request of `operator` (the
    ///         account that called `transfer` or `transferFrom`). Reverting refuses the transfer.
    function tokensToSend(address operator, address from, address to, uint256 amount) external;
}

/// @title HookToken
/// @notice Test token that calls into the sender's own code before every transfer out of an account that registered
///         a hook, as ERC-777 tokens do through the ERC-1820 registry: the hook gets all the gas left and can refuse
///         the transfer by reverting. A payer whose account is a contract can therefore make any charge of its
///         subscription cost as much gas as it likes, or fail; `SubscriptionFactory.chargeMany` bounds what one
///         charge may spend so that such a payer cannot sink the rest of a batch. 18 decimals.
contract HookToken is ERC20 {
    /// @notice Accounts whose {ITokensSender.tokensToSend} is called before tokens leave them.
    mapping(address account => bool registered) public hasSendHook;

    /// @notice `account` registered (`registered` true) or removed its send hook.
    event SendHookSet(address indexed account, bool registered);

    constructor() ERC20("Recur Test Hook Token", "tHOOK") {}

    /// @notice Creates `amount` base units for `to`. Open to anyone: this token only exists on test chains.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Registers (or removes) the caller's send hook: from now on every transfer out of the caller's account
    ///         first calls the caller's {ITokensSender.tokensToSend}.
    function setSendHook(bool registered) external {
        hasSendHook[msg.sender] = registered;
        emit SendHookSet(msg.sender, registered);
    }

    /// @dev Every transfer passes here: call the sender's hook first, with all the gas left, and let it revert.
    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && hasSendHook[from]) ITokensSender(from).tokensToSend(msg.sender, from, to, value);
        super._update(from, to, value);
    }
}
