// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

contract CancelTest is SubscriptionTestBase {
    function test_cancel_byThePayer_endsTheSubscription() public {
        Subscription sub = _activeSubscription();

        vm.prank(payer);
        sub.cancel();

        vm.assertEq(uint8(sub.state().status), uint8(Subscription.Status.Cancelled), "cancelled");
        vm.warp(T0 + 5 * MONTH);
        vm.assertEq(uint8(sub.chargeable()), uint8(Subscription.ChargeReason.Cancelled), "never chargeable");
    }

    function test_cancel_byThePayeeOrTheOperator() public {
        Subscription byPayee = _activeSubscription();
        vm.prank(payee);
        byPayee.cancel();
        vm.assertEq(uint8(byPayee.state().status), uint8(Subscription.Status.Cancelled), "payee cancelled");

        Subscription byOperator = _activeSubscription();
        vm.prank(operator);
        byOperator.cancel();
        vm.assertEq(uint8(byOperator.state().status), uint8(Subscription.Status.Cancelled), "operator cancelled");
    }

    function test_cancel_emitsSubscriptionCancelled() public {
        Subscription sub = _activeSubscription();

        vm.expectEmit(address(sub));
        emit Subscription.SubscriptionCancelled(payer, payee, payee);
        vm.prank(payee);
        sub.cancel();
    }

    function test_cancel_whilePaused() public {
        Subscription sub = _activeSubscription();
        vm.startPrank(payer);
        sub.pause();
        sub.cancel();
        vm.stopPrank();

        Subscription.State memory s = sub.state();
        vm.assertEq(uint8(s.status), uint8(Subscription.Status.Cancelled), "cancelled");
        vm.assertEq(s.pausedAt, 0, "pause cleared");
    }

    function test_cancel_reverts_forAStranger() public {
        Subscription sub = _activeSubscription();

        vm.expectRevert(abi.encodeWithSelector(Subscription.Unauthorized.selector, stranger));
        vm.prank(stranger);
        sub.cancel();
    }

    function test_cancel_reverts_whenAlreadyCancelledOrFinished() public {
        Subscription sub = _activeSubscription();
        vm.prank(payer);
        sub.cancel();
        vm.expectRevert(abi.encodeWithSelector(Subscription.AlreadyEnded.selector, Subscription.Status.Cancelled));
        vm.prank(operator);
        sub.cancel();

        Terms memory once = _terms();
        once.maxPeriods = 1;
        Subscription finished = _activate(once);
        vm.expectRevert(abi.encodeWithSelector(Subscription.AlreadyEnded.selector, Subscription.Status.Finished));
        vm.prank(payer);
        finished.cancel();
    }
}
