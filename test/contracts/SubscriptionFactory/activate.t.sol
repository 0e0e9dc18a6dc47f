// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {SubscriptionFactory} from "../../../contracts/SubscriptionFactory.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

contract ActivateTest is SubscriptionTestBase {
    function test_activate_deploysAtThePredictedAddress_andChargesTheFirstPeriod() public {
        Terms memory t = _terms();
        address predicted = _approve(t, MAX_PERIODS);
        vm.assertEq(predicted.code.length, 0, "nothing deployed before activation");
        uint256 payerBefore = token.balanceOf(payer);

        vm.prank(keeper);
        address subscription = factory.activate(t);

        vm.assertEq(subscription, predicted, "deployed at the predicted address");
        vm.assertEq(payerBefore - token.balanceOf(payer), AMOUNT, "payer paid one period");
        vm.assertEq(token.balanceOf(payee), AMOUNT, "payee received one period");
        Subscription.State memory s = Subscription(subscription).state();
        vm.assertEq(uint8(s.status), uint8(Subscription.Status.Active), "active");
        vm.assertEq(s.periodsCharged, 1, "one charge");
        vm.assertEq(s.nextDueAt, T0 + MONTH, "next charge one period after activation");
    }

    function test_activate_consumesExactlyOnePeriodOfAllowance() public {
        Terms memory t = _terms();
        address subscription = _approve(t, 3);

        factory.activate(t);

        vm.assertEq(token.allowance(payer, subscription), 2 * uint256(AMOUNT), "allowance less one period");
    }

    function test_activate_emitsSubscriptionActivated_thenSubscriptionCharged() public {
        Terms memory t = _terms();
        address subscription = _approve(t, 1);

        vm.expectEmit(address(factory));
        emit SubscriptionFactory.SubscriptionActivated(
            subscription,
            payer,
            payee,
            t.token,
            t.operator,
            t.amount,
            t.period,
            t.startAt,
            t.maxPeriods,
            t.activateBy,
            t.salt
        );
        vm.expectEmit(subscription);
        emit Subscription.SubscriptionCharged(1, T0 + MONTH);
        factory.activate(t);
    }

    function test_activate_anchorsTheScheduleAtActivation_whenStartAtHasPassed() public {
        Terms memory t = _terms();
        t.startAt = uint40(T0 - 5 days);
        _approve(t, 1);

        Subscription sub = Subscription(factory.activate(t));

        vm.assertEq(sub.state().nextDueAt, T0 + MONTH, "a full period from the first charge");
    }

    function test_activate_startsATrial_withoutCharging_whenStartAtIsLater() public {
        Terms memory t = _terms();
        t.startAt = uint40(T0 + 14 days);
        _approve(t, 1);
        uint256 payerBefore = token.balanceOf(payer);

        Subscription sub = Subscription(factory.activate(t));

        vm.assertEq(token.balanceOf(payer), payerBefore, "nothing charged during the trial");
        Subscription.State memory s = sub.state();
        vm.assertEq(uint8(s.status), uint8(Subscription.Status.Active), "active");
        vm.assertEq(s.periodsCharged, 0, "no charge yet");
        vm.assertEq(s.nextDueAt, T0 + 14 days, "first charge when the trial ends");
        vm.warp(T0 + 14 days);
        sub.charge();
        vm.assertEq(sub.state().nextDueAt, T0 + 14 days + MONTH, "schedule anchored at startAt");
    }

    function test_activate_reverts_duringATrial_withInsufficientAllowance() public {
        Terms memory t = _terms();
        t.startAt = uint40(T0 + 14 days);
        _setAllowance(address(token), factory.predict(t), AMOUNT - 1);

        vm.expectRevert(abi.encodeWithSelector(Subscription.InsufficientAllowance.selector, AMOUNT - 1, AMOUNT));
        factory.activate(t);
    }

    function test_activate_reverts_duringATrial_withInsufficientBalance() public {
        Terms memory t = _terms();
        t.startAt = uint40(T0 + 14 days);
        t.amount = uint128(token.balanceOf(payer) + 1);
        _approve(t, 1);

        vm.expectRevert(abi.encodeWithSelector(Subscription.InsufficientBalance.selector, t.amount - 1, t.amount));
        factory.activate(t);
    }

    function test_activate_reverts_withInsufficientAllowance() public {
        Terms memory t = _terms();
        address predicted = factory.predict(t);

        vm.expectRevert(abi.encodeWithSelector(Subscription.InsufficientAllowance.selector, 0, AMOUNT));
        factory.activate(t);
        vm.assertEq(predicted.code.length, 0, "nothing deployed");
    }

    function test_activate_reverts_withInsufficientBalance() public {
        Terms memory t = _terms();
        t.amount = uint128(token.balanceOf(payer) + 1);
        _approve(t, 1);

        vm.expectRevert(abi.encodeWithSelector(Subscription.InsufficientBalance.selector, t.amount - 1, t.amount));
        factory.activate(t);
    }

    function test_activate_succeeds_atActivateBy() public {
        Terms memory t = _terms();
        _approve(t, 1);
        vm.warp(t.activateBy);

        factory.activate(t);
    }

    function test_activate_reverts_afterActivateBy() public {
        Terms memory t = _terms();
        address predicted = _approve(t, 1);
        vm.warp(uint256(t.activateBy) + 1);

        vm.expectRevert(
            abi.encodeWithSelector(SubscriptionFactory.ActivationExpired.selector, t.activateBy, block.timestamp)
        );
        factory.activate(t);
        vm.assertEq(predicted.code.length, 0, "nothing deployed");
    }

    function test_activate_reverts_whenAlreadyActivated() public {
        Terms memory t = _terms();
        address subscription = _approve(t, 2);
        factory.activate(t);

        vm.expectRevert(abi.encodeWithSelector(SubscriptionFactory.AlreadyActivated.selector, subscription));
        factory.activate(t);
    }

    function test_activate_reverts_withAZeroAmountPeriodOrMaxPeriods() public {
        Terms memory t = _terms();
        t.amount = 0;
        vm.expectRevert(abi.encodeWithSelector(SubscriptionFactory.InvalidSchedule.selector, 0, MONTH, MAX_PERIODS));
        factory.activate(t);

        t = _terms();
        t.period = 0;
        vm.expectRevert(abi.encodeWithSelector(SubscriptionFactory.InvalidSchedule.selector, AMOUNT, 0, MAX_PERIODS));
        factory.activate(t);

        t = _terms();
        t.maxPeriods = 0;
        vm.expectRevert(abi.encodeWithSelector(SubscriptionFactory.InvalidSchedule.selector, AMOUNT, MONTH, 0));
        factory.activate(t);
    }

    function test_activate_reverts_withMissingOrIdenticalParties() public {
        Terms memory t = _terms();
        t.payer = address(0);
        vm.expectRevert(abi.encodeWithSelector(SubscriptionFactory.InvalidParties.selector, address(0), payee));
        factory.activate(t);

        t = _terms();
        t.payee = address(0);
        vm.expectRevert(abi.encodeWithSelector(SubscriptionFactory.InvalidParties.selector, payer, address(0)));
        factory.activate(t);

        t = _terms();
        t.payee = payer;
        vm.expectRevert(abi.encodeWithSelector(SubscriptionFactory.InvalidParties.selector, payer, payer));
        factory.activate(t);
    }

    function test_activate_reverts_whenTheTokenIsNotAContract() public {
        Terms memory t = _terms(stranger);

        vm.expectRevert(abi.encodeWithSelector(SubscriptionFactory.InvalidToken.selector, stranger));
        factory.activate(t);
    }

    function test_activate_reverts_whenTheTokenIsAnErc721() public {
        Terms memory t = _terms(address(collectible));
        t.amount = 1;
        address predicted = factory.predict(t);
        collectible.mint(payer, 1);
        // ERC-721's approve has ERC-20's selector: this approves the subscription's address for token #1
        vm.prank(payer);
        collectible.approve(predicted, 1);

        vm.expectRevert(abi.encodeWithSelector(SubscriptionFactory.NotAnErc20.selector, address(collectible)));
        factory.activate(t);
        vm.assertEq(predicted.code.length, 0, "nothing deployed");
        vm.assertEq(collectible.ownerOf(1), payer, "the payer still holds token #1");
    }

    function test_activate_refusesAFeeOnTransferToken() public {
        Terms memory t = _terms(address(feeToken));
        address predicted = _approve(t, 1);
        uint256 fee = (uint256(AMOUNT) * feeToken.FEE_BPS()) / 10_000;

        vm.expectRevert(abi.encodeWithSelector(Subscription.ShortDelivery.selector, AMOUNT, AMOUNT - fee));
        factory.activate(t);
        vm.assertEq(predicted.code.length, 0, "nothing deployed");
        vm.assertEq(feeToken.balanceOf(payee), 0, "nothing delivered");
    }

    function test_activate_finishesAtOnce_whenMaxPeriodsIsOne() public {
        Terms memory t = _terms();
        t.maxPeriods = 1;
        address subscription = _approve(t, 1);

        vm.expectEmit(subscription);
        emit Subscription.SubscriptionFinished(payer, payee, 1);
        factory.activate(t);

        vm.assertEq(uint8(Subscription(subscription).state().status), uint8(Subscription.Status.Finished), "done");
    }

    function test_activate_worksWithATokenWithoutReturnValues() public {
        Terms memory t = _terms(address(usdt));
        _approve(t, MAX_PERIODS);

        factory.activate(t);

        vm.assertEq(usdt.balanceOf(payee), AMOUNT, "payee received one period");
    }

    function testFuzz_activate_neverAfterActivateBy(uint256 late) public {
        Terms memory t = _terms();
        address predicted = _approve(t, MAX_PERIODS);
        late = _bound(late, 1, 3650 days);
        vm.warp(uint256(t.activateBy) + late);
        uint256 payerBefore = token.balanceOf(payer);

        vm.expectRevert(
            abi.encodeWithSelector(SubscriptionFactory.ActivationExpired.selector, t.activateBy, block.timestamp)
        );
        factory.activate(t);

        vm.assertEq(predicted.code.length, 0, "nothing deployed");
        vm.assertEq(token.balanceOf(payer), payerBefore, "nothing moved");
    }
}
