// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

contract ChargeTest is SubscriptionTestBase {
    function test_charge_pullsAmountFromPayerToPayee_whenDue() public {
        Subscription sub = _activeSubscription();
        uint256 payerBefore = token.balanceOf(payer);
        uint256 payeeBefore = token.balanceOf(payee);
        vm.warp(T0 + MONTH);

        vm.prank(keeper);
        (uint256 index, uint256 nextDueAt) = sub.charge();

        vm.assertEq(index, 2, "second charge");
        vm.assertEq(nextDueAt, T0 + 2 * MONTH, "next due a period later");
        vm.assertEq(token.balanceOf(payer), payerBefore - AMOUNT, "payer paid amount");
        vm.assertEq(token.balanceOf(payee), payeeBefore + AMOUNT, "payee received amount");
        vm.assertEq(token.balanceOf(keeper), 0, "caller received nothing");
        vm.assertEq(token.allowance(payer, address(sub)), (MAX_PERIODS - 2) * uint256(AMOUNT), "allowance used");
    }

    function test_charge_emitsSubscriptionCharged() public {
        Subscription sub = _activeSubscription();
        vm.warp(T0 + MONTH);

        vm.expectEmit(address(sub));
        emit Subscription.SubscriptionCharged(2, T0 + 2 * MONTH);
        sub.charge();
    }

    function test_charge_keepsTheAnchoredSchedule_whenChargedLate() public {
        Subscription sub = _activeSubscription();
        vm.warp(T0 + MONTH + 10 days);

        sub.charge();

        Subscription.State memory s = sub.state();
        vm.assertEq(s.nextDueAt, T0 + 2 * MONTH, "next due stays on the boundary, not now + period");
        vm.assertEq(s.periodsCharged, 2, "two charges");
    }

    function test_charge_collectsNoArrears_afterMissedPeriods() public {
        Subscription sub = _activeSubscription();
        uint256 payerBefore = token.balanceOf(payer);
        // three and a half periods pass without a charge
        vm.warp(T0 + 3 * MONTH + 15 days);

        vm.expectEmit(address(sub));
        emit Subscription.SubscriptionCharged(2, T0 + 4 * MONTH);
        sub.charge();

        vm.assertEq(payerBefore - token.balanceOf(payer), AMOUNT, "one period charged, not four");
        vm.expectRevert(abi.encodeWithSelector(Subscription.NotDue.selector, T0 + 4 * MONTH, block.timestamp));
        sub.charge();
    }

    function test_charge_reverts_beforeDue() public {
        Subscription sub = _activeSubscription();
        vm.warp(T0 + MONTH - 1);

        vm.expectRevert(abi.encodeWithSelector(Subscription.NotDue.selector, T0 + MONTH, T0 + MONTH - 1));
        sub.charge();
    }

    function test_charge_reverts_whenChargedTwiceInAPeriod() public {
        Subscription sub = _activeSubscription();
        vm.warp(T0 + MONTH);
        sub.charge();

        vm.expectRevert(abi.encodeWithSelector(Subscription.NotDue.selector, T0 + 2 * MONTH, T0 + MONTH));
        sub.charge();
    }

    function test_charge_reverts_whenPaused() public {
        Subscription sub = _activeSubscription();
        vm.prank(payer);
        sub.pause();
        vm.warp(T0 + MONTH);

        vm.expectRevert(abi.encodeWithSelector(Subscription.NotActive.selector, Subscription.Status.Paused));
        sub.charge();
    }

    function test_charge_reverts_whenCancelled() public {
        Subscription sub = _activeSubscription();
        vm.prank(payer);
        sub.cancel();
        vm.warp(T0 + MONTH);

        vm.expectRevert(abi.encodeWithSelector(Subscription.NotActive.selector, Subscription.Status.Cancelled));
        sub.charge();
    }

    function test_charge_finishes_atMaxPeriods() public {
        Terms memory t = _terms();
        t.maxPeriods = 3;
        Subscription sub = _activate(t);
        vm.warp(T0 + MONTH);
        sub.charge();
        vm.warp(T0 + 2 * MONTH);

        vm.expectEmit(address(sub));
        emit Subscription.SubscriptionCharged(3, 0);
        vm.expectEmit(address(sub));
        emit Subscription.SubscriptionFinished(payer, payee, 3);
        sub.charge();

        Subscription.State memory s = sub.state();
        vm.assertEq(uint8(s.status), uint8(Subscription.Status.Finished), "finished");
        vm.assertEq(s.nextDueAt, 0, "no next charge");
        vm.warp(T0 + 3 * MONTH);
        vm.expectRevert(abi.encodeWithSelector(Subscription.NotActive.selector, Subscription.Status.Finished));
        sub.charge();
    }

    function test_charge_reverts_withInsufficientAllowance() public {
        Subscription sub = _activeSubscription();
        _setAllowance(address(token), address(sub), AMOUNT - 1);
        vm.warp(T0 + MONTH);

        vm.expectRevert(abi.encodeWithSelector(Subscription.InsufficientAllowance.selector, AMOUNT - 1, AMOUNT));
        sub.charge();
    }

    function test_charge_reverts_withInsufficientBalance() public {
        Subscription sub = _activeSubscription();
        uint256 balance = token.balanceOf(payer);
        vm.prank(payer);
        token.transfer(stranger, balance - 5);
        vm.warp(T0 + MONTH);

        vm.expectRevert(abi.encodeWithSelector(Subscription.InsufficientBalance.selector, 5, AMOUNT));
        sub.charge();
    }

    function test_charge_reverts_whenTheTokenIsPaused() public {
        Subscription sub = _activate(_terms(address(regulated)));
        regulated.pause();
        vm.warp(T0 + MONTH);

        vm.expectRevert(abi.encodeWithSelector(Subscription.TransferFailed.selector, address(regulated)));
        sub.charge();
    }

    function test_charge_reverts_whenThePayerIsBlacklisted() public {
        Subscription sub = _activate(_terms(address(regulated)));
        regulated.blacklist(payer);
        vm.warp(T0 + MONTH);

        vm.expectRevert(abi.encodeWithSelector(Subscription.TransferFailed.selector, address(regulated)));
        sub.charge();
    }

    function test_charge_pullsFromATokenWithoutReturnValues() public {
        Subscription sub = _activate(_terms(address(usdt)));
        uint256 payeeBefore = usdt.balanceOf(payee);
        vm.warp(T0 + MONTH);

        sub.charge();

        vm.assertEq(usdt.balanceOf(payee), payeeBefore + AMOUNT, "payee received amount");
    }

    function test_charge_refusesAFeeOnTransferToken_atTheFirstChargeAfterATrial() public {
        Terms memory t = _terms(address(feeToken));
        t.startAt = uint40(T0 + 7 days);
        Subscription sub = _activate(t);
        vm.warp(T0 + 7 days);

        uint256 fee = (uint256(AMOUNT) * feeToken.FEE_BPS()) / 10_000;
        vm.expectRevert(abi.encodeWithSelector(Subscription.ShortDelivery.selector, AMOUNT, AMOUNT - fee));
        sub.charge();
        vm.assertEq(feeToken.balanceOf(payee), 0, "nothing delivered");
    }

    function testFuzz_charge_movesExactlyAmountOncePerPeriod(uint256 delay) public {
        Subscription sub = _activeSubscription();
        delay = _bound(delay, 0, 5 * MONTH);
        vm.warp(T0 + MONTH + delay);
        uint256 payerBefore = token.balanceOf(payer);
        uint256 payeeBefore = token.balanceOf(payee);

        sub.charge();
        vm.expectRevert();
        sub.charge();

        vm.assertEq(payerBefore - token.balanceOf(payer), AMOUNT, "payer paid exactly amount");
        vm.assertEq(token.balanceOf(payee) - payeeBefore, AMOUNT, "payee got exactly amount");
        uint256 next = sub.state().nextDueAt;
        vm.assertTrue(next > block.timestamp && next <= block.timestamp + MONTH, "next due within one period");
        vm.assertEq((next - T0) % MONTH, 0, "next due on a schedule boundary");
    }

    function testFuzz_charge_neverBeforeDue(uint256 early) public {
        Subscription sub = _activeSubscription();
        early = _bound(early, 1, MONTH);
        vm.warp(T0 + MONTH - early);
        uint256 payerBefore = token.balanceOf(payer);

        vm.expectRevert(abi.encodeWithSelector(Subscription.NotDue.selector, T0 + MONTH, T0 + MONTH - early));
        sub.charge();

        vm.assertEq(token.balanceOf(payer), payerBefore, "nothing moved");
    }
}
