// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {Subscription} from "../../../contracts/Subscription.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {BlacklistPausableToken} from "../../../contracts/test-tokens/BlacklistPausableToken.sol";
import {FeeSwitchToken} from "../../../contracts/test-tokens/FeeSwitchToken.sol";
import {HookedPayer} from "../../../contracts/test-tokens/HookedPayer.sol";
import {PermitToken} from "../../../contracts/test-tokens/PermitToken.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

/// @notice Calls a contract with a given gas limit and reports what the call cost, from inside one transaction.
contract GasMeter {
    /// @notice Calls `target` with `data` and exactly `gasLimit`; `used` includes reaching `target`.
    function measure(address target, bytes calldata data, uint256 gasLimit) external returns (bool ok, uint256 used) {
        uint256 before = gasleft();
        (ok, ) = target.call{gas: gasLimit}(data);
        used = before - gasleft();
    }
}

/// @notice The test tokens stand in for tokens we do not write; these tests pin down the real-world behaviour each
///         one must reproduce.
contract TestTokensTest is SubscriptionTestBase {
    function test_usdtLike_returnsNothing_fromTransferTransferFromAndApprove() public {
        vm.startPrank(payer);
        (, bytes memory transferResult) = address(usdt).call(abi.encodeCall(usdt.transfer, (stranger, 1)));
        (, bytes memory approveResult) = address(usdt).call(abi.encodeCall(usdt.approve, (stranger, 1)));
        vm.stopPrank();
        vm.prank(stranger);
        (, bytes memory transferFromResult) = address(usdt).call(
            abi.encodeCall(usdt.transferFrom, (payer, stranger, 1))
        );

        vm.assertEq(transferResult.length, 0, "transfer returns nothing");
        vm.assertEq(approveResult.length, 0, "approve returns nothing");
        vm.assertEq(transferFromResult.length, 0, "transferFrom returns nothing");
        vm.assertEq(usdt.balanceOf(stranger), 2, "both transfers happened");
    }

    function test_usdtLike_refusesToChangeANonZeroAllowance_exceptThroughZero() public {
        vm.startPrank(payer);
        usdt.approve(stranger, 5);
        vm.expectRevert(bytes("approve 0 first"));
        usdt.approve(stranger, 7);
        usdt.approve(stranger, 0);
        usdt.approve(stranger, 7);
        vm.stopPrank();

        vm.assertEq(usdt.allowance(payer, stranger), 7, "changed through zero");
    }

    function test_usdtLike_neverDecreasesAMaximalAllowance() public {
        vm.prank(payer);
        usdt.approve(stranger, type(uint256).max);
        vm.prank(stranger);
        usdt.transferFrom(payer, stranger, 3);

        vm.assertEq(usdt.allowance(payer, stranger), type(uint256).max, "still maximal");
    }

    function test_permitToken_hasSixDecimals_andPermits() public view {
        vm.assertEq(permitToken.decimals(), 6, "USDC-like decimals");
        vm.assertTrue(permitToken.DOMAIN_SEPARATOR() != bytes32(0), "EIP-2612 domain");
    }

    function test_regulated_blocksBlacklistedAccounts_andPauses() public {
        regulated.blacklist(payer);
        vm.expectRevert(abi.encodeWithSelector(BlacklistPausableToken.AccountBlacklisted.selector, payer));
        vm.prank(payer);
        regulated.transfer(stranger, 1);

        regulated.unBlacklist(payer);
        regulated.pause();
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        vm.prank(payer);
        regulated.transfer(stranger, 1);
    }

    function test_regulated_onlyTheIssuerAdministers() public {
        vm.expectRevert(abi.encodeWithSelector(BlacklistPausableToken.NotIssuer.selector, stranger));
        vm.prank(stranger);
        regulated.blacklist(payer);
    }

    function test_feeOnTransfer_deliversLessThanSent() public {
        vm.prank(payer);
        feeToken.transfer(stranger, 10_000);

        vm.assertEq(feeToken.balanceOf(stranger), 9_900, "one percent kept");
        vm.assertEq(feeToken.balanceOf(feeToken.FEE_COLLECTOR()), 100, "fee collected");
    }

    function test_hookToken_callsTheSendersHook_beforeEveryTransferOut() public {
        HookedPayer hooked = _hookedPayer(HookedPayer.Hook.Accept);
        hooked.approve(hookToken, stranger, 2);
        vm.prank(stranger);
        hookToken.transferFrom(address(hooked), stranger, 1);
        vm.assertEq(hookToken.balanceOf(stranger), 1, "an accepting hook lets the transfer go");

        hooked.setHook(HookedPayer.Hook.Refuse);
        vm.expectRevert(abi.encodeWithSelector(HookedPayer.TransferRefused.selector, stranger, 1));
        vm.prank(stranger);
        hookToken.transferFrom(address(hooked), stranger, 1);
    }

    function test_hookToken_givesTheHookAllTheGasLeft() public {
        HookedPayer hooked = _hookedPayer(HookedPayer.Hook.BurnAllGas);
        GasMeter meter = new GasMeter();
        hooked.approve(hookToken, address(meter), 1);

        (bool ok, uint256 used) = meter.measure(
            address(hookToken),
            abi.encodeCall(hookToken.transferFrom, (address(hooked), stranger, 1)),
            500_000
        );

        vm.assertFalse(ok, "the transfer failed");
        // everything but the 1/64 the token keeps back when it calls the hook (EIP-150): 500,000 * 63/64
        vm.assertGe(used, 492_188, "the hook burned all the gas it was given");
    }

    function test_hookToken_callsNoHook_forAnAccountThatRegisteredNone() public {
        vm.prank(payer);
        hookToken.transfer(stranger, 1);

        vm.assertEq(hookToken.balanceOf(stranger), 1, "a plain ERC-20 for everyone else");
    }

    function test_hookToken_refusingPayer_makesTheChargeFail_althoughChargeableSaysOk() public {
        HookedPayer hooked = _hookedPayer(HookedPayer.Hook.Accept);
        Subscription sub = _activateHooked(hooked);
        hooked.setHook(HookedPayer.Hook.Refuse);
        vm.warp(T0 + MONTH);

        vm.assertEq(uint8(sub.chargeable()), uint8(Subscription.ChargeReason.Ok), "allowance and balance suffice");
        vm.expectRevert(abi.encodeWithSelector(Subscription.TransferFailed.selector, address(hookToken)));
        sub.charge();
    }

    function test_hookToken_expensivePayer_isChargedAlone_butNotWithinABatchBudget() public {
        HookedPayer hooked = _hookedPayer(HookedPayer.Hook.Accept);
        Subscription sub = _activateHooked(hooked);
        hooked.setHook(HookedPayer.Hook.Expensive);
        vm.warp(T0 + MONTH);
        address[] memory batch = new address[](1);
        batch[0] = address(sub);

        bool[] memory charged = factory.chargeMany(batch);
        vm.assertFalse(charged[0], "a batch's budget does not cover the hook");
        sub.charge();

        vm.assertEq(sub.state().periodsCharged, 2, "a charge with all the gas it wants succeeds");
    }

    function test_feeSwitch_deliversInFull_untilTheOwnerSwitchesTheFeeOn() public {
        vm.prank(payer);
        feeSwitch.transfer(stranger, 10_000);
        vm.assertEq(feeSwitch.balanceOf(stranger), 10_000, "no fee at first");

        vm.expectEmit(address(feeSwitch));
        emit FeeSwitchToken.FeeChanged(100);
        feeSwitch.setFee(100);
        vm.prank(payer);
        feeSwitch.transfer(stranger, 10_000);

        vm.assertEq(feeSwitch.balanceOf(stranger), 19_900, "one percent kept once on");
        vm.assertEq(feeSwitch.balanceOf(address(this)), 100, "the fee went to the owner");
    }

    function test_feeSwitch_onlyTheOwnerSetsTheFee_upToTheMaximum() public {
        vm.expectRevert(abi.encodeWithSelector(FeeSwitchToken.NotOwner.selector, stranger));
        vm.prank(stranger);
        feeSwitch.setFee(1);

        uint256 maxFee = feeSwitch.MAX_FEE_BPS();
        vm.expectRevert(abi.encodeWithSelector(FeeSwitchToken.FeeTooHigh.selector, maxFee + 1, maxFee));
        feeSwitch.setFee(maxFee + 1);
    }

    function test_feeSwitch_subscription_paysThePayeeShort_onceTheFeeIsOn() public {
        Subscription sub = _activate(_terms(address(feeSwitch)));
        vm.assertEq(feeSwitch.balanceOf(payee), AMOUNT, "activated while the fee was off: paid in full");
        feeSwitch.setFee(100);
        uint256 fee = uint256(AMOUNT) / 100;
        uint256 payerBefore = feeSwitch.balanceOf(payer);
        vm.warp(T0 + MONTH);

        // later charges are not measured (it would cost every charge two more calls): this one pays short
        sub.charge();

        vm.assertEq(payerBefore - feeSwitch.balanceOf(payer), AMOUNT, "the payer paid the amount");
        vm.assertEq(
            feeSwitch.balanceOf(payee),
            2 * uint256(AMOUNT) - fee,
            "the payee received the amount less the fee"
        );
        vm.assertEq(sub.state().periodsCharged, 2, "and the period counts as paid");
    }

    function test_feeSwitch_subscription_isRefusedAtActivation_whileTheFeeIsOn() public {
        feeSwitch.setFee(100);
        Terms memory t = _terms(address(feeSwitch));
        _approve(t, 1);

        vm.expectRevert(abi.encodeWithSelector(Subscription.ShortDelivery.selector, AMOUNT, AMOUNT - AMOUNT / 100));
        factory.activate(t);
    }

    function test_senderFee_deliversInFull_andTakesTheFeeFromTheSenderOnTop() public {
        uint256 payerBefore = senderFee.balanceOf(payer);
        vm.prank(payer);
        senderFee.transfer(stranger, 10_000);

        vm.assertEq(senderFee.balanceOf(stranger), 10_000, "the recipient got the full amount");
        vm.assertEq(payerBefore - senderFee.balanceOf(payer), 10_100, "the sender paid one percent more");
        vm.assertEq(senderFee.balanceOf(senderFee.FEE_COLLECTOR()), 100, "fee collected");
    }

    function test_senderFee_spendsTheFeeFromTheAllowanceToo() public {
        vm.prank(payer);
        senderFee.approve(stranger, 10_100);
        vm.prank(stranger);
        senderFee.transferFrom(payer, stranger, 10_000);

        vm.assertEq(senderFee.allowance(payer, stranger), 0, "amount and fee spent from the allowance");
    }

    function test_senderFee_subscription_runsOutOfAllowanceAPeriodEarly() public {
        Terms memory t = _terms(address(senderFee));
        address subscription = _approve(t, MAX_PERIODS);
        Subscription sub = Subscription(factory.activate(t));
        vm.assertEq(senderFee.balanceOf(payee), AMOUNT, "the delivery check passes: the payee got the amount");

        // the allowance pays for amount plus fee each time: 12 periods of allowance cover 11 charges
        for (uint256 i = 1; i < MAX_PERIODS - 1; ++i) {
            vm.warp(T0 + i * MONTH);
            sub.charge();
        }
        vm.warp(T0 + (MAX_PERIODS - 1) * MONTH);

        vm.assertEq(sub.state().periodsCharged, MAX_PERIODS - 1, "eleven charges made");
        vm.assertEq(uint8(sub.chargeable()), uint8(Subscription.ChargeReason.AllowanceTooLow), "twelfth not covered");
        vm.assertLe(senderFee.allowance(payer, subscription), AMOUNT, "the allowance ran out a period early");
    }

    function test_senderFee_subscription_coversFewerPeriods_thanPeriodsCoveredSays() public {
        Terms memory t = _terms(address(senderFee));
        // one period of allowance would not do: the first charge takes the amount and the fee
        address subscription = _approve(t, 2);
        Subscription sub = Subscription(factory.activate(t));
        _setAllowance(address(senderFee), subscription, 3 * uint256(AMOUNT));

        vm.assertEq(sub.periodsCovered(), 3, "three whole amounts allowed");
        for (uint256 i = 1; i <= 3; ++i) {
            vm.warp(T0 + i * MONTH);
            try sub.charge() {} catch {}
        }

        vm.assertEq(sub.state().periodsCharged, 3, "two more charges, not three");
        vm.assertEq(uint8(sub.chargeable()), uint8(Subscription.ChargeReason.AllowanceTooLow), "then out of allowance");
    }

    function test_senderFee_subscription_isRefused_althoughChargeableSaysOk_whenThePayerHoldsOnePeriod() public {
        Terms memory t = _terms(address(senderFee));
        address poorPayer = address(0x9009);
        t.payer = poorPayer;
        address subscription = factory.predict(t);
        // enough for the first charge and its fee, then exactly one period
        senderFee.mint(poorPayer, 2 * uint256(AMOUNT) + senderFee.feeOf(AMOUNT));
        vm.prank(poorPayer);
        senderFee.approve(subscription, 12 * uint256(AMOUNT));
        Subscription sub = Subscription(factory.activate(t));
        vm.warp(T0 + MONTH);

        vm.assertEq(uint8(sub.chargeable()), uint8(Subscription.ChargeReason.Ok), "one period held, one period due");
        vm.expectRevert(abi.encodeWithSelector(Subscription.TransferFailed.selector, address(senderFee)));
        sub.charge();
    }

    function test_proxyToken_keepsItsStateInTheProxy_andChargesLikeItsImplementation() public {
        Subscription sub = _activate(_terms(address(proxiedPermit)));
        vm.warp(T0 + MONTH);

        sub.charge();

        vm.assertEq(proxiedPermit.balanceOf(payee), 2 * uint256(AMOUNT), "two periods paid through the proxy");
        vm.assertEq(proxiedPermit.decimals(), 6, "the implementation's code answers");
        vm.assertTrue(proxiedPermit.DOMAIN_SEPARATOR() != bytes32(0), "permits through the proxy");
    }

    function test_collectible_sharesErc20sApproveAndTransferFromSelectors() public pure {
        vm.assertEq(
            bytes32(IERC721.approve.selector),
            bytes32(IERC20.approve.selector),
            "approve(address,uint256) in both"
        );
        vm.assertEq(
            bytes32(IERC721.transferFrom.selector),
            bytes32(IERC20.transferFrom.selector),
            "transferFrom(address,address,uint256) in both"
        );
    }
}
