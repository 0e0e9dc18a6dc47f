// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

contract UnpauseTest is SubscriptionTestBase {
    function _pausedAt(uint256 pausedAt, address by) private returns (Subscription sub) {
        sub = _activeSubscription();
        vm.warp(pausedAt);
        vm.prank(by);
        sub.pause();
    }

    function test_unpause_shiftsTheScheduleByThePausedTime() public {
        // paid for [T0, T0 + MONTH); paused after 10 days, for 25 days
        Subscription sub = _pausedAt(T0 + 10 days, payer);
        vm.warp(T0 + 35 days);

        vm.prank(payer);
        sub.unpause();

        Subscription.State memory s = sub.state();
        vm.assertEq(uint8(s.status), uint8(Subscription.Status.Active), "active");
        vm.assertEq(s.nextDueAt, T0 + MONTH + 25 days, "the 20 paid days left are kept");
        vm.assertEq(s.pausedAt, 0, "pause cleared");
    }

    function test_unpause_emitsSubscriptionUnpaused() public {
        Subscription sub = _pausedAt(T0 + 10 days, operator);
        vm.warp(T0 + 12 days);

        vm.expectEmit(address(sub));
        emit Subscription.SubscriptionUnpaused(payer, payee, operator, T0 + MONTH + 2 days);
        vm.prank(operator);
        sub.unpause();
    }

    function test_unpause_byThePayer_ofTheOperatorsPause() public {
        Subscription sub = _pausedAt(T0 + 1 days, operator);

        vm.prank(payer);
        sub.unpause();

        vm.assertEq(uint8(sub.state().status), uint8(Subscription.Status.Active), "active");
    }

    function test_unpause_reverts_whenTheOperatorLiftsThePayersPause() public {
        Subscription sub = _pausedAt(T0 + 1 days, payer);

        vm.expectRevert(abi.encodeWithSelector(Subscription.Unauthorized.selector, operator));
        vm.prank(operator);
        sub.unpause();
    }

    function test_unpause_reverts_forThePayeeOrAStranger() public {
        Subscription sub = _pausedAt(T0 + 1 days, operator);

        vm.expectRevert(abi.encodeWithSelector(Subscription.Unauthorized.selector, payee));
        vm.prank(payee);
        sub.unpause();

        vm.expectRevert(abi.encodeWithSelector(Subscription.Unauthorized.selector, stranger));
        vm.prank(stranger);
        sub.unpause();
    }

    function test_unpause_reverts_whenNotPaused() public {
        Subscription sub = _activeSubscription();

        vm.expectRevert(abi.encodeWithSelector(Subscription.NotPaused.selector, Subscription.Status.Active));
        vm.prank(payer);
        sub.unpause();
    }

    function test_unpause_leavesAnOverduePeriodDue() public {
        // the charge due at T0 + MONTH failed; the payer paused later and unpauses later still
        Subscription sub = _pausedAt(T0 + MONTH + 3 days, payer);
        vm.warp(T0 + MONTH + 10 days);

        vm.prank(payer);
        sub.unpause();

        vm.assertEq(sub.state().nextDueAt, T0 + MONTH + 7 days, "shifted, still in the past");
        vm.assertEq(uint8(sub.chargeable()), uint8(Subscription.ChargeReason.Ok), "chargeable at once");
    }

    function testFuzz_unpause_keepsThePaidRemainderOfThePeriod(uint256 pauseAfter, uint256 pausedFor) public {
        pauseAfter = _bound(pauseAfter, 0, MONTH - 1);
        pausedFor = _bound(pausedFor, 0, 10 * 365 days);
        Subscription sub = _pausedAt(T0 + pauseAfter, payer);
        vm.warp(T0 + pauseAfter + pausedFor);

        vm.prank(payer);
        sub.unpause();

        vm.assertEq(sub.state().nextDueAt - block.timestamp, MONTH - pauseAfter, "remaining paid time kept");
    }
}
