// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {SubscriptionFactory} from "../../../contracts/SubscriptionFactory.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {BlacklistPausableToken} from "../../../contracts/test-tokens/BlacklistPausableToken.sol";
import {CollectibleToken} from "../../../contracts/test-tokens/CollectibleToken.sol";
import {FeeOnTransferToken} from "../../../contracts/test-tokens/FeeOnTransferToken.sol";
import {FeeSwitchToken} from "../../../contracts/test-tokens/FeeSwitchToken.sol";
import {HookedPayer} from "../../../contracts/test-tokens/HookedPayer.sol";
import {HookToken} from "../../../contracts/test-tokens/HookToken.sol";
import {PermitToken} from "../../../contracts/test-tokens/PermitToken.sol";
import {ProxyToken} from "../../../contracts/test-tokens/ProxyToken.sol";
import {SenderFeeToken} from "../../../contracts/test-tokens/SenderFeeToken.sol";
import {StandardToken} from "../../../contracts/test-tokens/StandardToken.sol";
import {UsdtLikeToken} from "../../../contracts/test-tokens/UsdtLikeToken.sol";
import {vm} from "./Vm.sol";

/// @notice Actors, tokens, a factory and builders shared by every subscription test.
abstract contract SubscriptionTestBase {
    /// @dev A realistic "now" (2023-11-14), so schedule arithmetic never starts near zero.
    uint256 internal constant T0 = 1_700_000_000;
    uint256 internal constant MONTH = 30 days;
    uint128 internal constant AMOUNT = 10e6;
    uint16 internal constant MAX_PERIODS = 12;

    uint256 internal constant PAYER_KEY = 0xA11CE;
    address internal payer = vm.addr(PAYER_KEY);
    address internal payee = address(0xB0B);
    address internal operator = address(0x0FE7A702);
    address internal keeper = address(0x4EE9E7);
    address internal stranger = address(0x5712A6E7);

    SubscriptionFactory internal factory;
    StandardToken internal token;
    UsdtLikeToken internal usdt;
    PermitToken internal permitToken;
    BlacklistPausableToken internal regulated;
    FeeOnTransferToken internal feeToken;
    FeeSwitchToken internal feeSwitch;
    SenderFeeToken internal senderFee;
    HookToken internal hookToken;
    /// @dev A USDC-shaped token: an upgradeable proxy in front of the permit token.
    PermitToken internal proxiedPermit;
    /// @dev The proxy in front of the blacklisting, pausable token (USDC's own checks on every transfer).
    BlacklistPausableToken internal proxiedRegulated;
    CollectibleToken internal collectible;

    uint32 private _nextSalt = 1;

    function setUp() public virtual {
        vm.warp(T0);
        factory = new SubscriptionFactory();
        token = new StandardToken();
        usdt = new UsdtLikeToken();
        permitToken = new PermitToken();
        regulated = new BlacklistPausableToken(address(this));
        feeToken = new FeeOnTransferToken();
        feeSwitch = new FeeSwitchToken(address(this));
        senderFee = new SenderFeeToken();
        hookToken = new HookToken();
        proxiedPermit = PermitToken(address(new ProxyToken(address(new PermitToken()))));
        proxiedRegulated = BlacklistPausableToken(
            address(new ProxyToken(address(new BlacklistPausableToken(address(this)))))
        );
        collectible = new CollectibleToken();

        vm.label(payer, "payer");
        vm.label(payee, "payee");
        vm.label(operator, "operator");
        vm.label(keeper, "keeper");
        vm.label(stranger, "stranger");

        token.mint(payer, 1_000 * AMOUNT);
        usdt.mint(payer, 1_000 * AMOUNT);
        permitToken.mint(payer, 1_000 * AMOUNT);
        regulated.mint(payer, 1_000 * AMOUNT);
        feeToken.mint(payer, 1_000 * AMOUNT);
        feeSwitch.mint(payer, 1_000 * AMOUNT);
        senderFee.mint(payer, 1_000 * AMOUNT);
        hookToken.mint(payer, 1_000 * AMOUNT);
        proxiedPermit.mint(payer, 1_000 * AMOUNT);
        proxiedRegulated.mint(payer, 1_000 * AMOUNT);
    }

    /// @dev Monthly terms in the standard token, starting now, activatable for a day, with a fresh salt.
    function _terms() internal returns (Terms memory) {
        return _terms(address(token));
    }

    /// @dev {_terms} in `tokenAddress`.
    function _terms(address tokenAddress) internal returns (Terms memory) {
        return
            Terms({
                token: tokenAddress,
                payer: payer,
                payee: payee,
                operator: operator,
                amount: AMOUNT,
                period: uint32(MONTH),
                startAt: uint40(block.timestamp),
                maxPeriods: MAX_PERIODS,
                activateBy: uint40(block.timestamp + 1 days),
                salt: _nextSalt++
            });
    }

    /// @dev A contract payer holding the hook token, its send hook registered and set to `hook`, owned by this test.
    function _hookedPayer(HookedPayer.Hook hook) internal returns (HookedPayer hooked) {
        hooked = new HookedPayer(address(this));
        hooked.registerHook(hookToken);
        hooked.setHook(hook);
        hookToken.mint(address(hooked), 1_000 * AMOUNT);
        vm.label(address(hooked), "hooked payer");
    }

    /// @dev Activates {_terms} in the hook token for `hooked` as the payer, approved for every period.
    function _activateHooked(HookedPayer hooked) internal returns (Subscription) {
        Terms memory t = _terms(address(hookToken));
        t.payer = address(hooked);
        hooked.approve(hookToken, factory.predict(t), uint256(t.maxPeriods) * t.amount);
        vm.prank(keeper);
        return Subscription(factory.activate(t));
    }

    /// @dev The payer approves the subscription address of `t` for `periods` periods (any of the test tokens,
    ///      including the one whose `approve` returns nothing).
    function _approve(Terms memory t, uint256 periods) internal returns (address subscription) {
        subscription = factory.predict(t);
        _setAllowance(t.token, subscription, periods * t.amount);
    }

    /// @dev The payer sets its allowance for `spender` to `value`, through zero first as Tether-like tokens require.
    function _setAllowance(address tokenAddress, address spender, uint256 value) internal {
        vm.startPrank(payer);
        (bool reset, ) = tokenAddress.call(abi.encodeWithSignature("approve(address,uint256)", spender, 0));
        (bool set, ) = tokenAddress.call(abi.encodeWithSignature("approve(address,uint256)", spender, value));
        vm.stopPrank();
        vm.assertTrue(reset && set, "approve failed");
    }

    /// @dev Approves `t` for all its periods and activates it from the keeper.
    function _activate(Terms memory t) internal returns (Subscription) {
        _approve(t, t.maxPeriods);
        vm.prank(keeper);
        return Subscription(factory.activate(t));
    }

    /// @dev An active standard-token subscription whose first period was charged at `T0`.
    function _activeSubscription() internal returns (Subscription) {
        return _activate(_terms());
    }

    /// @dev `x` mapped into [min, max] without rejecting inputs (forge-std's `bound` technique).
    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (max < min) revert("bound: max < min");
        if (x >= min && x <= max) return x;
        return min + (x % (max - min + 1));
    }
}
