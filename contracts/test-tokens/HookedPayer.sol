// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {HookToken, ITokensSender} from "./HookToken.sol";

/// @title HookedPayer
/// @notice Test payer: a contract account (a smart wallet, say) that holds {HookToken}, approves subscriptions as
///         its owner tells it, and answers the token's send hook as its owner set it: let the transfer go, refuse it,
///         burn every unit of gas it is given, or spend {EXPENSIVE_HOOK_GAS} before letting the transfer go.
contract HookedPayer is ITokensSender {
    using SafeERC20 for IERC20;

    /// @notice What the payer's send hook does.
    enum Hook {
        /// @dev Lets the transfer go, at the cost of the hook call alone.
        Accept,
        /// @dev Reverts with {TransferRefused}: the token then refuses the transfer.
        Refuse,
        /// @dev Loops until the gas it was given runs out: the transfer then fails, having cost everything it got.
        BurnAllGas,
        /// @dev Spends {EXPENSIVE_HOOK_GAS}, then lets the transfer go: a charge that succeeds, at more gas than a
        ///      `chargeMany` batch gives one.
        Expensive
    }

    /// @notice Gas the {Hook.Expensive} hook spends before letting the transfer go.
    uint256 public constant EXPENSIVE_HOOK_GAS = 300_000;

    /// @notice The only account that may change the hook or approve spenders.
    address public immutable OWNER;

    /// @notice What the send hook currently does.
    Hook public hook;

    /// @notice The hook was set to `hook`.
    event HookSet(Hook hook);

    /// @notice Only the owner may do this.
    error NotOwner(address caller);

    /// @notice The hook refused to let `amount` go to `to`.
    error TransferRefused(address to, uint256 amount);

    /// @param owner The account that may change the hook and approve spenders.
    constructor(address owner) {
        OWNER = owner;
    }

    modifier onlyOwner() {
        if (msg.sender != OWNER) revert NotOwner(msg.sender);
        _;
    }

    /// @notice Sets what the send hook does from now on.
    function setHook(Hook newHook) external onlyOwner {
        hook = newHook;
        emit HookSet(newHook);
    }

    /// @notice Registers this account's send hook with `token`, so every transfer out of it calls {tokensToSend}.
    function registerHook(HookToken token) external onlyOwner {
        token.setSendHook(true);
    }

    /// @notice Sets the allowance of `spender` (a subscription's address) for `token` to `amount`, as a wallet
    ///         would (through zero first where the token needs it).
    function approve(IERC20 token, address spender, uint256 amount) external onlyOwner {
        token.forceApprove(spender, amount);
    }

    /// @inheritdoc ITokensSender
    function tokensToSend(address, address, address to, uint256 amount) external view {
        Hook current = hook;
        if (current == Hook.Refuse) revert TransferRefused(to, amount);
        if (current == Hook.Expensive) {
            // reverts (an arithmetic panic) when given less than it must spend
            uint256 until = gasleft() - EXPENSIVE_HOOK_GAS;
            while (gasleft() > until) {}
        } else if (current == Hook.BurnAllGas) {
            // an endless loop on purpose: it ends only when the gas this call was given is gone
            assembly ("memory-safe") {
                for {} 1 {} {}
            }
        }
    }
}
