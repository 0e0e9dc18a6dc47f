// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title SenderFeeToken
/// @notice Test token that takes its fee from the sender on top of the amount: the recipient receives exactly
///         `value`, the sender pays `value` plus {FEE_BPS} basis points, and `transferFrom` spends the fee from the
///         caller's allowance too. A subscription's delivery check passes (the payee gets the full amount), but each
///         charge takes more than `amount` from the payer, so the allowance and the balance run out sooner than
///         `periodsCovered()` says, and a payer holding (or allowing) less than `amount` plus the fee is refused
///         although `chargeable()` reports `Ok`. 18 decimals.
contract SenderFeeToken is ERC20 {
    /// @notice Fee in basis points of every transfer, paid by the sender on top.
    uint256 public constant FEE_BPS = 100;

    /// @notice Where fees go.
    address public immutable FEE_COLLECTOR;

    constructor() ERC20("Recur Test Sender Fee Token", "tSFT") {
        FEE_COLLECTOR = msg.sender;
    }

    /// @notice Creates `amount` base units for `to`. Open to anyone: this token only exists on test chains.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice The fee the sender pays on top of a transfer of `value`, base units.
    function feeOf(uint256 value) public pure returns (uint256) {
        return (value * FEE_BPS) / 10_000;
    }

    /// @notice Moves `value` from `from` to `to`, the fee on top, spending `value` plus the fee of the allowance.
    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        _spendAllowance(from, msg.sender, value + feeOf(value));
        _transfer(from, to, value);
        return true;
    }

    /// @dev Transfers between two accounts deliver `value` in full and take the fee from the sender as well.
    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from != address(0) && to != address(0)) super._update(from, FEE_COLLECTOR, feeOf(value));
    }
}
