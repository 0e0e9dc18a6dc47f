// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {BlacklistPausableToken} from "../../../contracts/test-tokens/BlacklistPausableToken.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

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
}
