// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

contract PauseTest is SubscriptionTestBase {
    function test_pause_byThePayer_stopsCharges() public {
        Subscription sub = _activeSubscription();
        vm.warp(T0 + 10 days);

        vm.prank(payer);
        sub.pause();

        Subscription.State memory s = sub.state();
        vm.assertEq(uint8(s.status), uint8(Subscription.Status.Paused), "paused");
        vm.assertEq(s.pausedAt, T0 + 10 days, "pause time recorded");
        vm.assertFalse(s.pausedByOperator, "the payer's own pause");
        vm.assertEq(uint8(sub.chargeable()), uint8(Subscription.ChargeReason.Paused), "not chargeable");
    }

    function test_pause_byTheOperator() public {
        Subscription sub = _activeSubscription();

        vm.prank(operator);
        sub.pause();

        vm.assertTrue(sub.state().pausedByOperator, "the operator's pause");
    }

    function test_pause_emitsSubscriptionPaused() public {
        Subscription sub = _activeSubscription();

        vm.expectEmit(address(sub));
        emit Subscription.SubscriptionPaused(payer, payee, operator);
        vm.prank(operator);
        sub.pause();
    }

    function test_pause_reverts_forThePayeeOrAStranger() public {
        Subscription sub = _activeSubscription();

        vm.expectRevert(abi.encodeWithSelector(Subscription.Unauthorized.selector, payee));
        vm.prank(payee);
        sub.pause();

        vm.expectRevert(abi.encodeWithSelector(Subscription.Unauthorized.selector, stranger));
        vm.prank(stranger);
        sub.pause();
    }

    function test_pause_reverts_whenAlreadyPaused() public {
        Subscription sub = _activeSubscription();
        vm.prank(payer);
        sub.pause();

        vm.expectRevert(abi.encodeWithSelector(Subscription.NotActive.selector, Subscription.Status.Paused));
        vm.prank(operator);
        sub.pause();
    }

    function test_pause_reverts_whenCancelledOrFinished() public {
        Subscription cancelled = _activeSubscription();
        vm.prank(payer);
        cancelled.cancel();
        vm.expectRevert(abi.encodeWithSelector(Subscription.NotActive.selector, Subscription.Status.Cancelled));
        vm.prank(payer);
        cancelled.pause();

        Terms memory once = _terms();
        once.maxPeriods = 1;
        Subscription finished = _activate(once);
        vm.expectRevert(abi.encodeWithSelector(Subscription.NotActive.selector, Subscription.Status.Finished));
        vm.prank(payer);
        finished.pause();
    }
}
