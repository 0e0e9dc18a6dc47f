// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FeeOnTransferToken
/// @notice Test token that keeps 1% of every transfer between two accounts, so the recipient receives less than
///         the amount sent (as deflationary and "tax" tokens do).
contract FeeOnTransferToken is ERC20 {
    /// @notice Fee in basis points of every transfer.
    uint256 public constant FEE_BPS = 100;

    /// @notice Where fees go.
    address public immutable FEE_COLLECTOR;

    constructor() ERC20("Recur Test Fee Token", "tFEE") {
        FEE_COLLECTOR = msg.sender;
    }

    /// @notice Creates `amount` base units for `to`. Open to anyone: this token only exists on test chains.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @dev Transfers between two accounts send the fee to the collector and the rest to the recipient.
    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = (value * FEE_BPS) / 10_000;
        super._update(from, FEE_COLLECTOR, fee);
        super._update(from, to, value - fee);
    }
}
