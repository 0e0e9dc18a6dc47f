// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

/// @notice `initialize` runs inside `activate` (see SubscriptionFactory/activate.t.sol for what it does); here,
///         only who may call it.
contract InitializeTest is SubscriptionTestBase {
    function test_initialize_reverts_forAnyoneButTheFactory() public {
        Subscription sub = _activeSubscription();
        uint256 periodsBefore = sub.state().periodsCharged;

        vm.expectRevert(abi.encodeWithSelector(Subscription.NotFactory.selector, payer));
        vm.prank(payer);
        sub.initialize();

        vm.assertEq(sub.state().periodsCharged, periodsBefore, "state untouched");
    }

    function test_initialize_reverts_onTheImplementation() public {
        Subscription implementation = Subscription(factory.IMPLEMENTATION());

        vm.expectRevert(abi.encodeWithSelector(Subscription.NotFactory.selector, stranger));
        vm.prank(stranger);
        implementation.initialize();
    }

    function test_theImplementation_isNeverChargeable() public {
        Subscription implementation = Subscription(factory.IMPLEMENTATION());

        vm.expectRevert(abi.encodeWithSelector(Subscription.NotActive.selector, Subscription.Status.None));
        implementation.charge();
    }
}
