// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

contract ChargeableTest is SubscriptionTestBase {
    function _assertReason(Subscription sub, Subscription.ChargeReason expected, string memory message) private view {
        vm.assertEq(uint8(sub.chargeable()), uint8(expected), message);
    }

    function test_chargeable_isOk_whenDueAndFunded() public {
        Subscription sub = _activeSubscription();
        vm.warp(T0 + MONTH);

        _assertReason(sub, Subscription.ChargeReason.Ok, "ok");
        sub.charge();
    }

    function test_chargeable_isNotDue_beforeTheNextPeriod() public {
        Subscription sub = _activeSubscription();

        _assertReason(sub, Subscription.ChargeReason.NotDue, "not due");
    }

    function test_chargeable_isPaused_whenPaused() public {
        Subscription sub = _activeSubscription();
        vm.prank(payer);
        sub.pause();
        vm.warp(T0 + MONTH);

        _assertReason(sub, Subscription.ChargeReason.Paused, "paused");
    }

    function test_chargeable_isCancelled_whenCancelled() public {
        Subscription sub = _activeSubscription();
        vm.prank(payer);
        sub.cancel();
        vm.warp(T0 + MONTH);

        _assertReason(sub, Subscription.ChargeReason.Cancelled, "cancelled");
    }

    function test_chargeable_isFinished_afterMaxPeriods() public {
        Terms memory t = _terms();
        t.maxPeriods = 1;
        Subscription sub = _activate(t);
        vm.warp(T0 + MONTH);

        _assertReason(sub, Subscription.ChargeReason.Finished, "finished");
    }

    function test_chargeable_isAllowanceTooLow_whenTheAllowanceRanOut() public {
        Terms memory t = _terms();
        _approve(t, 1);
        Subscription sub = Subscription(factory.activate(t));
        vm.warp(T0 + MONTH);

        _assertReason(sub, Subscription.ChargeReason.AllowanceTooLow, "allowance too low");
        vm.expectRevert(abi.encodeWithSelector(Subscription.InsufficientAllowance.selector, 0, AMOUNT));
        sub.charge();
    }

    function test_chargeable_isBalanceTooLow_whenThePayerCannotPay() public {
        Subscription sub = _activeSubscription();
        uint256 balance = token.balanceOf(payer);
        vm.prank(payer);
        token.transfer(stranger, balance);
        vm.warp(T0 + MONTH);

        _assertReason(sub, Subscription.ChargeReason.BalanceTooLow, "balance too low");
    }

    function test_chargeable_reportsStatusBeforeTiming_andTimingBeforeFunds() public {
        Subscription sub = _activeSubscription();
        _setAllowance(address(token), address(sub), 0);
        _assertReason(sub, Subscription.ChargeReason.NotDue, "not due outranks allowance");

        vm.prank(payer);
        sub.pause();
        _assertReason(sub, Subscription.ChargeReason.Paused, "paused outranks timing");
    }
}
