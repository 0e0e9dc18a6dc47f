// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title StandardToken
/// @notice Test token: a plain ERC-20 with 18 decimals and an open faucet.
contract StandardToken is ERC20 {
    constructor() ERC20("Recur Test Dollar", "tUSD") {}

    /// @notice Creates `amount` base units for `to`. Open to anyone: this token only exists on test chains.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
