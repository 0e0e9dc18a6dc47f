// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

// Tether's own shape is the point of this contract: lowercase ERC-20 metadata constants and string reverts.
// solhint-disable const-name-snakecase, gas-custom-errors

/// @title UsdtLikeToken
/// @notice Test token that reproduces Tether USD's quirks: 6 decimals; `transfer`, `transferFrom` and `approve`
///         return nothing instead of a bool; changing a non-zero allowance to another non-zero value reverts, so
///         allowances are changed by approving 0 first; a maximal allowance is never decreased.
/// @dev Deliberately not ERC-20 compliant, which is why it cannot inherit a standard implementation.
contract UsdtLikeToken {
    /// @notice Token name.
    string public constant name = "Recur Test Tether";

    /// @notice Token symbol.
    string public constant symbol = "tUSDT";

    /// @notice Decimals of the token's base unit.
    uint8 public constant decimals = 6;

    /// @notice Total supply, base units.
    uint256 public totalSupply;

    /// @notice Balances, base units.
    mapping(address account => uint256 amount) public balanceOf;

    /// @notice Allowances, base units.
    mapping(address owner => mapping(address spender => uint256 amount)) public allowance;

    /// @notice Standard ERC-20 transfer event.
    event Transfer(address indexed from, address indexed to, uint256 value);

    /// @notice Standard ERC-20 approval event.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice Creates `amount` base units for `to`. Open to anyone: this token only exists on test chains.
    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    /// @notice Sends `value` to `to`; returns nothing.
    function transfer(address to, uint256 value) external {
        _move(msg.sender, to, value);
    }

    /// @notice Sends `value` from `from` to `to` using the caller's allowance; returns nothing.
    function transferFrom(address from, address to, uint256 value) external {
        uint256 allowed = allowance[from][msg.sender];
        require(allowed >= value, "allowance");
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - value;
        _move(from, to, value);
    }

    /// @notice Sets the caller's allowance for `spender`; returns nothing. Reverts when changing a non-zero
    ///         allowance to another non-zero value.
    function approve(address spender, uint256 value) external {
        require(value == 0 || allowance[msg.sender][spender] == 0, "approve 0 first");
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
    }

    function _move(address from, address to, uint256 value) private {
        require(balanceOf[from] >= value, "balance");
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
