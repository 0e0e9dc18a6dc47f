// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {SubscriptionFactory} from "../../../contracts/SubscriptionFactory.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

contract ActivateWithPermitTest is SubscriptionTestBase {
    bytes32 private constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );

    struct Signature {
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    function _signPermit(address spender, uint256 value, uint256 deadline) private view returns (Signature memory sig) {
        bytes32 structHash = keccak256(
            abi.encode(PERMIT_TYPEHASH, payer, spender, value, permitToken.nonces(payer), deadline)
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", permitToken.DOMAIN_SEPARATOR(), structHash));
        (sig.v, sig.r, sig.s) = vm.sign(PAYER_KEY, digest);
    }

    function test_activateWithPermit_activatesWithOneSignature() public {
        Terms memory t = _terms(address(permitToken));
        address predicted = factory.predict(t);
        Signature memory sig = _signPermit(predicted, 12 * uint256(AMOUNT), T0 + 1 hours);

        vm.prank(keeper);
        address subscription = factory.activateWithPermit(t, 12 * uint256(AMOUNT), T0 + 1 hours, sig.v, sig.r, sig.s);

        vm.assertEq(subscription, predicted, "deployed at the predicted address");
        vm.assertEq(permitToken.balanceOf(payee), AMOUNT, "first period charged");
        vm.assertEq(permitToken.allowance(payer, subscription), 11 * uint256(AMOUNT), "permit less one period");
    }

    function test_activateWithPermit_succeeds_whenThePermitWasFrontRun() public {
        Terms memory t = _terms(address(permitToken));
        address predicted = factory.predict(t);
        uint256 value = 12 * uint256(AMOUNT);
        Signature memory sig = _signPermit(predicted, value, T0 + 1 hours);
        // someone submits the payer's signature first, consuming its nonce
        vm.prank(stranger);
        permitToken.permit(payer, predicted, value, T0 + 1 hours, sig.v, sig.r, sig.s);

        address subscription = factory.activateWithPermit(t, value, T0 + 1 hours, sig.v, sig.r, sig.s);

        vm.assertEq(subscription, predicted, "activated anyway");
        vm.assertEq(permitToken.balanceOf(payee), AMOUNT, "first period charged");
    }

    function test_activateWithPermit_reverts_whenThePermitFails_andAllowanceIsShort() public {
        Terms memory t = _terms(address(permitToken));
        address predicted = factory.predict(t);
        // signed for another spender, so the permit fails for this subscription
        Signature memory sig = _signPermit(stranger, 12 * uint256(AMOUNT), T0 + 1 hours);

        vm.expectRevert(abi.encodeWithSelector(Subscription.InsufficientAllowance.selector, 0, AMOUNT));
        factory.activateWithPermit(t, 12 * uint256(AMOUNT), T0 + 1 hours, sig.v, sig.r, sig.s);
        vm.assertEq(predicted.code.length, 0, "nothing deployed");
    }

    function test_activateWithPermit_usesAnExistingAllowance_onATokenWithoutPermit() public {
        Terms memory t = _terms();
        address predicted = _approve(t, 1);

        address subscription = factory.activateWithPermit(t, 0, 0, 0, bytes32(0), bytes32(0));

        vm.assertEq(subscription, predicted, "activated through the plain allowance");
        vm.assertEq(token.balanceOf(payee), AMOUNT, "first period charged");
    }

    function test_activateWithPermit_reverts_afterActivateBy_withoutUsingThePermit() public {
        Terms memory t = _terms(address(permitToken));
        address predicted = factory.predict(t);
        Signature memory sig = _signPermit(predicted, AMOUNT, T0 + 30 days);
        vm.warp(uint256(t.activateBy) + 1);

        vm.expectRevert(
            abi.encodeWithSelector(SubscriptionFactory.ActivationExpired.selector, t.activateBy, block.timestamp)
        );
        factory.activateWithPermit(t, AMOUNT, T0 + 30 days, sig.v, sig.r, sig.s);
        vm.assertEq(permitToken.nonces(payer), 0, "signature still unused");
    }

    function test_activateWithPermit_reverts_whenTheTokenIsAnErc721() public {
        Terms memory t = _terms(address(collectible));
        t.amount = 1;
        address predicted = factory.predict(t);
        collectible.mint(payer, 1);
        vm.prank(payer);
        collectible.setApprovalForAll(predicted, true);

        vm.expectRevert(abi.encodeWithSelector(SubscriptionFactory.NotAnErc20.selector, address(collectible)));
        factory.activateWithPermit(t, 1, T0 + 1 hours, 0, bytes32(0), bytes32(0));
        vm.assertEq(predicted.code.length, 0, "nothing deployed");
        vm.assertEq(collectible.ownerOf(1), payer, "the payer still holds token #1");
    }
}
