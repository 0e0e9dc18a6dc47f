// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {DaiLikeToken} from "../../../contracts/test-tokens/DaiLikeToken.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

contract ActivateWithDaiPermitTest is SubscriptionTestBase {
    struct Signature {
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    DaiLikeToken private dai;

    function setUp() public override {
        super.setUp();
        dai = new DaiLikeToken();
        dai.mint(payer, 1_000 * uint256(AMOUNT));
    }

    /// @dev `key`'s signature over DAI's permit (allowed) from the payer to `spender`, with the payer's nonce.
    function _sign(uint256 key, address spender, uint256 expiry) private view returns (Signature memory sig) {
        bytes32 structHash = keccak256(
            abi.encode(dai.PERMIT_TYPEHASH(), payer, spender, dai.nonces(payer), expiry, true)
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", dai.DOMAIN_SEPARATOR(), structHash));
        (sig.v, sig.r, sig.s) = vm.sign(key, digest);
    }

    function test_activateWithDaiPermit_activatesWithOneSignature_andAnUnlimitedAllowance() public {
        Terms memory t = _terms(address(dai));
        address predicted = factory.predict(t);
        Signature memory sig = _sign(PAYER_KEY, predicted, T0 + 1 hours);

        vm.prank(keeper);
        address subscription = factory.activateWithDaiPermit(t, 0, T0 + 1 hours, sig.v, sig.r, sig.s);

        vm.assertEq(subscription, predicted, "deployed at the predicted address");
        vm.assertEq(dai.balanceOf(payee), AMOUNT, "first period charged");
        vm.assertEq(dai.allowance(payer, subscription), type(uint256).max, "unlimited, as DAI permits are");
        vm.assertEq(dai.nonces(payer), 1, "the permit was used");
    }

    function test_activateWithDaiPermit_takesOnlyWhatTheTermsAllow_despiteTheUnlimitedAllowance() public {
        Terms memory t = _terms(address(dai));
        Signature memory sig = _sign(PAYER_KEY, factory.predict(t), 0);
        Subscription subscription = Subscription(factory.activateWithDaiPermit(t, 0, 0, sig.v, sig.r, sig.s));

        vm.expectRevert(abi.encodeWithSelector(Subscription.NotDue.selector, T0 + MONTH, block.timestamp));
        subscription.charge();
        vm.warp(T0 + MONTH);
        subscription.charge();

        vm.assertEq(dai.balanceOf(payee), 2 * uint256(AMOUNT), "one amount per period");
    }

    function test_activateWithDaiPermit_reverts_whenAnotherKeySigned() public {
        Terms memory t = _terms(address(dai));
        address predicted = factory.predict(t);
        Signature memory sig = _sign(0xBAD, predicted, T0 + 1 hours);

        vm.expectRevert(abi.encodeWithSelector(Subscription.InsufficientAllowance.selector, 0, AMOUNT));
        factory.activateWithDaiPermit(t, 0, T0 + 1 hours, sig.v, sig.r, sig.s);
        vm.assertEq(predicted.code.length, 0, "nothing deployed");
        vm.assertEq(dai.nonces(payer), 0, "no permit used");
    }

    function test_activateWithDaiPermit_reverts_whenThePermitHasExpired() public {
        Terms memory t = _terms(address(dai));
        Signature memory sig = _sign(PAYER_KEY, factory.predict(t), T0 - 1);

        vm.expectRevert(abi.encodeWithSelector(Subscription.InsufficientAllowance.selector, 0, AMOUNT));
        factory.activateWithDaiPermit(t, 0, T0 - 1, sig.v, sig.r, sig.s);
    }

    function test_activateWithDaiPermit_succeeds_whenThePermitWasFrontRun() public {
        Terms memory t = _terms(address(dai));
        address predicted = factory.predict(t);
        Signature memory sig = _sign(PAYER_KEY, predicted, T0 + 1 hours);
        vm.prank(stranger);
        dai.permit(payer, predicted, 0, T0 + 1 hours, true, sig.v, sig.r, sig.s);

        address subscription = factory.activateWithDaiPermit(t, 0, T0 + 1 hours, sig.v, sig.r, sig.s);

        vm.assertEq(subscription, predicted, "activated anyway");
        vm.assertEq(dai.balanceOf(payee), AMOUNT, "first period charged");
    }
}
